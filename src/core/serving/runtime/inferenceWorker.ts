import { statSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import type * as Ort from 'onnxruntime-node';
import { MlopsError } from '../../errors';
import type { Tensor } from './datatypes';
import { SessionCache } from './sessionCache';
import {
  type FromWorker,
  type LoadReport,
  type ModelRef,
  serializeError,
  type ToWorker,
  transferList,
  type WorkerConfig,
} from './workerProtocol';

/**
 * Inference worker thread (bundled as dist/inferenceWorker.js; tests run the tsc output beside this file).
 * onnxruntime-node's `session.run` blocks the thread it runs on, so sessions live here, never on the
 * main thread. Sessions are cached by artifact sha256 and evicted least-recently-used past the memory
 * budget; an evicted model is loaded again on its next run. Messages are handled one at a time, so a
 * session is never released while it runs.
 */
const config = workerData as WorkerConfig;
let ort: typeof Ort | undefined;

/** onnxruntime-node is loaded on first use only, in this thread only. */
function runtime(): typeof Ort {
  if (ort) return ort;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    ort = require('onnxruntime-node') as typeof Ort;
  } catch (e) {
    throw new MlopsError(
      'INTERNAL',
      `onnxruntime-node cannot be loaded: ${e instanceof Error ? e.message : String(e)}`,
      'Reinstall the extension or run `npm install` (onnxruntime-node ships binaries for linux, win32 and darwin/arm64).',
    );
  }
  return ort;
}

const cache = new SessionCache<Ort.InferenceSession>(config.memoryBudgetBytes, (_sha, session) => {
  session.release().catch(() => undefined);
});

async function open(ref: ModelRef): Promise<{ session: Ort.InferenceSession; loaded: boolean; loadMs: number }> {
  const cached = cache.get(ref.sha256);
  if (cached) return { session: cached, loaded: false, loadMs: 0 };
  const t0 = performance.now();
  const { InferenceSession } = runtime();
  let session: Ort.InferenceSession;
  try {
    session = await InferenceSession.create(ref.path, {
      intraOpNumThreads: config.intraOpThreads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
      // Run failures come back to the caller as errors; onnxruntime's own stderr copy would only be noise.
      logSeverityLevel: 4,
      // Spinning intra-op threads would take CPU from the HTTP thread and the other workers.
      extra: { session: { intra_op: { allow_spinning: '0' } } },
    });
  } catch (e) {
    throw new MlopsError(
      'INVALID_MODEL_FILE',
      `onnxruntime could not load ${ref.path}: ${e instanceof Error ? e.message : String(e)}`,
      'Check that the model opens in onnxruntime (opset and operators supported by onnxruntime 1.30).',
    );
  }
  cache.set(ref.sha256, session, statSync(ref.path).size);
  return { session, loaded: true, loadMs: performance.now() - t0 };
}

function toOrt(tensors: Record<string, Tensor>): Record<string, Ort.Tensor> {
  const { Tensor: OrtTensor } = runtime();
  const out: Record<string, Ort.Tensor> = {};
  for (const [name, t] of Object.entries(tensors)) out[name] = new OrtTensor(t.type, t.data, t.dims);
  return out;
}

async function load(m: Extract<ToWorker, { type: 'load' }>): Promise<LoadReport> {
  const { session, loaded, loadMs } = await open(m);
  const report: LoadReport = {
    loaded,
    loadMs,
    warmupMs: 0,
    inputNames: [...session.inputNames],
    outputNames: [...session.outputNames],
  };
  if (loaded && m.warmup) {
    const t0 = performance.now();
    try {
      await session.run(toOrt(m.warmup));
    } catch (e) {
      report.warmupError = e instanceof Error ? e.message : String(e);
    }
    report.warmupMs = performance.now() - t0;
  }
  return report;
}

async function run(m: Extract<ToWorker, { type: 'run' }>): Promise<{ outputs: Record<string, Tensor>; runMs: number }> {
  const { session } = await open(m);
  const t0 = performance.now();
  const result = await session.run(toOrt(m.feeds), m.outputs);
  const runMs = performance.now() - t0;
  const outputs: Record<string, Tensor> = {};
  for (const name of m.outputs) {
    const t = result[name];
    outputs[name] = { type: t.type as Tensor['type'], dims: [...t.dims], data: t.data as Tensor['data'] };
  }
  return { outputs, runMs };
}

function post(port: NonNullable<typeof parentPort>, msg: FromWorker): void {
  if (msg.type !== 'result') return port.postMessage(msg);
  try {
    port.postMessage(msg, transferList(msg.outputs));
  } catch {
    // A buffer onnxruntime cannot hand over (external memory): send copies instead.
    port.postMessage(msg);
  }
}

let chain: Promise<unknown> = Promise.resolve();
let crashOnNextRun = false;

function handle(port: NonNullable<typeof parentPort>, m: ToWorker): Promise<void> {
  switch (m.type) {
    case 'load':
      return load(m).then((r) => post(port, { type: 'loaded', id: m.id, ...r }));
    case 'run':
      if (crashOnNextRun) {
        setImmediate(() => {
          throw new Error('crash requested by a test');
        });
        return new Promise(() => undefined);
      }
      return run(m).then((r) => post(port, { type: 'result', id: m.id, ...r }));
    case 'shutdown':
      // Sessions are released first: a thread torn down inside onnxruntime can abort the whole process.
      cache.clear();
      process.exit(0);
      return Promise.resolve();
    case 'crash-on-next-run':
      crashOnNextRun = true;
      return Promise.resolve();
    case 'unload':
      cache.delete(m.sha256);
      return Promise.resolve();
    case 'inspect':
      post(port, {
        type: 'inspected',
        id: m.id,
        sessions: cache.list().map((e) => ({ sha256: e.key, bytes: e.bytes })),
      });
      return Promise.resolve();
  }
}

const port = parentPort;
if (port) {
  port.on('message', (m: ToWorker) => {
    chain = chain.then(() =>
      handle(port, m).catch((e: unknown) => {
        if ('id' in m) post(port, { type: 'error', id: m.id, error: serializeError(e) });
      }),
    );
  });
}
