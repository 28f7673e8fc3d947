import assert from 'node:assert/strict';
import { LatencyRecorder, logEdges, summarizeLatencies } from '../../../src/core/stats/latency';

/** HDR histogram with 3 significant digits: a reported value is within 0.1% above the true one. */
function near(got: number, want: number, what: string): void {
  assert.ok(got >= want && got <= want * 1.001 + 0.001, `${what}: ${got} is not within 0.1% of ${want}`);
}

describe('stats: latency recorder (HDR histogram)', () => {
  it('percentiles of 1..1000 ms are the exact order statistics within HDR precision', () => {
    const s = summarizeLatencies(Array.from({ length: 1000 }, (_, i) => i + 1));
    assert.equal(s.count, 1000);
    near(s.min, 1, 'min');
    near(s.p50, 500, 'p50');
    near(s.p90, 900, 'p90');
    near(s.p95, 950, 'p95');
    near(s.p99, 990, 'p99');
    near(s.p999, 999, 'p99.9');
    near(s.max, 1000, 'max');
    assert.equal(s.mean, 500.5);
  });

  it('keeps microsecond resolution for fast requests (values below 2048 µs are exact)', () => {
    const s = summarizeLatencies([0.05, 0.1, 0.2, 0.3, 1.5]);
    assert.equal(s.min, 0.05);
    assert.equal(s.p50, 0.2);
    assert.equal(s.max, 1.5);
    assert.equal(s.mean, 0.43);
  });

  it('percentiles never exceed the largest latency recorded', () => {
    // 91.3 ms sits in a 64 µs bucket whose highest equivalent value is above it.
    const s = summarizeLatencies([1, 2, 91.3]);
    assert.equal(s.max, 91.3);
    assert.equal(s.p99, 91.3);
    assert.equal(s.p999, 91.3);
  });

  it('an empty recorder summarises to zeros and an empty histogram', () => {
    const r = new LatencyRecorder();
    assert.deepEqual(r.summary(), { count: 0, min: 0, mean: 0, p50: 0, p90: 0, p95: 0, p99: 0, p999: 0, max: 0 });
    assert.deepEqual(r.logHistogram(), []);
  });

  it('negative and non-finite latencies (clock noise) count as 0, not as errors', () => {
    const r = new LatencyRecorder();
    r.record(-0.2);
    r.record(NaN);
    r.record(2);
    assert.equal(r.count, 3);
    assert.equal(r.summary().min, 0);
    assert.equal(r.summary().max, 2);
  });

  it('the log-spaced histogram covers min..max on the R10 series and its counts add up', () => {
    const values = [0.07, 0.08, 0.3, 0.31, 2, 45, 45, 900];
    const r = new LatencyRecorder();
    for (const v of values) r.record(v);
    const h = r.logHistogram();
    assert.equal(
      h.reduce((a, b) => a + b.count, 0),
      values.length,
    );
    assert.ok(h[0].le >= 0.07 && h[0].le < 0.1, `first bar ${h[0].le}`);
    assert.ok(h[h.length - 1].le >= 900);
    for (let i = 1; i < h.length; i++) assert.ok(h[i].le > h[i - 1].le);
    // Each value lands in the first bar whose bound holds it.
    const bar = (v: number) => h.find((b) => v <= b.le * 1.001)!;
    assert.equal(bar(45).count, 2);
    assert.equal(bar(0.3).count, 2);
    assert.equal(bar(900).count, 1);
  });

  it('logEdges are the R10 series (1, 1.25, 1.6, 2, 2.5, 3.2, 4, 5, 6.3, 8 x 10^k)', () => {
    assert.deepEqual(logEdges(0.9, 12), [1, 1.25, 1.6, 2, 2.5, 3.2, 4, 5, 6.3, 8, 10, 12.5]);
    assert.deepEqual(logEdges(5, 5), [5]);
  });

  it('closed-loop correction adds the requests a stalled sender could not send', () => {
    const r = new LatencyRecorder();
    r.recordWithExpectedInterval(100, 10);
    // 100, 90, 80, ..., 10: the stall stood in front of nine requests that were never sent.
    assert.equal(r.count, 10);
    near(r.summary().min, 10, 'min');
    near(r.summary().max, 100, 'max');
    const fast = new LatencyRecorder();
    fast.recordWithExpectedInterval(5, 10);
    assert.equal(fast.count, 1);
  });

  it('add() merges two recorders', () => {
    const a = new LatencyRecorder();
    const b = new LatencyRecorder();
    a.record(1);
    b.record(3);
    a.add(b);
    assert.equal(a.count, 2);
    assert.equal(a.summary().mean, 2);
  });
});
