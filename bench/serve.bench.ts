import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildMlp } from '../test/builders/mlpBuilder';
import { EmbeddedRegistry } from '../src/core/registry/embedded/embeddedRegistry';
import { binaryRequestBody } from '../src/core/serving/binaryTensors';
import {
  fetchServerModel,
  oipBody,
  openInProcessTarget,
  randomRequestPool,
  runLoadTest,
} from '../src/core/serving/loadtest';
import { openLocalModel } from '../src/core/serving/modelSource';
import { type BenchRow, type BenchSuite, round } from './harness';
import { poolSizing } from '../src/core/serving/runtime/sizing';
import {
  type Child,
  cpuPerRequest,
  figuresOf,
  type LoadFigures,
  loadServer,
  loadUrl,
  loadWrk,
  metric,
  rawOrt,
  startFixedServer,
  startServer,
  threadTicks,
  wrkPath,
} from './serveSupport';

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

/** The generator for the throughput and latency parts: wrk when installed, else the project's own. */
const WRK = wrkPath();
/** MLOPS_BENCH_BASELINE_CLI=<another build's dist/cli.js>: its server is measured too, in the same run. */
const BASELINE = process.env.MLOPS_BENCH_BASELINE_CLI;
const GENERATOR = WRK ? 'wrk (C, 1 thread)' : 'the Node load generator (install wrk for cleaner figures)';

/** How a benchmark run encodes tensors: JSON numbers, or Triton's binary tensor data (inputs and outputs). */
type Encoding = 'json' | 'binary';

/** One valid OIP request body for a served model, built from its metadata as `mlops loadtest` does. */
async function exampleBody(
  url: string,
  model: string,
  encoding: Encoding = 'json',
): Promise<{ body: Buffer; headers: Record<string, string> }> {
  const served = await fetchServerModel(url, model);
  const request = randomRequestPool(served.inputs, 1, 1)[0];
  if (encoding === 'json') return { body: oipBody(request), headers: {} };
  const { body, jsonLength } = binaryRequestBody(request, true);
  return {
    body,
    headers: { 'Content-Type': 'application/octet-stream', 'Inference-Header-Content-Length': String(jsonLength) },
  };
}

/** Closed-loop load on a served model with the benchmark's generator. */
async function load(
  url: string,
  model: string,
  plan: { concurrency: number; durationMs: number },
  encoding: Encoding = 'json',
): Promise<LoadFigures> {
  if (!WRK) return figuresOf(await loadServer(url, model, plan, undefined, encoding === 'binary'));
  const { body, headers } = await exampleBody(url, model, encoding);
  return loadWrk(WRK, `${url}/v2/models/${model}/infer`, body, { ...plan, headers });
}

/** The same load on any URL with a fixed body (the HTTP-ceiling server has no metadata). */
async function loadFixed(url: string, body: Buffer, plan: { concurrency: number; durationMs: number }) {
  return WRK ? loadWrk(WRK, url, body, plan) : figuresOf(await loadUrl(url, body, plan));
}

/** A load run on a started server with its mean batch size and the server's CPU per request (main / other threads). */
async function measureServer(
  s: Child,
  model: string,
  plan: { concurrency: number; durationMs: number },
  encoding: Encoding = 'json',
) {
  const pid = s.proc.pid as number;
  const answered = () => metric(s.url, 'mlops_inference_request_success_total', model);
  const [ticks0, n0] = [threadTicks(pid), await answered()];
  const r = await load(s.url, model, plan, encoding);
  const [ticks1, n1] = [threadTicks(pid), await answered()];
  const rows = await metric(s.url, 'mlops_inference_count_total', model);
  const runs = await metric(s.url, 'mlops_inference_exec_count_total', model);
  return { r, meanBatch: rows / runs, cpu: cpuPerRequest(pid, ticks0, ticks1, n1 - n0) };
}

/**
 * (a) Batched vs unbatched endpoint on the big MLP at c=16, and raw onnxruntime at the batch size reached.
 * Raw onnxruntime runs with the server's thread settings (its workers x intra-op threads, one session per
 * worker) and, for comparison with earlier runs, as one session with onnxruntime's default threads. Raw
 * batch 16 over raw batch 1 is the most batching can gain on this machine: the physical bound of the
 * batched / unbatched ratio, before any HTTP or JSON cost.
 */
async function partBatching(big: string, add: Add, log: (s: string) => void): Promise<void> {
  const plan = { concurrency: 16, durationMs: SECONDS * 1000 };
  const sizing = poolSizing({});
  const threads = `${sizing.workers} worker(s) x ${sizing.intraOpThreads} intra-op thread(s)`;
  const cpuText = (c: { main: number; other: number }) =>
    `HTTP thread ${c.main.toFixed(3)} + other threads ${c.other.toFixed(3)} ms`;
  const batched = await withServer(startServer([big], []), (s) => measureServer(s, 'big', plan));
  log(
    `  batched: ${batched.r.throughput} req/s, p99 ${batched.r.p99} ms, mean batch ${batched.meanBatch.toFixed(2)}, CPU/request ${cpuText(batched.cpu)}`,
  );
  const unbatched = await withServer(startServer([big], ['--no-batching']), (s) => measureServer(s, 'big', plan));
  log(`  unbatched: ${unbatched.r.throughput} req/s, p99 ${unbatched.r.p99} ms, CPU/request ${cpuText(unbatched.cpu)}`);
  // The same two endpoints with Triton's binary tensor data (as Triton's own clients send by default):
  // no text form of 512 floats to parse and write per request, so the HTTP thread keeps up with batching.
  const batchedBin = await withServer(startServer([big], []), (s) => measureServer(s, 'big', plan, 'binary'));
  log(
    `  batched, binary tensors: ${batchedBin.r.throughput} req/s, p99 ${batchedBin.r.p99} ms, mean batch ${batchedBin.meanBatch.toFixed(2)}, CPU/request ${cpuText(batchedBin.cpu)}`,
  );
  const unbatchedBin = await withServer(startServer([big], ['--no-batching']), (s) =>
    measureServer(s, 'big', plan, 'binary'),
  );
  log(
    `  unbatched, binary tensors: ${unbatchedBin.r.throughput} req/s, p99 ${unbatchedBin.r.p99} ms, CPU/request ${cpuText(unbatchedBin.cpu)}`,
  );
  if (BASELINE) {
    const base = await withServer(startServer([big], [], {}, BASELINE), (s) => measureServer(s, 'big', plan));
    log(
      `  batched, baseline build: ${base.r.throughput} req/s, p99 ${base.r.p99} ms, CPU/request ${cpuText(base.cpu)}`,
    );
    add(
      'big MLP, batched endpoint throughput, baseline build',
      base.r.throughput,
      'req/s',
      `${BASELINE}; p99 ${base.r.p99} ms`,
    );
    add('big MLP, this build / baseline build, batched throughput', batched.r.throughput / base.r.throughput, 'x');
    add(
      'big MLP, HTTP-thread CPU per request, baseline build',
      base.cpu.main,
      'ms',
      `this build ${batched.cpu.main.toFixed(3)} ms`,
    );
  }
  const batch = Math.max(1, Math.round(batched.meanBatch));
  const same = { inputDim: 512, sessions: sizing.workers, threads: sizing.intraOpThreads };
  const raw = await rawOrt(big, { ...same, batch });
  const rawDefault = await rawOnnxruntime(big, batch);
  const raw1 = await rawOrt(big, { ...same, batch: 1 });
  const raw16 = await rawOrt(big, { ...same, batch: 16 });
  // With two batches in flight per worker (one running, one waiting behind it), c clients make batches of
  // c / (2 x workers) rows: onnxruntime's own gain at that size is the ratio's ceiling when no worker idles.
  const half = Math.max(1, Math.floor(plan.concurrency / (2 * sizing.workers)));
  const rawHalf = half === batch ? raw : await rawOrt(big, { ...same, batch: half });
  log(
    `  raw onnxruntime at batch ${batch}: ${Math.round(raw)} samples/s (${threads}), ${Math.round(rawDefault.samplesPerSec)} (one session, default threads)`,
  );
  log(
    `  raw onnxruntime batch 1 / 16: ${Math.round(raw1)} / ${Math.round(raw16)} samples/s: batching gains at most ${(raw16 / raw1).toFixed(2)}x`,
  );
  const note = `closed loop c=16, batch-1 requests, ${SECONDS} s, ${GENERATOR}, ${NOTE_CORES}`;
  add('big MLP, batched endpoint throughput', batched.r.throughput, 'req/s', `${note}; server ${threads}`);
  add('big MLP, batched endpoint p99', batched.r.p99, 'ms');
  add('big MLP, unbatched endpoint throughput', unbatched.r.throughput, 'req/s', '--no-batching');
  add('big MLP, unbatched endpoint p99', unbatched.r.p99, 'ms');
  add(
    'big MLP, batched / unbatched throughput',
    batched.r.throughput / unbatched.r.throughput,
    'x',
    'target >= 4x, p99 no worse',
  );
  add('big MLP, batched / unbatched p99', batched.r.p99 / unbatched.r.p99, 'ratio', '<= 1: p99 no worse');
  add('big MLP, mean batch size reached', batched.meanBatch, 'rows/run', 'inference_count / exec_count');
  add('big MLP, server CPU per request, batched', batched.cpu.main + batched.cpu.other, 'ms', cpuText(batched.cpu));
  add(
    'big MLP, server CPU per request, unbatched',
    unbatched.cpu.main + unbatched.cpu.other,
    'ms',
    cpuText(unbatched.cpu),
  );
  add('big MLP, raw onnxruntime at that batch', raw, 'samples/s', `batch ${batch}, ${threads} as the server, no HTTP`);
  add(
    'big MLP, endpoint / raw onnxruntime',
    batched.r.throughput / raw,
    'ratio',
    'target >= 0.8; same thread settings',
  );
  add(
    'big MLP, raw onnxruntime at that batch, default threads',
    rawDefault.samplesPerSec,
    'samples/s',
    `batch ${batch}, one session on the main thread`,
  );
  add(
    'big MLP, endpoint / raw onnxruntime (default threads)',
    batched.r.throughput / rawDefault.samplesPerSec,
    'ratio',
    'as measured before',
  );
  const binNote = "Triton's binary tensor data in and out";
  add('big MLP, batched endpoint throughput, binary', batchedBin.r.throughput, 'req/s', `${binNote}; ${note}`);
  add('big MLP, batched endpoint p99, binary', batchedBin.r.p99, 'ms');
  add('big MLP, unbatched endpoint throughput, binary', unbatchedBin.r.throughput, 'req/s', '--no-batching');
  add('big MLP, unbatched endpoint p99, binary', unbatchedBin.r.p99, 'ms');
  add(
    'big MLP, batched / unbatched throughput, binary',
    batchedBin.r.throughput / unbatchedBin.r.throughput,
    'x',
    'target >= 4x, p99 no worse',
  );
  add('big MLP, batched / unbatched p99, binary', batchedBin.r.p99 / unbatchedBin.r.p99, 'ratio', '<= 1: p99 no worse');
  add('big MLP, mean batch size reached, binary', batchedBin.meanBatch, 'rows/run');
  add(
    'big MLP, server CPU per request, batched, binary',
    batchedBin.cpu.main + batchedBin.cpu.other,
    'ms',
    cpuText(batchedBin.cpu),
  );
  const batchBin = Math.max(1, Math.round(batchedBin.meanBatch));
  const rawBin = batchBin === batch ? raw : await rawOrt(big, { ...same, batch: batchBin });
  add(
    'big MLP, endpoint / raw onnxruntime, binary',
    batchedBin.r.throughput / rawBin,
    'ratio',
    `target >= 0.8; raw ${Math.round(rawBin)} samples/s at batch ${batchBin}, same thread settings`,
  );
  add('big MLP, raw onnxruntime batch 1', raw1, 'samples/s', threads);
  add('big MLP, raw onnxruntime batch 16', raw16, 'samples/s', threads);
  add('big MLP, raw batch 16 / batch 1', raw16 / raw1, 'x', 'the most batching can gain here (bound of the 4x goal)');
  add(
    `big MLP, raw batch ${half} / batch 1`,
    rawHalf / raw1,
    'x',
    `c=${plan.concurrency} in batches of ${half}, two in flight per worker: the ceiling when no worker idles`,
  );
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

/**
 * (b) Small MLP: endpoint vs a fixed-body node:http server at c=64 (same generator); at c=1 the endpoint's
 * p50 minus the in-process runner's p50, and minus the fixed-body server's p50 (the HTTP floor).
 */
async function partHttp(small: string, add: Add, log: (s: string) => void): Promise<void> {
  const plan64 = { concurrency: 64, durationMs: SECONDS * 1000 };
  const plan1 = { concurrency: 1, durationMs: Math.max(2, SECONDS / 2) * 1000 };
  const { endpoint64, endpoint1, sample, body } = await withServer(startServer([small], []), async (s) => {
    const endpoint64 = await load(s.url, 'small', plan64);
    const endpoint1 = await load(s.url, 'small', plan1);
    const { body } = await exampleBody(s.url, 'small');
    // One real answer, so the ceiling server sends a body of the same size.
    const sample = await (
      await fetch(`${s.url}/v2/models/small/infer`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: body.toString(),
      })
    ).text();
    return { endpoint64, endpoint1, sample, body };
  });
  log(`  endpoint c=64: ${endpoint64.throughput} req/s; c=1 p50 ${endpoint1.p50} ms`);
  if (BASELINE) {
    const base = await withServer(startServer([small], [], {}, BASELINE), (s) => load(s.url, 'small', plan64));
    log(`  endpoint c=64, baseline build: ${base.throughput} req/s`);
    add(
      'small MLP, endpoint throughput c=64, baseline build',
      base.throughput,
      'req/s',
      `this build / baseline ${(endpoint64.throughput / base.throughput).toFixed(2)}x`,
    );
  }
  const { ceiling, floor } = await withServer(startFixedServer(sample), async (s) => ({
    ceiling: await loadFixed(`${s.url}/v2/models/small/infer`, body, plan64),
    floor: await loadFixed(`${s.url}/v2/models/small/infer`, body, plan1),
  }));
  log(`  fixed-body node:http c=64: ${ceiling.throughput} req/s; c=1 p50 ${floor.p50} ms`);
  const model = await openLocalModel(small, { cwd: process.cwd(), registry: () => Promise.reject(new Error('none')) });
  const { target } = await openInProcessTarget(model, { batch: 1, timeoutMs: 30_000 });
  let inProc;
  try {
    inProc = await runLoadTest(target, { mode: 'closed', warmupRequests: 200, ...plan1 });
  } finally {
    await target.close();
  }
  log(`  in-process c=1 p50 ${inProc.latency.p50} ms`);
  const note = `keep-alive, ${SECONDS} s, ${GENERATOR}, ${NOTE_CORES}`;
  add('small MLP, endpoint throughput c=64', endpoint64.throughput, 'req/s', note);
  add('small MLP, endpoint p99 c=64', endpoint64.p99, 'ms');
  add('fixed-body node:http throughput c=64', ceiling.throughput, 'req/s', 'the HTTP ceiling, same load generator');
  add('small MLP, endpoint / HTTP ceiling', endpoint64.throughput / ceiling.throughput, 'ratio', 'target >= 0.8');
  add('small MLP, endpoint p50 c=1', endpoint1.p50, 'ms', GENERATOR);
  add('fixed-body node:http p50 c=1', floor.p50, 'ms', 'the HTTP floor, same load generator');
  add('small MLP, in-process p50 c=1', inProc.latency.p50, 'ms', 'worker-pool runner, no HTTP');
  add('small MLP, endpoint p50 - in-process p50 (c=1)', endpoint1.p50 - inProc.latency.p50, 'ms', 'target <= 0.15 ms');
  add(
    'small MLP, endpoint p50 - HTTP floor p50 (c=1)',
    endpoint1.p50 - floor.p50,
    'ms',
    'what the server adds to a bare HTTP answer',
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
