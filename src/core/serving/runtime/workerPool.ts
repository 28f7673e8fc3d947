import { MlopsError } from '../../errors';
import type { Tensor } from './datatypes';
import { createModelRunner, type Runner, type RunnerOptions } from './runner';
import { poolSizing } from './sizing';
import { resolveWorkerPath } from './workerPath';
import type { CachedSession, FromWorker, LoadReport, ModelRef, WorkerConfig } from './workerProtocol';
import { WorkerSlot } from './workerSlot';

/** A run for a worker: one batch of one model, and what to do with its outcome. */
export interface Job {
  ref: ModelRef;
  feeds: Record<string, Tensor>;
  outputs: string[];
  /** The run is over (called first, before any other batch is dispatched): the queue's bookkeeping only. */
  ended(): void;
  /** `result` or `error`; `dispatchedAt` is when the job left the queue (performance.now()). */
  settle(outcome: { outputs: Record<string, Tensor>; runMs: number } | { error: Error }, dispatchedAt: number): void;
}

/** A runner's queue as the pool's scheduler sees it. */
export interface JobSource {
  /** When the next batch should go (performance.now() time; <= now: at once); undefined when empty. */
  readyAt(): number | undefined;
  /** Arrival time of the oldest queued request: the oldest goes first across models. */
  oldest(): number;
  /** The next batch is full: it may wait in a busy worker's queue, behind the run in progress. */
  fullBatch(): boolean;
  take(): Job;
}

export interface PoolOptions {
  /** Worker threads; default: one per core, at most 4. */
  workers?: number;
  /** onnxruntime intra-op threads per session; default: cores / workers (at least 1). */
  intraOpThreads?: number;
  /** Per worker: loaded model files past this many bytes evict the least recently used. Default 1 GiB. */
  memoryBudgetBytes?: number;
  /** The worker script; default: found beside the running code or in the package's dist/ (workerPath.ts). */
  workerPath?: string;
}

/** Consecutive workers dying before they answer anything: the script cannot start; stop respawning. */
const MAX_EARLY_DEATHS = 3;

/**
 * Worker threads running onnxruntime sessions, and the scheduler that hands them batches. Each worker
 * takes one run at a time; while all are busy, requests wait in their runner's queue, where they can
 * merge into bigger batches. Every model in use is loaded (and warmed up) in every worker, so any idle
 * worker can take any batch; a worker that dies is replaced and the models are loaded into the new one.
 */
export class WorkerPool {
  readonly workerCount: number;
  readonly intraOpThreads: number;
  private readonly slots: WorkerSlot[] = [];
  private readonly sources = new Set<JobSource>();
  private readonly models = new Map<string, { ref: ModelRef; warmup?: Record<string, Tensor>; refs: number }>();
  private timer: NodeJS.Timeout | undefined;
  private soon: NodeJS.Immediate | undefined;
  private timerAt = Infinity;
  private earlyDeaths = 0;
  private restarts = 0;
  private broken: MlopsError | undefined;
  /** No new runners (close() was called). */
  private closing = false;
  /** Workers are shutting down: their exits are not crashes. */
  private stopping = false;
  private closed: Promise<void> | undefined;
  private readonly script: string;
  private readonly config: WorkerConfig;
  /** Open runners (runner.ts adds and removes itself), drained when the pool closes. */
  readonly runners = new Set<{ close(): Promise<void> }>();

  private constructor(o: PoolOptions) {
    const sizing = poolSizing(o);
    this.workerCount = sizing.workers;
    this.intraOpThreads = sizing.intraOpThreads;
    this.script = resolveWorkerPath(o.workerPath);
    this.config = { intraOpThreads: sizing.intraOpThreads, memoryBudgetBytes: o.memoryBudgetBytes ?? 2 ** 30 };
    for (let i = 0; i < this.workerCount; i++) this.slots.push(this.spawn(i));
  }

  static create(o: PoolOptions = {}): WorkerPool {
    return new WorkerPool(o);
  }

  /** A runner for one model version; resolves once the model is loaded and warmed up in every worker. */
  createRunner(o: RunnerOptions): Promise<Runner> {
    return createModelRunner(this, o);
  }

  private spawn(index: number): WorkerSlot {
    return new WorkerSlot(index, this.script, this.config, (slot, code) => this.onExit(slot, code));
  }

  private onExit(slot: WorkerSlot, code: number): void {
    if (this.stopping || this.slots[slot.index] !== slot) return;
    this.earlyDeaths = slot.answered ? 0 : this.earlyDeaths + 1;
    if (this.earlyDeaths >= MAX_EARLY_DEATHS) {
      this.broken = new MlopsError(
        'INTERNAL',
        `The inference workers cannot start (${this.script} exited with code ${code}).`,
        'Rebuild with `node esbuild.mjs` and check that onnxruntime-node is installed.',
      );
      this.schedule();
      return;
    }
    const fresh = this.spawn(slot.index);
    this.slots[slot.index] = fresh;
    this.restarts++;
    // The replacement takes no batch before the models in use are loaded and warmed up again: the other
    // workers answer meanwhile (a load failing here shows again, as an error, on the model's next run).
    const loads = [...this.models.values()].map((m) =>
      fresh.call({ type: 'load', ...m.ref, warmup: copyTensors(m.warmup) }).catch(() => undefined),
    );
    fresh.loading = loads.length > 0;
    void Promise.all(loads).then(() => {
      fresh.loading = false;
      this.schedule();
    });
    this.schedule();
  }

  /** Loads a model into every worker (once per sha256); resolves after every load and warm-up. */
  async acquire(ref: ModelRef, warmup?: Record<string, Tensor>): Promise<LoadReport> {
    this.assertOpen();
    if (this.broken) throw this.broken;
    const known = this.models.get(ref.sha256);
    if (known) known.refs++;
    else this.models.set(ref.sha256, { ref, warmup, refs: 1 });
    try {
      const replies = await Promise.all(
        this.slots.map((s) => {
          const w = copyTensors(warmup);
          return s.call({ type: 'load', ...ref, warmup: w }, w);
        }),
      );
      const { type: _type, id: _id, ...report } = replies[0] as Extract<FromWorker, { type: 'loaded' }>;
      return report;
    } catch (e) {
      this.release(ref.sha256);
      throw e;
    }
  }

  /** One user of a model fewer; the last one unloads it from every worker. */
  release(sha256: string): void {
    const m = this.models.get(sha256);
    if (!m || --m.refs > 0) return;
    this.models.delete(sha256);
    for (const s of this.slots) s.send({ type: 'unload', sha256 });
  }

  addSource(source: JobSource): void {
    this.sources.add(source);
  }

  removeSource(source: JobSource): void {
    this.sources.delete(source);
  }

  /**
   * schedule() once the requests that arrived with this one are queued too: the HTTP server reads every
   * ready connection in one turn of the event loop, and setImmediate runs right after that turn. Called
   * on every enqueue. Scheduling at once instead sent the first request of each burst alone (measured on
   * the small MLP at c=64: 38% of runs held one request, each costing a worker hand-off), and ran the
   * scheduler once per request instead of once per turn. A lone request waits only for the turn to end.
   */
  scheduleSoon(): void {
    this.soon ??= setImmediate(() => {
      this.soon = undefined;
      this.schedule();
    });
  }

  /**
   * Hands ready batches to idle workers, oldest request first across models, and arms a timer for the
   * earliest batch that is waiting for its queue delay. Called on every enqueue, completion and timer.
   */
  schedule(): void {
    const now = performance.now();
    let next = Infinity;
    for (;;) {
      const slot = this.slots.find((s) => !s.busy && !s.exited);
      let best: JobSource | undefined;
      next = Infinity;
      for (const src of this.sources) {
        const at = src.readyAt();
        if (at === undefined) continue;
        if (at > now) next = Math.min(next, at);
        else if (!best || src.oldest() < best.oldest()) best = src;
      }
      if (!best) break;
      if (this.broken) {
        const job = best.take();
        job.ended();
        job.settle({ error: this.broken }, now);
        continue;
      }
      // A full batch does not wait for a worker to come back: it goes behind a worker's run, so the worker
      // starts it the moment that run ends instead of idling through the hand-off to this thread and back.
      const behind =
        slot ?? (best.fullBatch() ? this.slots.find((s) => s.jobs === 1 && !s.loading && !s.exited) : undefined);
      if (!behind) break;
      this.dispatch(behind, best.take(), now);
    }
    this.arm(next);
  }

  private arm(at: number): void {
    if (at === Infinity || at >= this.timerAt) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.timerAt = Infinity;
        this.schedule();
      },
      Math.max(0, Math.ceil(at - performance.now())),
    );
    // A held request always has a batch of its model in flight, which keeps the process alive.
    this.timer.unref();
  }

  /**
   * A finished run hands the worker its next batch before the finished one's requests are answered:
   * answering (slicing outputs, writing responses) takes the HTTP thread as long as a small model's run,
   * and the worker would sit idle through it. A failed run is settled first, since it may put its
   * requests back at the head of the queue to run alone.
   */
  private dispatch(slot: WorkerSlot, job: Job, at: number): void {
    const behind = slot.jobs > 0;
    slot.jobs++;
    // A batch queued behind another starts when that one ends (the worker runs them in order): its queue
    // time runs until then, not until it was handed over.
    const started = () => (behind ? Math.max(at, slot.lastEndedAt) : at);
    slot.call({ type: 'run', ...job.ref, feeds: job.feeds, outputs: job.outputs }, job.feeds).then(
      (m) => {
        const start = started();
        slot.jobs--;
        slot.lastEndedAt = performance.now();
        job.ended();
        this.schedule();
        const r = m as Extract<FromWorker, { type: 'result' }>;
        job.settle({ outputs: r.outputs, runMs: r.runMs }, start);
        // Settling may requeue (outputs that do not split by rows) and frees the queue's delay hold.
        this.schedule();
      },
      (e: unknown) => {
        const start = started();
        slot.jobs--;
        slot.lastEndedAt = performance.now();
        job.ended();
        job.settle({ error: e instanceof Error ? e : new Error(String(e)) }, start);
        this.schedule();
      },
    );
  }

  /** Why the pool cannot run anything (its workers cannot start), or undefined while it can. */
  get failure(): MlopsError | undefined {
    return this.broken;
  }

  /** Workers replaced after a crash since the pool started (for /metrics and tests). */
  get workerRestarts(): number {
    return this.restarts;
  }

  /** Which workers are running a batch now (for diagnostics and tests). */
  busyWorkers(): number[] {
    return this.slots.filter((s) => s.busy).map((s) => s.index);
  }

  /** Runs sent to each worker and not answered yet: 1 running, 2 with a full batch waiting behind it. */
  runsInFlight(): number[] {
    return this.slots.map((s) => s.jobs);
  }

  /** What each worker holds (for diagnostics and tests). */
  async inspect(): Promise<{ index: number; busy: boolean; sessions: CachedSession[] }[]> {
    return Promise.all(
      this.slots.map(async (s) => {
        const m = (await s.call({ type: 'inspect' })) as Extract<FromWorker, { type: 'inspected' }>;
        return { index: s.index, busy: s.busy, sessions: m.sessions };
      }),
    );
  }

  /**
   * Test hook: worker `index` dies with an uncaught error when its next run arrives, as a crash would.
   * (There is no hook that terminates a worker mid-run: onnxruntime-node 1.30 aborts the whole process
   * when a thread is terminated inside `session.run`, so the pool only ever terminates idle workers.)
   */
  crashWorkerForTest(index: number): void {
    const slot = this.slots[index];
    if (!slot) throw new MlopsError('INVALID_ARGUMENT', `There is no worker ${index}.`);
    slot.send({ type: 'crash-on-next-run' });
  }

  assertOpen(): void {
    if (this.closing)
      throw new MlopsError('UNAVAILABLE', 'The inference pool is closed.', 'Start serving again to run inference.');
  }

  /** Drains every runner (accepted requests finish), then stops the workers (after any load in progress). */
  close(): Promise<void> {
    this.closed ??= (async () => {
      this.closing = true;
      await Promise.all([...this.runners].map((r) => r.close()));
      this.stopping = true;
      if (this.timer) clearTimeout(this.timer);
      if (this.soon) clearImmediate(this.soon);
      await Promise.all(this.slots.map((s) => s.shutdown()));
    })();
    return this.closed;
  }
}

/** Each worker gets its own copy: transferring a buffer detaches it, so one buffer cannot go to two. */
function copyTensors(t: Record<string, Tensor> | undefined): Record<string, Tensor> | undefined {
  if (!t) return undefined;
  const out: Record<string, Tensor> = {};
  for (const [k, v] of Object.entries(t)) out[k] = { ...v, data: v.data.slice() as Tensor['data'] };
  return out;
}
