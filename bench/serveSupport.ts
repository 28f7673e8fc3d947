import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
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
export async function startServer(
  targets: string[],
  extra: string[],
  env: NodeJS.ProcessEnv = {},
  cli = CLI,
): Promise<Child> {
  const proc = spawn(
    process.execPath,
    [cli, 'serve', ...targets, '--port', '0', '--json', '--log-predictions', 'off', '--summary-every', '0', ...extra],
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
  binary = false,
): Promise<LoadTestReport> {
  const { target } = await prepareHttpTarget({
    baseUrl: url,
    model,
    protocol: 'oip',
    binary,
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

/** What a load run gives the benchmark, whichever generator ran it. */
export interface LoadFigures {
  throughput: number;
  p50: number;
  p99: number;
  /** Answered requests (errors included). */
  requests: number;
  errors: number;
}

export function figuresOf(r: LoadTestReport): LoadFigures {
  return {
    throughput: r.throughput,
    p50: r.latency.p50,
    p99: r.latency.p99,
    requests: r.latency.count + r.errorCount,
    errors: r.errorCount,
  };
}

/** Debian's `wrk` on PATH, or undefined (MLOPS_BENCH_LOADGEN=node forces the project's own Node generator). */
export function wrkPath(): string | undefined {
  if (process.env.MLOPS_BENCH_LOADGEN === 'node') return undefined;
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const p = path.join(dir, 'wrk');
    if (existsSync(p)) return p;
  }
  return undefined;
}

/** wrk's latency text ("495.00us", "9.42ms", "1.02s") in ms. */
export function wrkMs(text: string): number {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(text.trim());
  if (!m) return NaN;
  const scale = { us: 1e-3, ms: 1, s: 1e3, m: 6e4 }[m[2] as 'us' | 'ms' | 's' | 'm'];
  return Number(m[1]) * scale;
}

/** Parses `wrk --latency` output. */
export function parseWrk(out: string): LoadFigures {
  const num = (re: RegExp) => Number(re.exec(out)?.[1] ?? NaN);
  const pct = (p: string) => wrkMs(new RegExp(`^\\s*${p}%\\s+(\\S+)`, 'm').exec(out)?.[1] ?? '');
  const requests = num(/(\d+) requests in/);
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const socketErrors = sock ? sock.slice(1).reduce((n, s) => n + Number(s), 0) : 0;
  return {
    throughput: num(/Requests\/sec:\s+([\d.]+)/),
    p50: pct('50'),
    p99: pct('99'),
    requests,
    errors: non2xx + socketErrors,
  };
}

/**
 * Closed-loop load with wrk (one thread, `concurrency` keep-alive connections, one POST body): a C
 * generator takes a fraction of the CPU a Node one does, which matters when both share two cores.
 * A short unmeasured run first warms the server up.
 */
export async function loadWrk(
  wrk: string,
  url: string,
  body: Buffer,
  o: { concurrency: number; durationMs: number; warmupMs?: number; headers?: Record<string, string> },
): Promise<LoadFigures> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mlops-bench-wrk-'));
  try {
    const bodyFile = path.join(dir, 'body.json');
    writeFileSync(bodyFile, body);
    const script = path.join(dir, 'post.lua');
    writeFileSync(
      script,
      [
        'wrk.method = "POST"',
        'wrk.headers["Content-Type"] = "application/json"',
        ...Object.entries(o.headers ?? {}).map(([k, v]) => `wrk.headers[${JSON.stringify(k)}] = ${JSON.stringify(v)}`),
        `local f = io.open(${JSON.stringify(bodyFile)}, "rb")`,
        'wrk.body = f:read("*a")',
        'f:close()',
        '',
      ].join('\n'),
    );
    const run = (ms: number) =>
      new Promise<string>((resolve, reject) => {
        const secs = `${Math.max(1, Math.round(ms / 1000))}s`;
        const args = ['-t1', `-c${o.concurrency}`, `-d${secs}`, '--timeout', '30s', '--latency', '-s', script, url];
        const p = spawn(wrk, args, { stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        p.stdout.on('data', (d: Buffer) => (out += d.toString()));
        p.stderr.on('data', (d: Buffer) => (out += d.toString()));
        p.on('error', reject);
        p.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`wrk exited with ${code}: ${out}`))));
      });
    await run(o.warmupMs ?? 1000);
    return parseWrk(await run(o.durationMs));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** CPU ticks (user + system) of each thread of a process, by thread id; the main thread's id is the pid. */
export function threadTicks(pid: number): Map<number, number> {
  const out = new Map<number, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(Number(tid), Number(f[11]) + Number(f[12]));
    } catch {
      // The thread ended between listing and reading.
    }
  }
  return out;
}

/** CPU ms per request over a run, split into the process's main (HTTP) thread and all its other threads. */
export function cpuPerRequest(
  pid: number,
  before: Map<number, number>,
  after: Map<number, number>,
  requests: number,
): { main: number; other: number } {
  const msPerTick = 1000 / 100; // USER_HZ is 100 on Linux
  let main = 0;
  let other = 0;
  for (const [tid, t] of after) {
    const d = (t - (before.get(tid) ?? 0)) * msPerTick;
    if (tid === pid) main += d;
    else other += d;
  }
  return { main: main / requests, other: other / requests };
}

/**
 * Raw onnxruntime-node throughput (samples/s) at `batch` rows per run, no HTTP and no messaging: `sessions`
 * worker threads, each running its own session back to back with `threads` intra-op threads and the
 * server's session options (inferenceWorker.ts), all at once for `durationMs`. With the server's
 * workers x threads this is what its workers could compute if nothing else ran on the machine.
 */
export async function rawOrt(
  file: string,
  o: { inputDim: number; batch: number; sessions: number; threads: number; spinning?: boolean; durationMs?: number },
): Promise<number> {
  const code = `
    const { parentPort, workerData: w } = require('node:worker_threads');
    const ort = require(w.ort);
    (async () => {
      const session = await ort.InferenceSession.create(w.file, {
        intraOpNumThreads: w.threads, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all',
        ...(w.spinning ? {} : { extra: { session: { intra_op: { allow_spinning: '0' } } } }),
      });
      const dim = w.dim;
      const data = Float32Array.from({ length: w.batch * dim }, () => Math.random() * 2 - 1);
      const feeds = { [session.inputNames[0]]: new ort.Tensor('float32', data, [w.batch, dim]) };
      for (let i = 0; i < 10; i++) await session.run(feeds);
      parentPort.postMessage('ready');
      parentPort.once('message', async (until) => {
        let runs = 0;
        const t0 = Date.now();
        while (Date.now() < until) { await session.run(feeds); runs++; }
        const secs = (Date.now() - t0) / 1000;
        await session.release();
        parentPort.postMessage(runs * w.batch / secs);
      });
    })();`;
  const ortPath = require.resolve('onnxruntime-node');
  const workers = Array.from(
    { length: o.sessions },
    () =>
      new Worker(code, {
        eval: true,
        workerData: { ort: ortPath, file, batch: o.batch, threads: o.threads, spinning: !!o.spinning, dim: o.inputDim },
      }),
  );
  try {
    await Promise.all(workers.map((w) => new Promise((r, j) => (w.once('message', r), w.once('error', j)))));
    const until = Date.now() + (o.durationMs ?? 3000);
    const rates = await Promise.all(
      workers.map(
        (w) =>
          new Promise<number>((r, j) => {
            w.once('message', r);
            w.once('error', j);
            w.postMessage(until);
          }),
      ),
    );
    return rates.reduce((a, b) => a + b, 0);
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
