import * as vscode from 'vscode';
import { MlopsError } from '../core/errors';
import { OUTPUT_CHANNEL_NAME } from './ids';

/**
 * The extension's one LogOutputChannel (CONVENTIONS 10): levels set by the user, stacks kept, and
 * credentials taken out of anything logged (a registry URL may carry user:password@, an error may echo
 * an Authorization header).
 */
export class Log implements vscode.Disposable {
  readonly channel: vscode.LogOutputChannel;

  constructor() {
    this.channel = vscode.window.createOutputChannel(OUTPUT_CHANNEL_NAME, { log: true });
  }

  info(msg: string): void {
    this.channel.info(redact(msg));
  }

  warn(msg: string): void {
    this.channel.warn(redact(msg));
  }

  debug(msg: string): void {
    this.channel.debug(redact(msg));
  }

  /** Logs a failure with its scope (the command or task), the user's hint and, for bugs, the stack. */
  error(scope: string, e: unknown): void {
    if (e instanceof MlopsError) {
      this.channel.error(redact(`[${scope}] ${e.code}: ${e.describe()}`));
      if (e.cause !== undefined) this.channel.debug(redact(`[${scope}] caused by: ${causeText(e.cause)}`));
    } else {
      this.channel.error(redact(`[${scope}] ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`));
    }
  }

  show(): void {
    this.channel.show(true);
  }

  dispose(): void {
    this.channel.dispose();
  }
}

function causeText(c: unknown): string {
  return c instanceof Error ? (c.stack ?? c.message) : String(c);
}

/** Removes credentials: URL user-info, bearer/basic tokens, token=/password= pairs. */
export function redact(s: string): string {
  return s
    .replace(/(\b[a-z][a-z0-9+.-]*:\/\/)[^/\s:@]+(?::[^/\s@]*)?@/gi, '$1***@')
    .replace(/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/g, '$1 ***')
    .replace(/\b(token|password|passwd|secret|api[_-]?key)(["']?\s*[=:]\s*["']?)[^\s"'&,}]+/gi, '$1$2***');
}
