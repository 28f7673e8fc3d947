import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { runLoadTest, validatePlan } from '../../../../src/core/serving/loadtest/engine';
import { failed, type LoadTarget, OK, type SendOutcome } from '../../../../src/core/serving/loadtest/target';
import type { LoadTestPlan } from '../../../../src/core/serving/types';
import { isMlopsError } from '../../../../src/core/errors';

/**
 * Targets with known behaviour, standing in for a model: the engine's contract is LoadTarget, and these
 * make its answers (and stalls) exact.
 */
class CountingTarget implements LoadTarget {
  readonly name = 'counting';
  readonly seqs: number[] = [];
  constructor(private readonly answer: (seq: number) => SendOutcome = () => OK) {}
  async send(seq: number): Promise<SendOutcome> {
    this.seqs.push(seq);
    await new Promise((r) => setImmediate(r));
    return this.answer(seq);
  }
  async close(): Promise<void> {}
}

/**
 * One request at a time, like a single-threaded server; request `stallSeq` holds it for `stallMs`, so
 * every request behind it waits too.
 */
class StallingTarget implements LoadTarget {
  readonly name = 'stalling';
  private chain: Promise<unknown> = Promise.resolve();
  constructor(
    private readonly stallSeq: number,
    private readonly stallMs: number,
  ) {}
  send(seq: number): Promise<SendOutcome> {
    const p = this.chain.then(
      () => new Promise<SendOutcome>((r) => setTimeout(() => r(OK), seq === this.stallSeq ? this.stallMs : 0)),
    );
    this.chain = p;
    return p;
  }
  async close(): Promise<void> {}
}

const closed = (p: Partial<LoadTestPlan>): LoadTestPlan => ({
  mode: 'closed',
  concurrency: 4,
  warmupRequests: 0,
  ...p,
});

/** Requests of a report whose latency exceeded `ms`, from its log-spaced histogram (bars entirely above). */
function countAbove(report: { histogram: { le: number; count: number }[] }, ms: number): number {
  const h = report.histogram;
  let n = 0;
  for (let i = 1; i < h.length; i++) if (h[i - 1].le >= ms) n += h[i].count;
  return n;
}

describe('serving: load test engine', () => {
  it('closed loop sends exactly the requested count after the warm-up, and measures only those', async () => {
    const t = new CountingTarget();
    const r = await runLoadTest(t, closed({ concurrency: 8, requests: 200, warmupRequests: 30 }));
    assert.equal(t.seqs.length, 230);
    assert.deepEqual(
      [...t.seqs].sort((a, b) => a - b),
      Array.from({ length: 230 }, (_, i) => i),
    );
    assert.equal(r.latency.count, 200);
    assert.equal(r.errorCount, 0);
    assert.deepEqual(r.errors, {});
    assert.equal(r.cancelled, false);
    assert.ok(r.throughput > 0);
    assert.equal(r.target, 'counting');
    assert.equal(r.lateSends, undefined, 'late sends are an open-loop measure');
  });

  it('counts errors by kind, outside the latency percentiles', async () => {
    const t = new CountingTarget((seq) =>
      seq % 10 === 0 ? failed('http_503') : seq % 25 === 1 ? failed('timeout') : OK,
    );
    const r = await runLoadTest(t, closed({ requests: 100 }));
    assert.deepEqual(r.errors, { http_503: 10, timeout: 4 });
    assert.equal(r.errorCount, 14);
    assert.equal(r.latency.count, 86);
  });

  it('the per-second series adds up to the totals', async () => {
    const t = new CountingTarget((seq) => (seq % 7 === 0 ? failed('http_400') : OK));
    const r = await runLoadTest(t, closed({ concurrency: 2, durationMs: 2300 }));
    assert.ok(r.perSecond.length >= 2, `${r.perSecond.length} seconds`);
    assert.deepEqual(
      r.perSecond.map((s) => s.t),
      r.perSecond.map((_, i) => i),
    );
    const requests = r.perSecond.reduce((a, s) => a + s.requests, 0);
    const errors = r.perSecond.reduce((a, s) => a + s.errors, 0);
    assert.equal(requests, r.latency.count + r.errorCount);
    assert.equal(errors, r.errorCount);
    assert.ok(r.errorCount > 0);
    assert.ok(r.durationMs >= 2300);
  });

  it('open loop corrects coordinated omission: one 500 ms stall at 100 req/s delays ~50 requests, not 1', async () => {
    // One connection, as in the classic example: while the stall holds it, the requests due meanwhile
    // cannot even be sent. Measured from their intended send time, all of them show the stall.
    const open = await runLoadTest(new StallingTarget(50, 500), {
      mode: 'open',
      rate: 100,
      concurrency: 1,
      requests: 200,
      warmupRequests: 0,
    });
    const slowOpen = countAbove(open, 100);
    assert.ok(slowOpen >= 30 && slowOpen <= 100, `open loop: ${slowOpen} requests above 100 ms`);
    assert.ok(open.latency.p95 > 250, `open p95 ${open.latency.p95}`);
    // setTimeout counts from the event loop's cached clock, so a 500 ms stall can measure 499.x ms.
    assert.ok(open.latency.max >= 495, `open max ${open.latency.max}`);
    assert.equal(open.latency.count, 200);

    // The same stall under a closed loop hides behind the one request that met it.
    const closedR = await runLoadTest(new StallingTarget(50, 500), closed({ concurrency: 1, requests: 200 }));
    assert.ok(countAbove(closedR, 100) <= 3, `closed loop: ${countAbove(closedR, 100)} requests above 100 ms`);
    assert.ok(closedR.latency.max >= 495, `closed max ${closedR.latency.max}`);
    assert.ok(closedR.latency.p95 < 100, `closed p95 ${closedR.latency.p95}`);
  });

  it('open loop with spare connections: requests queued behind the stall also count from their intended time', async () => {
    const r = await runLoadTest(new StallingTarget(50, 500), {
      mode: 'open',
      rate: 100,
      concurrency: 64,
      requests: 200,
      warmupRequests: 0,
    });
    const slow = countAbove(r, 100);
    assert.ok(slow >= 30 && slow <= 100, `${slow} requests above 100 ms`);
  });

  it('open loop counts late sends when its connection limit holds requests back', async () => {
    const r = await runLoadTest(new StallingTarget(20, 500), {
      mode: 'open',
      rate: 100,
      concurrency: 1,
      requests: 120,
      warmupRequests: 0,
    });
    assert.ok(r.lateSends! >= 30, `late sends ${r.lateSends}`);
    assert.ok(r.maxSendLagMs! >= 400, `max lag ${r.maxSendLagMs}`);
    assert.ok(countAbove(r, 100) >= 30);
  });

  it('open loop by duration schedules rate x duration requests', async () => {
    const t = new CountingTarget();
    const r = await runLoadTest(t, { mode: 'open', rate: 200, concurrency: 16, durationMs: 500, warmupRequests: 5 });
    assert.equal(r.latency.count, 100);
    assert.equal(t.seqs.length, 105);
  });

  it('cancellation returns a partial report marked cancelled, even when requests never answer', async () => {
    let answered = 0;
    const hanging: LoadTarget = {
      name: 'hanging',
      send: (seq, signal) =>
        new Promise((resolve) => {
          // The first 20 answer; the rest hang until the run is cancelled.
          if (seq < 20) setTimeout(() => (answered++, resolve(OK)), 1);
          else signal.addEventListener('abort', () => resolve(failed('cancelled')));
        }),
      close: async () => undefined,
    };
    const ac = new AbortController();
    const progress: number[] = [];
    const started = performance.now();
    setTimeout(() => ac.abort(), 300);
    const r = await runLoadTest(hanging, closed({ concurrency: 2, durationMs: 60_000 }), {
      signal: ac.signal,
      onProgress: (p) => progress.push(p.completed),
      progressIntervalMs: 50,
    });
    assert.ok(performance.now() - started < 30_000, 'returned long before the planned minute');
    assert.equal(r.cancelled, true);
    assert.equal(r.latency.count, 20);
    assert.equal(answered, 20);
    assert.deepEqual(r.errors, {}, 'requests cut short by the cancel are not errors');
    assert.ok(progress.length > 0 && progress.every((n) => n <= 20));
  });

  it('an already-aborted signal gives an empty cancelled report without sending', async () => {
    const t = new CountingTarget();
    const ac = new AbortController();
    ac.abort();
    const r = await runLoadTest(t, closed({ requests: 10, warmupRequests: 5 }), { signal: ac.signal });
    assert.equal(r.cancelled, true);
    assert.equal(t.seqs.length, 0);
    assert.equal(r.latency.count, 0);
  });

  it('progress reports the warm-up, then the measured share, never going back', async () => {
    const phases = new Set<string>();
    const fractions: number[] = [];
    const slow: LoadTarget = {
      name: 'slow',
      send: () => new Promise((r) => setTimeout(() => r(OK), 5)),
      close: async () => undefined,
    };
    await runLoadTest(slow, closed({ concurrency: 1, requests: 40, warmupRequests: 20 }), {
      onProgress: (p) => {
        phases.add(p.phase);
        if (p.phase === 'measure') fractions.push(p.fraction);
        else assert.equal(p.fraction, 0);
      },
      progressIntervalMs: 20,
    });
    assert.deepEqual([...phases].sort(), ['measure', 'warmup']);
    assert.ok(
      fractions.every((f, i) => f >= 0 && f <= 1 && (i === 0 || f >= fractions[i - 1])),
      String(fractions),
    );
  });

  it('a target that throws is counted as an internal error, not a crash', async () => {
    const bad: LoadTarget = {
      name: 'bad',
      send: () => Promise.reject(new Error('bug')),
      close: async () => undefined,
    };
    const r = await runLoadTest(bad, closed({ requests: 5 }));
    assert.deepEqual(r.errors, { internal: 5 });
  });

  it('rejects plans out of bounds with INVALID_ARGUMENT', () => {
    const bad: Partial<LoadTestPlan>[] = [
      { concurrency: 0, requests: 1 },
      { concurrency: 1e6, requests: 1 },
      { requests: 0 },
      { durationMs: 5 },
      {},
      { mode: 'open', requests: 5 },
      { mode: 'open', rate: 1e9, requests: 5 },
      { requests: 5, warmupRequests: -1 },
      { requests: Number.NaN },
    ];
    for (const p of bad)
      assert.throws(
        () => validatePlan(closed(p)),
        (e: unknown) => isMlopsError(e, 'INVALID_ARGUMENT'),
        JSON.stringify(p),
      );
  });
});
