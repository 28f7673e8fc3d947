import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildMlp } from '../test/builders/mlpBuilder';
import { EmbeddedRegistry } from '../src/core/registry/embedded/embeddedRegistry';
import { openInProcessTarget, runLoadTest } from '../src/core/serving/loadtest';
import { openLocalModel } from '../src/core/serving/modelSource';
import { type BenchRow, type BenchSuite, round } from './harness';
import { type Child, loadServer, loadUrl, metric, startFixedServer, startServer } from './serveSupport';

/**
 * `npm run bench serve`: the serving figures of issue 9, each measured side by side in one run.
 * The server runs in its own process (`mlops serve`, dist/cli.js); the load generator (this process,
 * the project's own load tester over keep-alive HTTP) shares the machine's cores with it, which caps
 * every HTTP figure on a 2-core machine. Parts that cannot run are reported as skipped with the reason.
 */
const SECONDS = Number(process.env.MLOPS_BENCH_SERVE_SECONDS ?? 6);
const SWAPS = 20;
const ctx = { actor: 'bench' };
const NOTE_CORES = `${os.cpus().length} cores shared by server and load generator`;

type Add = (name: string, value: number, unit: string, note?: string) => void;

export const serveBench: BenchSuite = {
  name: 'serve',
  async run(log) {
    const rows: BenchRow[] = [];
    const add: Add = (name, value, unit, note) =>
      rows.push({ suite: 'serve', name, value: Number.isFinite(value) ? round(value) : value, unit, note });
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'mlops-bench-serve-'));
    try {
      const big = path.join(tmp, 'big.onnx');
      const small = path.join(tmp, 'small.onnx');
      const medium = path.join(tmp, 'medium.onnx');
      writeFileSync(big, buildMlp({ inputDim: 512, hidden: [2048, 2048], outputDim: 512, seed: 1 }));
      writeFileSync(small, buildMlp({ inputDim: 8, hidden: [32, 32], outputDim: 2, seed: 2 }));
      writeFileSync(medium, buildMlp({ inputDim: 64, hidden: [256, 256], outputDim: 10, seed: 3 }));
      const parts: [string, () => Promise<void>][] = [
        ['(a) big MLP batching', () => partBatching(big, add, log)],
        ['(b) small MLP HTTP overhead', () => partHttp(small, add, log)],
        ['(c) alias swap under load', () => partSwap(tmp, add, log)],
        ['(d) peak RSS, three models', () => partRss([small, medium, big], add, log)],
      ];
      for (const [name, part] of parts) {
        log(name);
        try {
          await part();
        } catch (e) {
          const why = e instanceof Error ? e.message.split('\n')[0] : String(e);
          log(`  skipped: ${why}`);
          add(name, NaN, 'skipped', why);
        }
      }
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
    return rows;
  },
};

async function withServer<T>(start: Promise<Child>, fn: (s: Child) => Promise<T>): Promise<T> {
  const s = await start;
  try {
    return await fn(s);
  } finally {
    await s.stop();
  }
}

/** (a) Batched vs unbatched endpoint on the big MLP at c=16, and raw onnxruntime at the batch size reached. */
async function partBatching(big: string, add: Add, log: (s: string) => void): Promise<void> {
  const plan = { concurrency: 16, durationMs: SECONDS * 1000 };
  const batched = await withServer(startServer([big], []), async (s) => {
    const r = await loadServer(s.url, 'big', plan);
    const rows = await metric(s.url, 'mlops_inference_count_total', 'big');
    const runs = await metric(s.url, 'mlops_inference_exec_count_total', 'big');
    return { r, meanBatch: rows / runs };
  });
  log(
    `  batched: ${batched.r.throughput} req/s, p99 ${batched.r.latency.p99} ms, mean batch ${batched.meanBatch.toFixed(2)}`,
  );
  const unbatched = await withServer(startServer([big], ['--no-batching']), (s) => loadServer(s.url, 'big', plan));
  log(`  unbatched: ${unbatched.throughput} req/s, p99 ${unbatched.latency.p99} ms`);
  const raw = await rawOnnxruntime(big, Math.max(1, Math.round(batched.meanBatch)));
  log(`  raw onnxruntime at batch ${raw.batch}: ${Math.round(raw.samplesPerSec)} samples/s`);
  const note = `closed loop c=16, batch-1 requests, ${SECONDS} s, ${NOTE_CORES}`;
  add('big MLP, batched endpoint throughput', batched.r.throughput, 'req/s', note);
  add('big MLP, batched endpoint p99', batched.r.latency.p99, 'ms');
  add('big MLP, unbatched endpoint throughput', unbatched.throughput, 'req/s', '--no-batching');
  add('big MLP, unbatched endpoint p99', unbatched.latency.p99, 'ms');
  add(
    'big MLP, batched / unbatched throughput',
    batched.r.throughput / unbatched.throughput,
    'x',
    'target >= 4x, p99 no worse',
  );
  add('big MLP, mean batch size reached', batched.meanBatch, 'rows/run', 'inference_count / exec_count');
  add(
    'big MLP, raw onnxruntime at that batch',
    raw.samplesPerSec,
    'samples/s',
    `in-process session.run, batch ${raw.batch}, default threads`,
  );
  add('big MLP, endpoint / raw onnxruntime', batched.r.throughput / raw.samplesPerSec, 'ratio', 'target >= 0.8');
}

/** Samples/s of onnxruntime-node run directly (blocking this thread, as a raw baseline may) at `batch`. */
async function rawOnnxruntime(file: string, batch: number): Promise<{ batch: number; samplesPerSec: number }> {
  const ort = await import('onnxruntime-node');
  const session = await ort.InferenceSession.create(file);
  try {
    const data = Float32Array.from({ length: batch * 512 }, () => Math.random() * 2 - 1);
    const feeds = { input: new ort.Tensor('float32', data, [batch, 512]) };
    for (let i = 0; i < 20; i++) await session.run(feeds);
    let runs = 0;
    const t0 = performance.now();
    while (performance.now() - t0 < 3000) {
      await session.run(feeds);
      runs++;
    }
    return { batch, samplesPerSec: (runs * batch) / ((performance.now() - t0) / 1000) };
  } finally {
    await session.release();
  }
}

/** (b) Small MLP: endpoint vs a fixed-body node:http server at c=64; c=1 p50 over HTTP minus in-process. */
async function partHttp(small: string, add: Add, log: (s: string) => void): Promise<void> {
  const plan64 = { concurrency: 64, durationMs: SECONDS * 1000 };
  const plan1 = { concurrency: 1, durationMs: Math.max(2, SECONDS / 2) * 1000 };
  const { endpoint64, endpoint1, sample } = await withServer(startServer([small], []), async (s) => {
    const endpoint64 = await loadServer(s.url, 'small', plan64);
    const endpoint1 = await loadServer(s.url, 'small', plan1);
    // One real answer, so the ceiling server sends a body of the same size.
    const sample = await (
      await fetch(`${s.url}/v2/models/small/infer`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          inputs: [{ name: 'input', shape: [1, 8], datatype: 'FP32', data: [0, 0, 0, 0, 0, 0, 0, 0] }],
        }),
      })
    ).text();
    return { endpoint64, endpoint1, sample };
  });
  log(`  endpoint c=64: ${endpoint64.throughput} req/s; c=1 p50 ${endpoint1.latency.p50} ms`);
  const body = Buffer.from(
    JSON.stringify({
      inputs: [{ name: 'input', shape: [1, 8], datatype: 'FP32', data: [0.1, -0.2, 0.3, -0.4, 0.5, -0.6, 0.7, -0.8] }],
    }),
  );
  const ceiling = await withServer(startFixedServer(sample), (s) =>
    loadUrl(`${s.url}/v2/models/small/infer`, body, plan64),
  );
  log(`  fixed-body node:http c=64: ${ceiling.throughput} req/s`);
  const model = await openLocalModel(small, { cwd: process.cwd(), registry: () => Promise.reject(new Error('none')) });
  const { target } = await openInProcessTarget(model, { batch: 1, timeoutMs: 30_000 });
  let inProc;
  try {
    inProc = await runLoadTest(target, { mode: 'closed', warmupRequests: 200, ...plan1 });
  } finally {
    await target.close();
  }
  log(`  in-process c=1 p50 ${inProc.latency.p50} ms`);
  add('small MLP, endpoint throughput c=64', endpoint64.throughput, 'req/s', `keep-alive, ${SECONDS} s, ${NOTE_CORES}`);
  add('small MLP, endpoint p99 c=64', endpoint64.latency.p99, 'ms');
  add('fixed-body node:http throughput c=64', ceiling.throughput, 'req/s', 'the HTTP ceiling, same load generator');
  add('small MLP, endpoint / HTTP ceiling', endpoint64.throughput / ceiling.throughput, 'ratio', 'target >= 0.8');
  add('small MLP, endpoint p50 c=1', endpoint1.latency.p50, 'ms');
  add('small MLP, in-process p50 c=1', inProc.latency.p50, 'ms', 'worker-pool runner, no HTTP');
  add(
    'small MLP, endpoint p50 - in-process p50 (c=1)',
    endpoint1.latency.p50 - inProc.latency.p50,
    'ms',
    'target <= 0.15 ms',
  );
}

/** (c) 20 promote / roll back cycles of the served alias during a c=16 run: failed requests. */
async function partSwap(tmp: string, add: Add, log: (s: string) => void): Promise<void> {
  const regDir = path.join(tmp, 'registry');
  const reg = await EmbeddedRegistry.open(regDir, { create: true });
  try {
    for (const seed of [11, 12]) {
      const f = path.join(tmp, `swap${seed}.onnx`);
      writeFileSync(f, buildMlp({ inputDim: 8, hidden: [32, 32], outputDim: 2, seed }));
      await reg.pushVersion({ filePath: f, model: 'swap' }, ctx);
    }
    await reg.promote('swap', 'production', 1, ctx);
    await withServer(startServer(['models:/swap@production'], ['--registry', regDir]), async (s) => {
      const stop = new AbortController();
      const load = loadServer(
        s.url,
        'swap',
        { concurrency: 16, durationMs: 600_000, warmupRequests: 100 },
        stop.signal,
      );
      const swapMs: number[] = [];
      try {
        await waitVersion(s.url, '1');
        for (let i = 0; i < SWAPS; i++) {
          const t0 = performance.now();
          await reg.promote('swap', 'production', 2, ctx);
          await waitVersion(s.url, '2');
          await reg.rollback('swap', 'production', ctx);
          await waitVersion(s.url, '1');
          swapMs.push((performance.now() - t0) / 2);
        }
      } finally {
        stop.abort();
      }
      const r = await load;
      const failed = r.errorCount;
      log(`  ${SWAPS} cycles, ${r.latency.count + failed} requests, ${failed} failed`);
      add(
        'alias swap: failed requests',
        failed,
        'requests',
        `${SWAPS} promote + roll back cycles during a c=16 run; target 0`,
      );
      add('alias swap: requests answered meanwhile', r.latency.count, 'requests', `p99 ${r.latency.p99} ms`);
      add(
        'alias swap: alias move to serving the new version, mean',
        swapMs.reduce((a, b) => a + b, 0) / swapMs.length,
        'ms',
        'change notification, load, warm-up, switch',
      );
    });
  } finally {
    await reg.close();
  }
}

async function waitVersion(url: string, version: string, timeoutMs = 30_000): Promise<void> {
  const until = performance.now() + timeoutMs;
  for (;;) {
    const meta = (await (await fetch(`${url}/v2/models/swap`)).json()) as { versions?: string[] };
    if (meta.versions?.[0] === version) return;
    if (performance.now() > until)
      throw new Error(`the server did not switch to version ${version} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** (d) Peak RSS of one server process serving three models under a short load on each. */
async function partRss(files: string[], add: Add, log: (s: string) => void): Promise<void> {
  await withServer(startServer(files, []), async (s) => {
    const idle = s.rss();
    for (const f of files)
      await loadServer(s.url, path.basename(f, '.onnx'), { concurrency: 8, durationMs: 2000, warmupRequests: 50 });
    const peak = s.peakRss();
    log(`  peak RSS ${(peak / 2 ** 20).toFixed(0)} MiB (RSS after start ${(idle / 2 ** 20).toFixed(0)} MiB)`);
    add(
      'peak RSS, three models served',
      peak / 2 ** 20,
      'MiB',
      'small 8-32-32-2, medium 64-256-256-10, big 512-2048-2048-512 (25 MB); 2 s of c=8 load on each',
    );
    add('RSS after start, three models loaded', idle / 2 ** 20, 'MiB', 'every worker holds every model');
  });
}
