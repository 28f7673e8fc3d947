import { spawn, type SpawnOptions } from 'node:child_process';
import path from 'node:path';

/** The bundled CLI, exactly what `npx mlops` runs (built by `npm run build` before the tests). */
export const CLI = path.resolve(__dirname, '..', '..', '..', 'dist', 'cli.js');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function runMlops(
  args: string[],
  opts: { cwd: string; env?: NodeJS.ProcessEnv; uid?: number; gid?: number },
): Promise<CliResult> {
  return runNode([CLI, ...args], opts);
}

export function runNode(
  args: string[],
  opts: { cwd: string; env?: NodeJS.ProcessEnv; uid?: number; gid?: number },
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const so: SpawnOptions = {
      cwd: opts.cwd,
      env: {
        ...process.env,
        MLOPS_REGISTRY: '',
        MLFLOW_TRACKING_URI: '',
        MLOPS_IDEMPOTENCY_KEY: '',
        MLOPS_ACTOR: 'ci-bot',
        ...opts.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    };
    if (opts.uid !== undefined) so.uid = opts.uid;
    if (opts.gid !== undefined) so.gid = opts.gid;
    const p = spawn(process.execPath, args, so);
    let stdout = '';
    let stderr = '';
    p.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('error', reject);
    p.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** Runs the CLI and parses its --json stdout, failing with the CLI's stderr when it did not exit 0. */
export async function mlopsJson<T = Record<string, unknown>>(
  args: string[],
  cwd: string,
  env?: NodeJS.ProcessEnv,
): Promise<T> {
  const r = await runMlops([...args, '--json'], { cwd, env });
  if (r.code !== 0) throw new Error(`mlops ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}
