import type { RecentLatencies } from '../server/servingMetrics';
import { bucketQuantile } from './bucketQuantile';
import { readVersionCounters, type VersionCounters } from './metricsText';
import { shadowNotes, sortRoles } from './roles';
import type { LatencyLine, LatencyPoint, LatencySnapshot, RoleInfo, ServingRole } from './types';

/** How much live history an endpoint keeps (the panel draws all of it). */
export const LIVE_KEEP_MS = 10 * 60_000;

interface Kept {
  version: number;
  points: LatencyPoint[];
  /** Per-bucket duration counts of each point, so the totals can be re-estimated over the window. */
  buckets: number[][];
  /**
   * Each point's latencies (sorted; an even subsample past KEEP_PER_POINT) and how many requests each
   * stands for, so the window's totals weigh a busy point as much as its traffic.
   */
  samples: ({ ms: Float64Array; weight: number } | undefined)[];
  bounds: number[];
}

/** Latencies kept per point for the window's totals (300 points of 10 minutes: 150,000 numbers at most). */
const KEEP_PER_POINT = 500;

/** Nearest-rank quantile of sorted values (as the CLI's summary line and the load tester compute it). */
function quantile(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  return n === 0 ? 0 : sorted[Math.min(n - 1, Math.max(0, Math.ceil(q * n) - 1))];
}

/** The smallest value whose cumulative weight reaches q of the total (nearest rank, weighted). */
function weightedQuantile(sorted: readonly { v: number; w: number }[], q: number): number {
  const total = sorted.reduce((a, x) => a + x.w, 0);
  if (total === 0) return 0;
  let seen = 0;
  for (const x of sorted) {
    seen += x.w;
    if (seen >= q * total - 1e-9) return x.v;
  }
  return sorted[sorted.length - 1].v;
}

function evenSubsample(sorted: Float64Array, k: number): Float64Array {
  if (sorted.length <= k) return sorted;
  return Float64Array.from({ length: k }, (_, i) => sorted[Math.floor(((i + 0.5) * sorted.length) / k)]);
}

const diff = (a: number, b: number) => Math.max(0, a - b);

/**
 * Live latency of a running server, per version: `sample()` (called every few seconds) turns the growth of
 * the server's cumulative metrics since the last sample into one point per version. Percentiles are exact
 * when the server hands over its request latencies (`takeLatencies`, ServingMetrics.takeRecentLatencies);
 * otherwise they are estimated from the request-duration histogram's buckets, as Prometheus'
 * histogram_quantile does. Queue, compute and batch size are exact means. `roles` (servedRoles) says what
 * part each version plays (the metrics are per version only): a line is labelled with the role its
 * version had at the last sample that saw it in one.
 */
export class LiveLatency {
  private last: Map<string, VersionCounters> | undefined;
  private lastAt = 0;
  private readonly kept = new Map<string, Kept>();
  private served: RoleInfo[] = [];
  private readonly roleOf = new Map<number, ServingRole>();

  constructor(
    private readonly metricsText: () => string,
    private readonly model: string,
    private readonly keepMs = LIVE_KEEP_MS,
    private readonly takeLatencies?: () => RecentLatencies[],
    private readonly roles?: () => RoleInfo[],
  ) {}

  sample(now = Date.now()): void {
    if (this.roles) {
      this.served = sortRoles(this.roles());
      // A version in two roles at once (an alias moved onto the canary's version) shows the first one.
      for (const v of new Set(this.served.map((r) => r.version)))
        this.roleOf.set(v, this.served.find((r) => r.version === v)!.role);
    }
    const counters = readVersionCounters(this.metricsText());
    const exact = new Map<number, Float64Array>();
    for (const r of this.takeLatencies?.() ?? [])
      if (r.model === this.model) exact.set(r.version, Float64Array.from(r.ms).sort());
    const prev = this.last;
    const prevAt = this.lastAt;
    this.last = counters;
    this.lastAt = now;
    if (!prev) return;
    for (const [key, c] of counters) {
      if (c.model !== this.model) continue;
      const p = prev.get(key);
      const zero = { success: 0, failure: 0, queueSum: 0, queueCount: 0, computeSum: 0, computeCount: 0 };
      const b = p ?? { ...zero, batchSum: 0, batchCount: 0, durationCounts: [] as number[] };
      const buckets = c.durationCounts.map((n, i) => diff(n, b.durationCounts[i] ?? 0));
      const ok = diff(c.computeCount, b.computeCount);
      const requests = diff(c.success, b.success) + diff(c.failure, b.failure);
      const sorted = this.takeLatencies ? (exact.get(c.version) ?? new Float64Array(0)) : undefined;
      const ms = (q: number) =>
        round3(sorted ? quantile(sorted, q) : bucketQuantile(q, c.durationBounds, buckets) * 1000);
      const point: LatencyPoint = {
        t: prevAt,
        requests,
        errors: diff(c.failure, b.failure),
        p50: ms(0.5),
        p95: ms(0.95),
        p99: ms(0.99),
        queueMs: ok ? round3((diff(c.queueSum, b.queueSum) / ok) * 1000) : 0,
        computeMs: ok ? round3((diff(c.computeSum, b.computeSum) / ok) * 1000) : 0,
        batchSize: ok ? round3(diff(c.batchSum, b.batchSum) / diff(c.batchCount, b.batchCount) || 0) : 0,
      };
      let k = this.kept.get(key);
      if (!k) {
        k = { version: c.version, points: [], buckets: [], samples: [], bounds: c.durationBounds };
        this.kept.set(key, k);
      }
      k.points.push(point);
      k.buckets.push(buckets);
      const sub = sorted && evenSubsample(sorted, KEEP_PER_POINT);
      k.samples.push(sub && { ms: sub, weight: sub.length ? sorted.length / sub.length : 0 });
    }
    for (const k of this.kept.values()) {
      while (k.points.length && k.points[0].t < now - this.keepMs) {
        k.points.shift();
        k.buckets.shift();
        k.samples.shift();
      }
    }
  }

  snapshot(now = Date.now()): LatencySnapshot {
    const lines: LatencyLine[] = [];
    let requests = 0;
    let errors = 0;
    let bounds: number[] = [];
    let merged: number[] = [];
    const kept: { v: number; w: number }[] = [];
    let exact = this.takeLatencies !== undefined;
    let from = now;
    for (const k of [...this.kept.values()].sort((a, b) => b.version - a.version)) {
      if (k.points.length === 0) continue;
      lines.push({ version: k.version, role: this.roleOf.get(k.version) ?? 'primary', points: k.points.slice() });
      from = Math.min(from, k.points[0].t);
      bounds = k.bounds;
      for (const p of k.points) {
        requests += p.requests;
        errors += p.errors;
      }
      for (const b of k.buckets) {
        if (merged.length < b.length) merged = [...merged, ...new Array<number>(b.length - merged.length).fill(0)];
        b.forEach((n, i) => (merged[i] += n));
      }
      for (const x of k.samples) {
        if (!x) exact = false;
        else for (const v of x.ms) kept.push({ v, w: x.weight });
      }
    }
    const secs = Math.max(1e-3, (now - from) / 1000);
    kept.sort((a, b) => a.v - b.v);
    const ms = (q: number) => round3(exact ? weightedQuantile(kept, q) : bucketQuantile(q, bounds, merged) * 1000);
    return {
      source: 'live',
      from,
      to: now,
      bucketMs: lines[0] && lines[0].points.length > 1 ? lines[0].points[1].t - lines[0].points[0].t : 0,
      lines,
      roles: this.served.slice(),
      totals: {
        requests,
        errors,
        perSecond: lines.length ? requests / secs : 0,
        p50: ms(0.5),
        p95: ms(0.95),
        p99: ms(0.99),
      },
      notes: [
        exact
          ? `Percentiles are exact per point; over the whole span they come from up to ${KEEP_PER_POINT} requests per point.`
          : 'Percentiles are estimated from the server’s latency histogram buckets (0.5 ms, 1 ms, 2.5 ms, 5 ms, …).',
        ...shadowNotes(this.served, lines),
      ],
    };
  }
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
