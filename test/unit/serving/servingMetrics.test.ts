import assert from 'node:assert/strict';
import { ServingMetrics } from '../../../src/core/serving/server/servingMetrics';
import type { RequestTiming } from '../../../src/core/serving/types';
import { parsePrometheus } from '../../helpers/prometheus';

const V = { model: 'fraud', version: 3, sha256: 'a'.repeat(64) };
const KEY = 'mlops_inference_exec_count_total{model="fraud",version="3"}';

/** The timings of a run of `n` requests, as the runner gives them (the first one marked). */
function run(n: number): RequestTiming[] {
  return Array.from({ length: n }, (_, i) => ({
    queueMs: 1,
    computeMs: 2,
    totalMs: 3,
    batchSize: n,
    firstInRun: i === 0,
  }));
}

describe('serving metrics: model runs (exec count)', () => {
  it('counts each run once, in whole numbers, also when some of its answers were never written', () => {
    const m = new ServingMetrics();
    for (const t of run(7)) m.succeeded(V, t, 1);
    // A run of three whose last client went away before its answer was written: still one run.
    for (const t of run(3).slice(0, 2)) m.succeeded(V, t, 1);
    for (const t of run(1)) m.succeeded(V, t, 1);
    const text = m.render();
    assert.equal(parsePrometheus(text).get(KEY), 3);
    assert.match(text, new RegExp(`^${KEY.replace(/[{}]/g, '\\$&')} 3$`, 'm'), 'written as an integer');
    assert.equal(parsePrometheus(text).get('mlops_inference_count_total{model="fraud",version="3"}'), 10);
  });

  it('counts every request as a run when the timing does not say (a request computed alone)', () => {
    const m = new ServingMetrics();
    m.succeeded(V, { queueMs: 0, computeMs: 1, totalMs: 1, batchSize: 1 }, 4);
    m.succeeded(V, { queueMs: 0, computeMs: 1, totalMs: 1, batchSize: 1 }, 4);
    assert.equal(parsePrometheus(m.render()).get(KEY), 2);
  });
});
