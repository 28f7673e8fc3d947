import assert from 'node:assert/strict';
import type { LoadTestReport } from '../../../src/core/serving/types';
import { loadTestExport } from '../../../src/extension/serving/loadTestExport';

const REPORT: LoadTestReport = {
  target: 'http://127.0.0.1:1/v2/models/m/infer',
  plan: { mode: 'closed', concurrency: 2, durationMs: 2000, warmupRequests: 4 },
  startedAt: '2026-01-01T00:00:00.000Z',
  durationMs: 2000,
  throughput: 10,
  latency: { count: 20, min: 1, mean: 2, p50: 2, p90: 3, p95: 3.5, p99: 4, p999: 4, max: 4 },
  errors: {},
  errorCount: 0,
  perSecond: [
    { t: 0, requests: 9, errors: 0, p50: 2, p95: 3, p99: 4 },
    { t: 1, requests: 11, errors: 1, p50: 2.5, p95: 3.5, p99: 4 },
  ],
  histogram: [{ le: 2, count: 10 }],
  cancelled: false,
};

describe('serving panel load-test export', () => {
  it('writes one CSV row per second, with a header', () => {
    assert.equal(
      loadTestExport(REPORT, 'csv'),
      'second,requests,errors,p50_ms,p95_ms,p99_ms\n0,9,0,2,3,4\n1,11,1,2.5,3.5,4\n',
    );
  });

  it('writes the whole report as JSON', () => {
    assert.deepEqual(JSON.parse(loadTestExport(REPORT, 'json')), REPORT);
  });
});
