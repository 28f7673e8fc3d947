import * as vscode from 'vscode';
import { MlopsError } from '../core/errors';
import { fixFor } from './errorFixes';
import { COMMANDS, type CommandId } from './ids';
import type { Log } from './log';
import { showError, type Action } from './ui/toast';

/** Thrown when the user presses Escape in a prompt: the command stops without a message. */
export class UserCancelled extends Error {
  constructor() {
    super('Cancelled by the user.');
  }
}

/**
 * Registers a command whose errors are caught here, at its boundary (CONVENTIONS 11): logged with the
 * command as scope, then shown as one sentence with a "Show Log" action. The handler's result is
 * returned to `executeCommand` callers (other extensions, tests).
 */
export function registerCommand<A extends unknown[]>(
  log: Log,
  id: CommandId,
  handler: (...args: A) => unknown,
): vscode.Disposable {
  return vscode.commands.registerCommand(id, async (...args: A) => {
    try {
      return await handler(...args);
    } catch (e) {
      reportError(log, id, e);
      return undefined;
    }
  });
}

/** Logs and shows a failure; does not wait for the message to be dismissed. */
export function reportError(log: Log, scope: string, e: unknown, extra: Action[] = []): void {
  if (e instanceof UserCancelled || (e instanceof MlopsError && e.code === 'CANCELLED')) {
    log.info(`[${scope}] ${e.message}`);
    return;
  }
  log.error(scope, e);
  void showError(userSentence(scope, e), ...extra, ...actionsFor(e), { title: 'Show Log', run: () => log.show() });
}

/** One sentence: an MlopsError's message (its hint goes to the log); anything else is a bug and says so. */
export function userSentence(scope: string, e: unknown): string {
  if (e instanceof MlopsError) return e.message;
  const what = scope.startsWith('mlops.') ? `The command ${scope}` : scope;
  return `${what} failed unexpectedly: ${e instanceof Error ? e.message : String(e)}`.replace(/([^.])$/, '$1.');
}

/** Extra actions that fix the usual causes (chosen on codes, see errorFixes.ts). */
function actionsFor(e: unknown): Action[] {
  switch (fixFor(e)) {
    case 'manageTrust':
      return [{ title: 'Manage Workspace Trust', run: () => vscode.commands.executeCommand('workbench.trust.manage') }];
    case 'connectMlflow':
      return [{ title: 'Connect to MLflow…', run: () => vscode.commands.executeCommand(COMMANDS.connectMlflow) }];
    case 'selectRegistry':
      return [{ title: 'Select Registry', run: () => vscode.commands.executeCommand(COMMANDS.selectRegistry) }];
    default:
      return [];
  }
}
