import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { HttpTarget, prepareHttpTarget, runLoadTest } from '../src/core/serving/loadtest';
import type { LoadTestPlan, LoadTestReport } from '../src/core/serving/types';

/** Child processes for `npm run bench serve`: the server under test and the HTTP-ceiling baseline. */

/** dist/cli.js beside this bundle (dist/bench.js). */
export const CLI = path.join(__dirname, 'cli.js');

export interface Child {
  url: string;
  proc: ChildProcess;
  /** Peak resident set of the process so far (VmHWM), bytes; workers are threads, so included. */
  peakRss(): number;
  /** Resident set now (VmRSS), bytes. */
  rss(): number;
  stop(): Promise<void>;
}

/** Waits for the first stdout line (a JSON ready line with `url`), or fails with the child's stderr. */
function whenReady(proc: ChildProcess, what: string, timeoutMs = 60_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => fail(new Error(`${what} did not start within ${timeoutMs} ms: ${err}`)), timeoutMs);
    const fail = (e: Error) => {
      clearTimeout(timer);
      proc.kill('SIGKILL');
      reject(e);
    };
    proc.stderr?.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
    proc.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const nl = out.indexOf('\n');
      if (nl < 0) return;
      clearTimeout(timer);
      try {
        resolve((JSON.parse(out.slice(0, nl)) as { url: string }).url);
      } catch {
        fail(new Error(`${what} printed no ready line: ${out.slice(0, nl)}`));
      }
    });
    proc.on('exit', (code) => fail(new Error(`${what} exited with ${code}: ${err}`)));
  });
}

function procStatusBytes(proc: ChildProcess, field: string): number {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${proc.pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
}

function child(proc: ChildProcess, url: string): Child {
  return {
    url,
    proc,
    peakRss: () => procStatusBytes(proc, 'VmHWM'),
    rss: () => procStatusBytes(proc, 'VmRSS'),
    stop: () =>
      new Promise<void>((resolve) => {
        if (proc.exitCode !== null) return resolve();
        proc.removeAllListeners('exit');
        proc.on('exit', () => resolve());
        proc.kill('SIGTERM');
        setTimeout(() => proc.kill('SIGKILL'), 10_000).unref();
      }),
  };
}

/** `mlops serve <targets...> --port 0 --json` in its own process. */
export async function startServer(targets: string[], extra: string[], env: NodeJS.ProcessEnv = {}): Promise<Child> {
  const proc = spawn(
    process.execPath,
    [CLI, 'serve', ...targets, '--port', '0', '--json', '--log-predictions', 'off', '--summary-every', '0', ...extra],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } },
  );
  return child(proc, await whenReady(proc, `mlops serve ${targets.join(' ')}`));
}

/**
 * The HTTP ceiling: a minimal node:http server in its own process answering every request with a fixed
 * body of the size the real endpoint answers, after reading the request (as a server must).
 */
export async function startFixedServer(responseBody: string): Promise<Child> {
  const script = `
    const http = require('node:http');
    const body = Buffer.from(process.env.BODY);
    const server = http.createServer((req, res) => {
      req.on('data', () => {});
      req.on('end', () => { res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length }); res.end(body); });
    });
    server.keepAliveTimeout = 60000;
    server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ url: 'http://127.0.0.1:' + server.address().port })));
    process.on('SIGTERM', () => process.exit(0));`;
  const proc = spawn(process.execPath, ['-e', script], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, BODY: responseBody },
  });
  return child(proc, await whenReady(proc, 'the fixed-body server'));
}

/** Closed-loop load on a served model over HTTP (OIP v2, random examples from its metadata). */
export async function loadServer(
  url: string,
  model: string,
  plan: Partial<LoadTestPlan> & { concurrency: number },
  signal?: AbortSignal,
): Promise<LoadTestReport> {
  const { target } = await prepareHttpTarget({
    baseUrl: url,
    model,
    protocol: 'oip',
    batch: 1,
    connections: plan.concurrency,
    timeoutMs: 30_000,
  });
  try {
    return await runLoadTest(target, { mode: 'closed', warmupRequests: 200, ...plan }, { signal });
  } finally {
    await target.close();
  }
}

/** The same load on any URL with a given body (the fixed-body server has no metadata to read). */
export async function loadUrl(url: string, body: Buffer, plan: Partial<LoadTestPlan> & { concurrency: number }) {
  const target = new HttpTarget({ url, bodies: [body], connections: plan.concurrency, timeoutMs: 30_000 });
  try {
    return await runLoadTest(target, { mode: 'closed', warmupRequests: 200, ...plan });
  } finally {
    await target.close();
  }
}

/** A counter of the server's Prometheus /metrics for one model (summed over versions). */
export async function metric(url: string, name: string, model: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name + '{') || !line.includes(`model="${model}"`)) continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}
