import { setMaxListeners } from 'node:events';
import { performance } from 'node:perf_hooks';
import { MlopsError } from '../../errors';
import type { LoadTestPlan, LoadTestReport, LoadTestSecond } from '../types';
import { LoadTestTally } from './series';
import { failed, type LoadTarget, type SendOutcome } from './target';

/**
 * The load generator. Closed loop: `concurrency` senders, each sending its next request when the last
 * one is answered (what most benchmarks do; it under-reports stalls, since a stalled server also stops
 * the senders). Open loop: requests due at a fixed rate, each measured from the time it was *meant* to
 * be sent, so a stall counts against every request it delayed (coordinated omission corrected, as wrk2
 * and k6's arrival-rate executors do). Warm-up requests go first and are not measured.
 */

export interface LoadTestProgress {
  phase: 'warmup' | 'measure';
  /** Since the measured part began (0 during warm-up). */
  elapsedMs: number;
  completed: number;
  errors: number;
  inFlight: number;
  /** Share of the plan done (by count or by time, whichever is further), 0..1. */
  fraction: number;
  /** The last full second, for a live latency-over-time chart. */
  lastSecond?: LoadTestSecond;
}

export interface RunLoadTestOptions {
  /** Aborting stops the run at once; the report then holds what was measured and `cancelled: true`. */
  signal?: AbortSignal;
  onProgress?: (p: LoadTestProgress) => void;
  /** How often onProgress is called (default 250 ms). */
  progressIntervalMs?: number;
}

/** Open loop: a request sent this much later than intended counts as a late send (generator or connections saturated). */
export const LATE_SEND_MS = 10;

/** Bounds of a plan: wide enough for any real use, narrow enough to catch a typo (a rate of 1e9). */
export const PLAN_LIMITS = {
  concurrency: { min: 1, max: 10_000 },
  rate: { min: 0.1, max: 1_000_000 },
  requests: { min: 1, max: 100_000_000 },
  durationMs: { min: 100, max: 24 * 3_600_000 },
  warmupRequests: { min: 0, max: 1_000_000 },
} as const;

export function validatePlan(plan: LoadTestPlan): void {
  const check = (what: keyof typeof PLAN_LIMITS, v: number | undefined) => {
    if (v === undefined) return;
    const { min, max } = PLAN_LIMITS[what];
    if (!Number.isFinite(v) || v < min || v > max)
      throw new MlopsError('INVALID_ARGUMENT', `The load test's ${what} must be between ${min} and ${max}, got ${v}.`);
  };
  check('concurrency', plan.concurrency);
  check('rate', plan.rate);
  check('requests', plan.requests);
  check('durationMs', plan.durationMs);
  check('warmupRequests', plan.warmupRequests);
  if (plan.mode === 'open' && plan.rate === undefined)
    throw new MlopsError('INVALID_ARGUMENT', 'An open-loop load test needs a rate (requests per second).');
  if (plan.requests === undefined && plan.durationMs === undefined)
    throw new MlopsError('INVALID_ARGUMENT', 'A load test needs a request count or a duration.');
}

export async function runLoadTest(
  target: LoadTarget,
  plan: LoadTestPlan,
  opts: RunLoadTestOptions = {},
): Promise<LoadTestReport> {
  validatePlan(plan);
  return new LoadTestRun(target, plan, opts).run();
}

const now = () => performance.now();
/** A sender that never waits (an in-process target answering from a cache) still lets timers and aborts run. */
const YIELD_EVERY_MS = 10;

class LoadTestRun {
  private readonly tally = new LoadTestTally();
  private readonly stop = new AbortController();
  private cancelled = false;
  private phase: 'warmup' | 'measure' = 'warmup';
  private t0 = 0;
  private inFlight = 0;
  private issued = 0;
  private lateSends = 0;
  private maxSendLagMs = 0;
  private lastYield = now();
  private onCancel: () => void = () => undefined;

  constructor(
    private readonly target: LoadTarget,
    private readonly plan: LoadTestPlan,
    private readonly opts: RunLoadTestOptions,
  ) {
    // Every in-flight send listens for the cancel: as many listeners as the concurrency, not a leak.
    setMaxListeners(0, this.stop.signal);
  }

  async run(): Promise<LoadTestReport> {
    const cancelledP = new Promise<void>((resolve) => (this.onCancel = resolve));
    const abort = () => {
      this.cancelled = true;
      this.stop.abort();
      this.onCancel();
    };
    if (this.opts.signal?.aborted) abort();
    this.opts.signal?.addEventListener('abort', abort, { once: true });
    const ticker = this.opts.onProgress
      ? setInterval(() => this.progress(), this.opts.progressIntervalMs ?? 250)
      : undefined;
    ticker?.unref?.();
    let startedAt = new Date();
    try {
      if (!this.cancelled && this.plan.warmupRequests > 0) await Promise.race([this.warmup(), cancelledP]);
      this.phase = 'measure';
      startedAt = new Date();
      this.t0 = now();
      if (!this.cancelled)
        await Promise.race([this.plan.mode === 'open' ? this.openLoop() : this.closedLoop(), cancelledP]);
    } finally {
      if (ticker) clearInterval(ticker);
      this.opts.signal?.removeEventListener('abort', abort);
    }
    return this.report(startedAt, this.phase === 'measure' ? now() - this.t0 : 0);
  }

  private async warmup(): Promise<void> {
    let sent = 0;
    const sender = async () => {
      while (!this.cancelled && sent < this.plan.warmupRequests) {
        await this.send(sent++);
        await this.maybeYield();
      }
    };
    const n = Math.min(this.plan.concurrency, this.plan.warmupRequests);
    await Promise.all(Array.from({ length: n }, sender));
  }

  private async closedLoop(): Promise<void> {
    const { requests, durationMs } = this.plan;
    const sender = async () => {
      for (;;) {
        if (this.cancelled) return;
        if (requests !== undefined && this.issued >= requests) return;
        if (durationMs !== undefined && now() - this.t0 >= durationMs) return;
        const seq = this.plan.warmupRequests + this.issued++;
        const start = now();
        const outcome = await this.send(seq);
        if (this.cancelled) return;
        this.record(start, outcome);
        await this.maybeYield();
      }
    };
    await Promise.all(Array.from({ length: this.plan.concurrency }, sender));
  }

  private openLoop(): Promise<void> {
    const interval = 1000 / this.plan.rate!;
    const byDuration = this.plan.durationMs !== undefined ? Math.ceil(this.plan.durationMs / interval) : Infinity;
    const total = Math.min(this.plan.requests ?? Infinity, byDuration);
    const intended = (i: number) => this.t0 + i * interval;
    let due = 0;
    let sent = 0;
    let timer: NodeJS.Timeout | undefined;
    return new Promise<void>((resolve) => {
      this.stop.signal.addEventListener('abort', () => {
        if (timer) clearTimeout(timer);
        resolve();
      });
      const launch = (i: number) => {
        const lag = now() - intended(i);
        if (lag > LATE_SEND_MS) this.lateSends++;
        if (lag > this.maxSendLagMs) this.maxSendLagMs = lag;
        this.issued++;
        void this.send(this.plan.warmupRequests + i).then((outcome) => {
          if (this.cancelled) return;
          this.record(intended(i), outcome);
          pump();
        });
      };
      const pump = () => {
        if (this.cancelled) return;
        const t = now();
        while (due < total && intended(due) <= t) due++;
        // Due requests beyond the connection limit wait here; their latency still runs from intended().
        while (sent < due && this.inFlight < this.plan.concurrency) launch(sent++);
        if (sent >= total && this.inFlight === 0) return resolve();
        if (due < total && timer === undefined) {
          timer = setTimeout(
            () => {
              timer = undefined;
              pump();
            },
            Math.max(0, intended(due) - now()),
          );
        }
      };
      pump();
    });
  }

  private async send(seq: number): Promise<SendOutcome> {
    this.inFlight++;
    try {
      return await this.target.send(seq, this.stop.signal);
    } catch {
      // Targets report failures as outcomes; a throw is a bug in one, counted rather than ending the run.
      return failed('internal');
    } finally {
      this.inFlight--;
    }
  }

  private record(startMs: number, outcome: SendOutcome): void {
    const end = now();
    if (outcome.ok) this.tally.add((end - this.t0) / 1000, end - startMs);
    else this.tally.add((end - this.t0) / 1000, end - startMs, outcome.kind, outcome.message);
  }

  private async maybeYield(): Promise<void> {
    if (now() - this.lastYield < YIELD_EVERY_MS) return;
    await new Promise((r) => setImmediate(r));
    this.lastYield = now();
  }

  private progress(): void {
    const elapsedMs = this.phase === 'measure' ? now() - this.t0 : 0;
    const { requests, durationMs } = this.plan;
    const byCount = requests ? this.tally.completed / requests : 0;
    const byTime = durationMs ? elapsedMs / durationMs : 0;
    this.opts.onProgress?.({
      phase: this.phase,
      elapsedMs,
      completed: this.tally.completed,
      errors: this.tally.errorCount,
      inFlight: this.inFlight,
      fraction: this.phase === 'measure' ? Math.min(1, Math.max(byCount, byTime)) : 0,
      lastSecond: this.tally.lastFullSecond(Math.floor(elapsedMs / 1000)),
    });
  }

  private report(startedAt: Date, durationMs: number): LoadTestReport {
    const t = this.tally;
    return {
      target: this.target.name,
      plan: this.plan,
      startedAt: startedAt.toISOString(),
      durationMs: Math.round(durationMs * 1000) / 1000,
      throughput: durationMs > 0 ? Math.round((t.completed / (durationMs / 1000)) * 100) / 100 : 0,
      latency: t.latency.summary(),
      errors: { ...t.errors },
      ...(Object.keys(t.errorSamples).length > 0 ? { errorSamples: { ...t.errorSamples } } : {}),
      errorCount: t.errorCount,
      perSecond: t.series(),
      histogram: t.latency.logHistogram(),
      cancelled: this.cancelled,
      ...(this.plan.mode === 'open'
        ? { lateSends: this.lateSends, maxSendLagMs: Math.round(this.maxSendLagMs * 1000) / 1000 }
        : {}),
    };
  }
}
