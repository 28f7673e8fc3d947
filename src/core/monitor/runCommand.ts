import { spawn } from 'node:child_process';
import { cancelled, MlopsError } from '../errors';

/** A value as one shell word: single quotes on POSIX shells, double quotes for cmd.exe. */
export function shellQuote(v: string, platform: NodeJS.Platform = process.platform): string {
  if (platform === 'win32') return `"${v.replace(/"/g, '""')}"`;
  return `'${v.replace(/'/g, `'\\''`)}'`;
}

/** `${current}` and `${reference}` (and `$current` forms are left alone) replaced by quoted paths. */
export function substitute(command: string, vars: Record<string, string | undefined>): string {
  return command.replace(/\$\{(\w+)\}/g, (whole, name: string) => {
    const v = vars[name];
    return v === undefined ? whole : shellQuote(v);
  });
}

export interface CommandRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The last lines of stdout and stderr together. */
  tail: string[];
}

/**
 * Runs a shell command, streaming its output to `onLine` and keeping the last `keep` lines. Times out
 * (SIGTERM, then SIGKILL after 5 s) and is cancelled by `signal` the same way.
 */
export function runShell(
  command: string,
  o: {
    cwd: string;
    env: NodeJS.ProcessEnv;
    timeoutMs: number;
    signal?: AbortSignal;
    onLine?: (l: string) => void;
    keep?: number;
  },
): Promise<CommandRun> {
  return new Promise((resolve, reject) => {
    if (o.signal?.aborted) return reject(cancelled('The retrain command'));
    // Its own process group on POSIX, so a timeout or Ctrl-C stops the shell and what it started.
    const group = process.platform !== 'win32';
    const child = spawn(command, {
      cwd: o.cwd,
      env: o.env,
      shell: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: group,
    });
    const tail: string[] = [];
    const keep = o.keep ?? 20;
    const partial = { out: '', err: '' };
    const take = (which: 'out' | 'err') => (d: Buffer) => {
      const parts = (partial[which] + d.toString()).split(/\r?\n/);
      partial[which] = parts.pop() ?? '';
      for (const l of parts) push(l);
    };
    const push = (l: string) => {
      o.onLine?.(l);
      tail.push(l);
      if (tail.length > keep) tail.shift();
    };
    let timedOut = false;
    const kill = (sig: NodeJS.Signals) => {
      try {
        if (group && child.pid) process.kill(-child.pid, sig);
        else child.kill(sig);
      } catch {
        // already gone
      }
    };
    const stop = () => {
      kill('SIGTERM');
      setTimeout(() => kill('SIGKILL'), 5000).unref();
    };
    const timer = setTimeout(() => {
      timedOut = true;
      stop();
    }, o.timeoutMs);
    o.signal?.addEventListener('abort', stop, { once: true });
    child.stdout.on('data', take('out'));
    child.stderr.on('data', take('err'));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(
        new MlopsError(
          'IO',
          `The retrain command could not start: ${e.message}.`,
          'Check retrain.command in mlops.yaml.',
        ),
      );
    });
    child.on('close', (code, sig) => {
      clearTimeout(timer);
      o.signal?.removeEventListener('abort', stop);
      for (const w of ['out', 'err'] as const) if (partial[w]) push(partial[w]);
      if (o.signal?.aborted) return reject(cancelled('The retrain command'));
      if (timedOut) tail.push(`(timed out after ${Math.round(o.timeoutMs / 1000)} s)`);
      resolve({ code, signal: sig, tail });
    });
  });
}
