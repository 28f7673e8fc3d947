import { stat } from 'node:fs/promises';
import { cancelled, MlopsError } from '../../errors';
import type { ModelSignature } from '../../registry/types';
import type { InferRequest, InferResponse, ModelRunner, RequestTiming, ServedVersion } from '../types';
import { allocate, type Tensor } from './datatypes';
import { type ModelPlan, planModel } from './modelPlan';
import { OverloadedError } from './overloaded';
import { type PreparedRequest, prepareRequest } from './prepareRequest';
import { type BatchingOptions, type Outcome, type Pending, RequestQueue } from './requestQueue';
import { newCounters, type RunnerStats } from './runnerStats';
import { product } from './tensorCodec';
import type { WorkerPool } from './workerPool';
import type { LoadReport, ModelRef } from './workerProtocol';

export interface RunnerOptions {
  served: ServedVersion;
  /** A local, verified .onnx file. */
  modelPath: string;
  signature: ModelSignature;
  batching?: Partial<BatchingOptions>;
}

export type Runner = ModelRunner & {
  stats(): RunnerStats;
  /** How the model loaded in the first worker: load and warm-up times, a failed warm-up. */
  readonly load: LoadReport;
  /** The batching options in effect (defaults filled in). */
  readonly batching: BatchingOptions;
  /** Concurrent requests are merged: batching is on and every input's first dimension is dynamic. */
  readonly batchable: boolean;
};

/** The largest batch a runner takes (`--max-batch`, `mlops.serving.maxBatchSize`, `quantize --batch`). */
export const MAX_BATCH_SIZE = 4096;

export const DEFAULT_BATCHING: BatchingOptions = {
  enabled: true,
  maxBatchSize: 32,
  maxQueueDelayMs: 1,
  maxQueueSize: 1024,
};

function batchingOptions(o: Partial<BatchingOptions> | undefined): BatchingOptions {
  const b = { ...DEFAULT_BATCHING, ...Object.fromEntries(Object.entries(o ?? {}).filter(([, v]) => v !== undefined)) };
  const bad = (what: string) =>
    new MlopsError('INVALID_ARGUMENT', `Batching option ${what}.`, 'Fix the serving configuration.');
  if (!Number.isInteger(b.maxBatchSize) || b.maxBatchSize < 1) throw bad('maxBatchSize must be an integer >= 1');
  if (!Number.isInteger(b.maxQueueSize) || b.maxQueueSize < 1) throw bad('maxQueueSize must be an integer >= 1');
  if (!(b.maxQueueDelayMs >= 0)) throw bad('maxQueueDelayMs must be a number >= 0');
  return b;
}

/** A generated input (zeros, empty strings, dynamic dims = 1) to warm a session up; none without shapes. */
function warmupFeeds(plan: ModelPlan): Record<string, Tensor> | undefined {
  const feeds: Record<string, Tensor> = {};
  for (const p of plan.inputs) {
    if (p.shape === null) return undefined;
    const dims = p.shape.map((d) => (typeof d === 'number' ? d : 1));
    feeds[p.name] = { type: p.type, dims, data: allocate(p.type, product(dims)) };
  }
  return feeds;
}

/** "churn v3", or the file's name alone for a bare .onnx file (served as version 0). */
const servedLabel = (s: { model: string; version: number }) => (s.version > 0 ? `${s.model} v${s.version}` : s.model);

export async function createModelRunner(pool: WorkerPool, o: RunnerOptions): Promise<Runner> {
  pool.assertOpen();
  const label = servedLabel(o.served);
  const plan = planModel(o.signature, `The model ${label}`);
  const batching = batchingOptions(o.batching);
  try {
    await stat(o.modelPath);
  } catch {
    throw new MlopsError('NOT_FOUND', `The model file ${o.modelPath} does not exist.`, 'Fetch the model again.');
  }
  // Bare files may come without a hash: key them by path so two of them never share a session.
  const ref: ModelRef = { sha256: o.served.sha256 || `path:${o.modelPath}`, path: o.modelPath };
  const load = await pool.acquire(ref, warmupFeeds(plan));
  try {
    pool.assertOpen(); // closed while loading: the workers are going away
  } catch (e) {
    pool.release(ref.sha256);
    throw e;
  }
  const missing = [
    ...plan.inputs.filter((i) => !load.inputNames.includes(i.name)).map((i) => `input '${i.name}'`),
    ...plan.outputs.filter((o) => !load.outputNames.includes(o.name)).map((o) => `output '${o.name}'`),
  ];
  if (missing.length > 0) {
    pool.release(ref.sha256);
    throw new MlopsError(
      'INVALID_MODEL_FILE',
      `The signature of ${label} does not match its model file: onnxruntime finds no ${missing.join(', ')}.`,
      'Push the model again so its signature is read from the file.',
    );
  }
  const runner = new QueuedRunner(pool, o.served, plan, ref, batching, load);
  pool.runners.add(runner);
  return runner;
}

/** Validates, queues (batching with its peers), runs in the pool, answers; see requestQueue.ts. */
class QueuedRunner implements Runner {
  private readonly counters = newCounters();
  private readonly queue: RequestQueue;
  private closing: Promise<void> | undefined;
  private readonly label: string;
  private readonly versionText: string;

  constructor(
    private readonly pool: WorkerPool,
    readonly served: ServedVersion,
    private readonly plan: ModelPlan,
    private readonly ref: ModelRef,
    readonly batching: BatchingOptions,
    readonly load: LoadReport,
  ) {
    this.label = servedLabel(served);
    this.versionText = String(served.version);
    this.queue = new RequestQueue(ref, batching, this.counters, pool.workerCount);
    pool.addSource(this.queue);
  }

  /** Not async, and no closures per request beyond the promise's: this runs for every request. */
  infer(request: InferRequest, signal?: AbortSignal): Promise<{ response: InferResponse; timing: RequestTiming }> {
    const arrival = performance.now();
    let ticket: Ticket;
    try {
      ticket = this.admit(request, arrival, signal);
    } catch (e) {
      return Promise.reject(e);
    }
    // The ticket itself listens (handleEvent): no closure per request. A listener per signal for all its
    // requests would save ~0.5 us more, but a kept-alive connection's signal would then collect one
    // listener per runner it ever used (alias swaps make new runners) and warn past ten.
    if (signal) {
      ticket.signal = signal;
      signal.addEventListener('abort', ticket, { once: true });
    }
    this.queue.push(ticket);
    this.pool.scheduleSoon();
    return ticket.promise;
  }

  private admit(request: InferRequest, arrival: number, signal: AbortSignal | undefined): Ticket {
    if (this.closing)
      throw new MlopsError('UNAVAILABLE', `The model ${this.label} is no longer served here.`, 'Retry the request.');
    if (signal?.aborted) throw cancelled('The inference request');
    let prepared;
    try {
      prepared = prepareRequest(this.plan, request, this.batching.enabled && !this.queue.mergeBroken);
    } catch (e) {
      this.counters.requestInvalid++;
      throw e;
    }
    if (this.queue.queued >= this.batching.maxQueueSize) {
      this.counters.requestOverloaded++;
      throw new OverloadedError(
        `The model ${this.label} has ${this.queue.queued} requests waiting, its queue limit.`,
        this.retryAfterSeconds(),
      );
    }
    return new Ticket(this, prepared, arrival);
  }

  /** A request left the queue for good: answered, failed or cancelled. */
  finish(ticket: Ticket, outcome: Outcome | 'cancelled'): void {
    ticket.signal?.removeEventListener('abort', ticket);
    const c = this.counters;
    if (outcome === 'cancelled') {
      this.queue.remove(ticket);
      c.requestFailure++;
      return ticket.reject(cancelled('The inference request'));
    }
    if ('error' in outcome) {
      c.requestFailure++;
      return ticket.reject(this.runError(outcome.error));
    }
    const prepared = ticket.prepared;
    const response: InferResponse = {
      model_name: this.served.model,
      model_version: this.versionText,
      ...(prepared.id !== undefined ? { id: prepared.id } : {}),
      outputs: outcome.outputs,
    };
    c.requestSuccess++;
    c.queueMsTotal += outcome.queueMs;
    c.computeMsTotal += outcome.computeMs;
    const { queueMs, computeMs, batchSize, firstInRun } = outcome;
    ticket.resolve({
      response,
      timing: { queueMs, computeMs, totalMs: performance.now() - ticket.arrival, batchSize, firstInRun },
    });
  }

  /** Seconds until the queue has likely drained: queued batches x mean run time / workers (1..60). */
  private retryAfterSeconds(): number {
    const c = this.counters;
    const perRun = c.executionCount > 0 ? c.executionMsTotal / c.executionCount : 10;
    const runs = Math.ceil(this.queue.queued / (this.batching.enabled ? this.batching.maxBatchSize : 1));
    return Math.min(60, Math.max(1, Math.ceil((runs * perRun) / this.pool.workerCount / 1000)));
  }

  private runError(e: Error): Error {
    if (e instanceof MlopsError) return e;
    const outOfMemory = /failed to allocate memory|bad_alloc/i.test(e.message);
    return new MlopsError(
      'INTERNAL',
      `onnxruntime failed to run the model ${this.label}: ${e.message}`,
      outOfMemory
        ? 'onnxruntime ran out of memory for this run: send fewer rows at once (a smaller batch).'
        : 'The request matched the signature; check the model with these input values.',
    );
  }

  get batchable(): boolean {
    return this.batching.enabled && this.plan.inputsBatchable && !this.queue.mergeBroken;
  }

  stats(): RunnerStats {
    const queued = this.queue.queued;
    const inFlight = this.queue.inFlight;
    return {
      ...this.counters,
      batchSizes: { ...this.counters.batchSizes },
      queued,
      inFlight,
      pending: queued + inFlight,
    };
  }

  /** Drain: requests already accepted finish, new ones are refused; then the session is released. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.queue.flushing = true;
      this.pool.schedule();
      await this.queue.idle();
      this.pool.removeSource(this.queue);
      this.pool.runners.delete(this);
      this.pool.release(this.ref.sha256);
    })();
    return this.closing;
  }
}

type Answer = { response: InferResponse; timing: RequestTiming };

/** One request from admission to its single outcome (answer, failure or cancellation). */
class Ticket implements Pending, EventListenerObject {
  readonly promise: Promise<Answer>;
  resolve!: (a: Answer) => void;
  reject!: (e: Error) => void;
  /** The caller's abort signal, listened to until the outcome. */
  signal: AbortSignal | undefined;
  private settled = false;

  constructor(
    private readonly runner: QueuedRunner,
    readonly prepared: PreparedRequest,
    readonly arrival: number,
  ) {
    this.promise = new Promise<Answer>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }

  done(outcome: Outcome): void {
    if (this.settled) return;
    this.settled = true;
    this.runner.finish(this, outcome);
  }

  /** Its client went away ('abort'): out of the queue if still there; a run in progress goes on, unused. */
  handleEvent(): void {
    if (this.settled) return;
    this.settled = true;
    this.runner.finish(this, 'cancelled');
  }
}
