import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { CLI, WORKSPACE } from './env';

const run = promisify(execFile);

/**
 * Runs the real `mlops` CLI (dist/cli.js) as another process would: a terminal, CI, a cron job. The
 * extension has to notice its changes by itself.
 */
export async function mlops(args: string[], opts: { cwd?: string } = {}): Promise<string> {
  try {
    const { stdout } = await run(process.execPath, [CLI, ...args], {
      cwd: opts.cwd ?? WORKSPACE,
      env: { ...process.env, MLOPS_REGISTRY: '' },
    });
    return stdout;
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`mlops ${args.join(' ')} failed: ${err.stderr || err.message}`);
  }
}

export async function mlopsJson<T>(args: string[], opts: { cwd?: string } = {}): Promise<T> {
  return JSON.parse(await mlops([...args, '--json'], opts)) as T;
}
