/**
 * Latency statistics over an HDR histogram (HdrHistogram, Gil Tene's design, through hdr-histogram-js):
 * values are kept at microsecond resolution with 3 significant digits, so a percentile is exact to 0.1%
 * of its value whatever the range (1 µs to minutes) and recording costs O(1) and no allocation.
 *
 * The pure-JS Int32 histogram is imported directly (not the package index, which also loads the
 * WebAssembly build) so the CLI bundle carries no wasm and never compiles any.
 */
import Int32Histogram from 'hdr-histogram-js/dist/Int32Histogram';
import type { LatencySummary } from '../serving/types';

const US_PER_MS = 1000;
/** Auto-resizing starts from here (1 s); longer latencies grow the histogram as needed. */
const INITIAL_HIGHEST_US = 1_000_000;

/** One bar of a log-spaced latency histogram: requests with latency <= `le` ms (and above the previous bar). */
export interface LatencyBucket {
  le: number;
  count: number;
}

export class LatencyRecorder {
  private readonly h = new Int32Histogram(1, INITIAL_HIGHEST_US, 3);
  private sumUs = 0;

  constructor() {
    this.h.autoResize = true;
  }

  get count(): number {
    return this.h.totalCount;
  }

  /** Records one latency in milliseconds (negative values, clock noise, count as 0). */
  record(ms: number): void {
    const us = toUs(ms);
    this.h.recordValue(us);
    this.sumUs += us;
  }

  /**
   * Closed-loop correction after the fact, as HdrHistogram's recordValueWithExpectedInterval does: a
   * latency longer than the interval the sender meant to keep also stands for the requests it could not
   * send meanwhile (latency - interval, latency - 2*interval, ...). Open-loop runs do not need it: they
   * measure each request from its intended send time, which is the stronger correction (wrk2).
   */
  recordWithExpectedInterval(ms: number, expectedIntervalMs: number): void {
    const us = toUs(ms);
    const interval = toUs(expectedIntervalMs);
    this.record(ms);
    if (interval <= 0) return;
    for (let missing = us - interval; missing >= interval; missing -= interval) {
      this.h.recordValue(missing);
      this.sumUs += missing;
    }
  }

  /** Adds every value another recorder holds. */
  add(other: LatencyRecorder): void {
    this.h.add(other.h);
    this.sumUs += other.sumUs;
  }

  /**
   * The value at a percentile (0-100), in ms: the highest value equivalent to it at the histogram's
   * precision, but never above the largest value recorded (so p99.9 <= max in every report).
   */
  percentile(p: number): number {
    return this.count === 0 ? 0 : fromUs(Math.min(this.h.getValueAtPercentile(p), this.h.maxValue));
  }

  summary(): LatencySummary {
    const n = this.count;
    if (n === 0) return { count: 0, min: 0, mean: 0, p50: 0, p90: 0, p95: 0, p99: 0, p999: 0, max: 0 };
    return {
      count: n,
      min: fromUs(this.minValue()),
      mean: round3(this.sumUs / n / US_PER_MS),
      p50: this.percentile(50),
      p90: this.percentile(90),
      p95: this.percentile(95),
      p99: this.percentile(99),
      p999: this.percentile(99.9),
      max: fromUs(this.h.maxValue),
    };
  }

  /**
   * Counts in log-spaced bars (ten per decade on the Renard R10 series 1, 1.25, 1.6, 2, 2.5, 3.2, 4, 5,
   * 6.3, 8 x 10^k ms), from the bar holding the fastest request to the one holding the slowest: readable
   * bounds, and the same shape whether requests take 50 µs or 5 s.
   */
  logHistogram(): LatencyBucket[] {
    if (this.count === 0) return [];
    const edges = logEdges(fromUs(this.minValue()), fromUs(this.h.maxValue));
    const counts = new Array<number>(edges.length).fill(0);
    let i = 0;
    forEachRecorded(this.h, (valueUs, count) => {
      const ms = valueUs / US_PER_MS;
      while (i < edges.length - 1 && ms > edges[i]) i++;
      counts[i] += count;
    });
    return edges.map((le, k) => ({ le, count: counts[k] }));
  }

  private minValue(): number {
    // minNonZeroValue ignores recorded zeros; a recorded 0 µs is the true minimum.
    return this.h.getValueAtPercentile(0) === 0 ? 0 : this.h.minNonZeroValue;
  }
}

/** Summary of a plain list of latencies (ms), through the same histogram. */
export function summarizeLatencies(values: Iterable<number>): LatencySummary {
  const r = new LatencyRecorder();
  for (const v of values) r.record(v);
  return r.summary();
}

const R10 = [1, 1.25, 1.6, 2, 2.5, 3.2, 4, 5, 6.3, 8];

/** Upper bounds of the R10 bars covering [minMs, maxMs]; the first bar holds everything up to its bound. */
export function logEdges(minMs: number, maxMs: number): number[] {
  const lo = Math.max(minMs, 0.001);
  const edges: number[] = [];
  let exp = Math.floor(Math.log10(lo)) - 1;
  for (;;) {
    for (const m of R10) {
      const e = round3(m * 10 ** exp);
      if (e < lo && edges.length === 0) continue;
      if (edges.length === 0 || e > edges[edges.length - 1]) edges.push(e);
      if (e >= maxMs) return edges;
    }
    exp++;
  }
}

function forEachRecorded(h: Int32Histogram, fn: (valueUs: number, count: number) => void): void {
  const it = h.recordedValuesIterator;
  it.reset();
  while (it.hasNext()) {
    const v = it.next();
    fn(v.valueIteratedTo, v.countAddedInThisIterationStep);
  }
}

function toUs(ms: number): number {
  return ms > 0 && Number.isFinite(ms) ? Math.round(ms * US_PER_MS) : 0;
}

function fromUs(us: number): number {
  return round3(us / US_PER_MS);
}

/** Microsecond precision in ms values (no 0.30000000000000004 in reports). */
function round3(v: number): number {
  return Math.round(v * 1000) / 1000;
}
