import { MlopsError } from '../../errors';
import type { ResponseOutput } from '../types';
import { mergeFeeds, sliceOutputs, splittable, wholeOutputs } from './batchTensors';
import type { PreparedRequest } from './prepareRequest';
import type { RunnerCounters } from './runnerStats';
import type { Job, JobSource } from './workerPool';
import type { ModelRef } from './workerProtocol';

export interface BatchingOptions {
  /** Merge concurrent requests (when the signature allows it). Default true. */
  enabled: boolean;
  /** Rows per run at most. Default 32. A single request with more rows runs alone. */
  maxBatchSize: number;
  /** How long a request may be held for a fuller batch while the model is already busy. Default 1 ms. */
  maxQueueDelayMs: number;
  /** Requests waiting at most; past it new requests are refused with OVERLOADED. Default 1024. */
  maxQueueSize: number;
}

/** How long a burst of activity counts towards the batch cap after it ends (two windows: 0.5-1 s). */
const ACTIVITY_WINDOW_MS = 500;

export type Outcome =
  | { outputs: ResponseOutput[]; queueMs: number; computeMs: number; batchSize: number; firstInRun: boolean }
  | { error: Error };

export interface Pending {
  prepared: PreparedRequest;
  /** performance.now() at arrival. */
  arrival: number;
  done(outcome: Outcome): void;
}

/**
 * One runner's queue and its batching policy (Triton's dynamic batcher, with one addition):
 * - a batch goes as soon as it is full (maxBatchSize rows of mergeable requests);
 * - when none of this model's batches is running, the oldest request goes at once: nothing suggests more
 *   requests are coming, so holding it would only add latency (a lone client never waits for the delay).
 *   "At once" is the end of the event loop's turn (WorkerPool.scheduleSoon), so the requests read in the
 *   same turn go together;
 * - while one of its batches runs, a request is held at most maxQueueDelayMs for others to join, since
 *   concurrent traffic is what batching is for;
 * - beyond that a request waits only for a free worker, and while it waits newer requests join its batch.
 * Requests merge only with the same merge key (trailing dims and outputs); others are scanned past, in
 * arrival order. A request bigger than maxBatchSize runs alone. If onnxruntime fails on a merged batch,
 * its requests are re-run one at a time so only the one at fault fails; if a model's outputs turn out
 * not to follow the batch (first dim != rows), the same happens and the model is never merged again.
 */
export class RequestQueue implements JobSource {
  private items: Pending[] = [];
  private rowsByKey = new Map<string, number>();
  private inFlightBatches = 0;
  private inFlightRequests = 0;
  private queuedRows = 0;
  private inFlightRows = 0;
  /** Most rows queued or running at once, in this and the previous ACTIVITY_WINDOW_MS (batchCap). */
  private peakRows = 0;
  private lastPeakRows = 0;
  private peakSince = 0;
  private idleWaiters: (() => void)[] = [];
  /** Closing: send everything without waiting for fuller batches. */
  flushing = false;
  /** The model's outputs did not split by rows once: never merge again. */
  mergeBroken = false;

  constructor(
    private readonly ref: ModelRef,
    private readonly opts: BatchingOptions,
    private readonly counters: RunnerCounters,
    /** The pool's workers: each can run one batch and hold one more (batchCap). */
    private readonly workers = 1,
  ) {}

  /**
   * Rows per batch: maxBatchSize, or fewer under sustained traffic with fewer rows in play. With R rows
   * queued or running at once (the peak of this and the previous window) and W workers, batches of
   * R / (2W) keep two per worker in flight: one runs while the other's answers go out and its clients
   * send again, which is Triton's rule for throughput (concurrency = 2 x max batch x instances). One batch
   * taking every row leaves the worker idle through that round trip (at c=16 on the big MLP, 22-30% of
   * its time). A burst on a model idle for the previous window is not split: nothing else is coming.
   */
  private batchCap(): number {
    if (this.lastPeakRows === 0) return this.opts.maxBatchSize;
    const rows = Math.max(this.peakRows, this.lastPeakRows);
    return Math.max(1, Math.min(this.opts.maxBatchSize, Math.ceil(rows / (2 * this.workers))));
  }

  private noteActivity(now: number): void {
    if (now - this.peakSince > ACTIVITY_WINDOW_MS) {
      this.lastPeakRows = now - this.peakSince > 2 * ACTIVITY_WINDOW_MS ? 0 : this.peakRows;
      this.peakRows = 0;
      this.peakSince = now;
    }
    this.peakRows = Math.max(this.peakRows, this.queuedRows + this.inFlightRows);
  }

  get queued(): number {
    return this.items.length;
  }

  get inFlight(): number {
    return this.inFlightRequests;
  }

  push(p: Pending): void {
    const key = this.mergeBroken ? null : p.prepared.mergeKey;
    if (key === null) p.prepared.mergeKey = null;
    else this.rowsByKey.set(key, (this.rowsByKey.get(key) ?? 0) + p.prepared.rows);
    this.items.push(p);
    this.queuedRows += p.prepared.rows;
    this.noteActivity(p.arrival);
  }

  /** Takes a request out of the queue (cancelled before it ran); false when it already left. */
  remove(p: Pending): boolean {
    const i = this.items.indexOf(p);
    if (i < 0) return false;
    this.items.splice(i, 1);
    this.queuedRows -= p.prepared.rows;
    this.forget([p]);
    this.notifyIdle();
    return true;
  }

  readyAt(): number | undefined {
    const head = this.items[0];
    if (!head) return undefined;
    const key = head.prepared.mergeKey;
    const now = head.arrival;
    if (!this.opts.enabled || this.flushing || key === null || this.opts.maxQueueDelayMs <= 0) return now;
    if (this.inFlightBatches === 0) return now;
    if ((this.rowsByKey.get(key) ?? 0) >= this.batchCap()) return now;
    return head.arrival + this.opts.maxQueueDelayMs;
  }

  fullBatch(): boolean {
    const head = this.items[0];
    if (!head || this.flushing) return false;
    // A request that runs alone (batching off, a fixed first dimension, no merge partner possible) is a
    // whole batch already: it too may wait in a worker instead of here.
    const key = head.prepared.mergeKey;
    return key === null || (this.rowsByKey.get(key) ?? 0) >= this.batchCap();
  }

  oldest(): number {
    return this.items[0]?.arrival ?? Infinity;
  }

  take(): Job {
    const head = this.items[0];
    const batch = [head];
    let rows = head.prepared.rows;
    const key = head.prepared.mergeKey;
    if (key !== null) {
      const cap = this.batchCap();
      for (let i = 1; i < this.items.length && rows < cap; i++) {
        const p = this.items[i];
        if (p.prepared.mergeKey !== key || rows + p.prepared.rows > cap) continue;
        batch.push(p);
        rows += p.prepared.rows;
      }
    }
    const taken = new Set(batch);
    this.items = batch.length === 1 ? this.items.slice(1) : this.items.filter((p) => !taken.has(p));
    this.forget(batch);
    this.queuedRows -= rows;
    this.inFlightRows += rows;
    this.inFlightBatches++;
    this.inFlightRequests += batch.length;
    const requests = batch.map((p) => p.prepared);
    let endedAt = 0;
    return {
      ref: this.ref,
      feeds: batch.length === 1 ? head.prepared.feeds : mergeFeeds(requests),
      outputs: head.prepared.outputs,
      ended: () => {
        endedAt = performance.now();
        this.inFlightBatches--;
        this.inFlightRequests -= batch.length;
        this.inFlightRows -= rows;
      },
      settle: (outcome, dispatchedAt) => this.settle(batch, rows, outcome, dispatchedAt, endedAt),
    };
  }

  private forget(batch: Pending[]): void {
    for (const p of batch) {
      const key = p.prepared.mergeKey;
      if (key === null) continue;
      const left = (this.rowsByKey.get(key) ?? 0) - p.prepared.rows;
      if (left > 0) this.rowsByKey.set(key, left);
      else this.rowsByKey.delete(key);
    }
  }

  /** The run's time ends at `endedAt` (ended()), not at this call, which may come after the next dispatch. */
  private settle(
    batch: Pending[],
    rows: number,
    outcome: Parameters<Job['settle']>[0],
    dispatchedAt: number,
    endedAt: number,
  ): void {
    const computeMs = endedAt - dispatchedAt;
    const names = batch[0].prepared.outputs;
    if ('error' in outcome && batch.length > 1 && !(outcome.error instanceof MlopsError)) {
      // onnxruntime refused the merged batch (e.g. one request's index out of range): run each request
      // alone, at the head of the queue, so only the request that causes it fails.
      this.requeueAlone(batch);
    } else if ('error' in outcome) {
      for (const p of batch) p.done(outcome);
    } else if (batch.length > 1 && !splittable(outcome.outputs, names, rows)) {
      // The graph does not keep rows apart: run each request alone, and never merge again.
      this.mergeBroken = true;
      this.forget(this.items);
      for (const p of this.items) p.prepared.mergeKey = null;
      this.requeueAlone(batch);
    } else {
      const c = this.counters;
      c.executionCount++;
      c.executionMsTotal += computeMs;
      c.inferenceCount += rows;
      c.batchSizes[batch.length] = (c.batchSizes[batch.length] ?? 0) + 1;
      let start = 0;
      for (const p of batch) {
        const outputs =
          batch.length === 1
            ? wholeOutputs(outcome.outputs, names)
            : sliceOutputs(outcome.outputs, names, start, p.prepared.rows);
        start += p.prepared.rows;
        p.done({
          outputs,
          queueMs: dispatchedAt - p.arrival,
          computeMs,
          batchSize: batch.length,
          firstInRun: p === batch[0],
        });
      }
    }
    this.notifyIdle();
  }

  private requeueAlone(batch: Pending[]): void {
    for (const p of batch) p.prepared.mergeKey = null;
    this.items = [...batch, ...this.items];
    for (const p of batch) this.queuedRows += p.prepared.rows;
  }

  /** Resolves once nothing is queued or running (drain). */
  idle(): Promise<void> {
    if (this.items.length === 0 && this.inFlightBatches === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private notifyIdle(): void {
    if (this.items.length > 0 || this.inFlightBatches > 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}
