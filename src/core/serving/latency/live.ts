import { bucketQuantile } from './bucketQuantile';
import { readVersionCounters, type VersionCounters } from './metricsText';
import type { LatencyLine, LatencyPoint, LatencySnapshot } from './types';

/** How much live history an endpoint keeps (the panel draws all of it). */
export const LIVE_KEEP_MS = 10 * 60_000;

interface Kept {
  version: number;
  points: LatencyPoint[];
  /** Per-bucket duration counts of each point, so the totals can be re-estimated over the window. */
  buckets: number[][];
  bounds: number[];
}

const diff = (a: number, b: number) => Math.max(0, a - b);

/**
 * Live latency of a running server, per version: `sample()` (called every few seconds) turns the growth of
 * the server's cumulative metrics since the last sample into one point per version. Percentiles come
 * from the request-duration histogram's buckets (estimated, as Prometheus' histogram_quantile does);
 * queue, compute and batch size are exact means.
 */
export class LiveLatency {
  private last: Map<string, VersionCounters> | undefined;
  private lastAt = 0;
  private readonly kept = new Map<string, Kept>();

  constructor(
    private readonly metricsText: () => string,
    private readonly model: string,
    private readonly keepMs = LIVE_KEEP_MS,
  ) {}

  sample(now = Date.now()): void {
    const counters = readVersionCounters(this.metricsText());
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
      const ms = (q: number) => round3(bucketQuantile(q, c.durationBounds, buckets) * 1000);
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
        k = { version: c.version, points: [], buckets: [], bounds: c.durationBounds };
        this.kept.set(key, k);
      }
      k.points.push(point);
      k.buckets.push(buckets);
    }
    for (const k of this.kept.values()) {
      while (k.points.length && k.points[0].t < now - this.keepMs) {
        k.points.shift();
        k.buckets.shift();
      }
    }
  }

  snapshot(now = Date.now()): LatencySnapshot {
    const lines: LatencyLine[] = [];
    let requests = 0;
    let errors = 0;
    let bounds: number[] = [];
    let merged: number[] = [];
    let from = now;
    for (const k of [...this.kept.values()].sort((a, b) => b.version - a.version)) {
      if (k.points.length === 0) continue;
      lines.push({ version: k.version, role: 'primary', points: k.points.slice() });
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
    }
    const secs = Math.max(1e-3, (now - from) / 1000);
    const ms = (q: number) => round3(bucketQuantile(q, bounds, merged) * 1000);
    return {
      source: 'live',
      from,
      to: now,
      bucketMs: lines[0] && lines[0].points.length > 1 ? lines[0].points[1].t - lines[0].points[0].t : 0,
      lines,
      totals: {
        requests,
        errors,
        perSecond: lines.length ? requests / secs : 0,
        p50: ms(0.5),
        p95: ms(0.95),
        p99: ms(0.99),
      },
      notes: ['Percentiles are estimated from the server’s latency histogram buckets (0.5 ms, 1 ms, 2.5 ms, 5 ms, …).'],
    };
  }
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
