import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { bucketQuantile } from '../../../src/core/serving/latency/bucketQuantile';
import { latencyFromLog } from '../../../src/core/serving/latency/fromLog';
import { LiveLatency } from '../../../src/core/serving/latency/live';
import { servedRoles } from '../../../src/core/serving/latency/roles';
import { EmbeddedRegistry } from '../../../src/core/registry/embedded/embeddedRegistry';
import { logFileName } from '../../../src/core/serving/predlog/layout';
import { startServing, type RunningServer } from '../../../src/core/serving/serve';
import type { PredictionRecord } from '../../../src/core/serving/types';
import { request } from '../../helpers/http';
import { tempDir, writeModel } from '../../helpers/tmp';

describe('serving: latency over time (the Latency panel’s data)', function () {
  this.timeout(60_000);

  it('estimates a quantile from bucket counts as histogram_quantile does', () => {
    const bounds = [1, 2, 4];
    assert.equal(bucketQuantile(0.5, bounds, [0, 10, 0, 0]), 1.5);
    assert.equal(bucketQuantile(0.25, bounds, [10, 10, 0, 0]), 0.5);
    assert.equal(bucketQuantile(0.99, bounds, [0, 0, 1, 9]), 4, 'the +Inf bucket gives the highest bound');
    assert.equal(bucketQuantile(0.5, bounds, [0, 0, 0, 0]), 0);
  });

  describe('live, from a running server (real onnxruntime, real HTTP)', () => {
    let tmp: ReturnType<typeof tempDir>;
    let server: RunningServer;
    before(async () => {
      tmp = tempDir();
      writeModel(tmp.dir, 'iris.onnx', { inputDim: 4, hidden: [8], outputDim: 3, softmax: true });
      server = await startServing({ models: [path.join(tmp.dir, 'iris.onnx')], workers: 1, logRate: 0 });
    });
    after(async () => {
      await server?.close();
      tmp.cleanup();
    });

    it('turns the growth of the server metrics into one point per sample, per version', async () => {
      const live = new LiveLatency(() => server.metrics.render(), 'iris');
      const t0 = Date.now();
      live.sample(t0);
      const body = JSON.stringify({ inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 4], data: [1, 2, 3, 4] }] });
      for (let i = 0; i < 20; i++) {
        const r = await request('POST', `${server.url}/v2/models/iris/infer`, body);
        assert.equal(r.status, 200);
      }
      const bad = await request('POST', `${server.url}/v2/models/iris/infer`, '{"inputs":[{"name":"input"}]}');
      assert.equal(bad.status, 400);
      live.sample(t0 + 2000);
      live.sample(t0 + 4000); // nothing happened meanwhile
      const s = live.snapshot(t0 + 4000);
      assert.equal(s.source, 'live');
      assert.equal(s.lines.length, 1);
      assert.equal(s.lines[0].version, 0);
      const [p1, p2] = s.lines[0].points;
      assert.equal(p1.t, t0);
      assert.equal(p1.requests >= 20, true, JSON.stringify(p1));
      assert.ok(p1.p50 > 0 && p1.p99 >= p1.p95 && p1.p95 >= p1.p50, JSON.stringify(p1));
      assert.ok(p1.computeMs > 0 && p1.batchSize >= 1, JSON.stringify(p1));
      assert.deepEqual([p2.requests, p2.p50, p2.batchSize], [0, 0, 0]);
      assert.equal(s.bucketMs, 2000);
      assert.equal(s.totals.requests, p1.requests);
      assert.ok(s.totals.p50 > 0);
    });
    it('gives exact percentiles when the server hands over its request latencies', async () => {
      const live = new LiveLatency(
        () => server.metrics.render(),
        'iris',
        undefined,
        () => server.metrics.takeRecentLatencies(),
      );
      const t0 = Date.now();
      live.sample(t0);
      const body = JSON.stringify({ inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 4], data: [1, 2, 3, 4] }] });
      for (let i = 0; i < 40; i++)
        assert.equal((await request('POST', `${server.url}/v2/models/iris/infer`, body)).status, 200);
      live.sample(t0 + 2000);
      const s = live.snapshot(t0 + 2000);
      const [p1] = s.lines[0].points;
      assert.equal(p1.requests, 40);
      // Not the bucket bounds (0.5, 1, 2.5, 5 ms, ...) an estimate interpolates between: real values.
      assert.ok(p1.p50 > 0 && p1.p50 <= p1.p95 && p1.p95 <= p1.p99, JSON.stringify(p1));
      assert.deepEqual([s.totals.p50, s.totals.p95, s.totals.p99], [p1.p50, p1.p95, p1.p99]);
      assert.match(s.notes[0], /exact per point/);
    });

    it('weighs each point by its traffic in the totals, though a busy point keeps only a sample', () => {
      const fake: { model: string; version: number; ms: number[]; seen: number }[] = [];
      let served = 0;
      const counters = () =>
        `mlops_inference_request_success_total{model="iris",version="1"} ${served}\n` +
        `mlops_inference_request_duration_seconds_bucket{model="iris",version="1",le="+Inf"} ${served}`;
      const live = new LiveLatency(counters, 'iris', undefined, () => fake.splice(0));
      live.sample(0);
      served += 2000; // a busy 2 s: 2,000 requests of 1 ms
      fake.push({ model: 'iris', version: 1, ms: new Array<number>(2000).fill(1), seen: 2000 });
      live.sample(2000);
      served += 10; // a quiet 2 s: 10 requests of 100 ms
      fake.push({ model: 'iris', version: 1, ms: new Array<number>(10).fill(100), seen: 10 });
      live.sample(4000);
      const s = live.snapshot(4000);
      assert.deepEqual(
        s.lines[0].points.map((p) => [p.requests, p.p50, p.p99]),
        [
          [2000, 1, 1],
          [10, 100, 100],
        ],
      );
      // 10 of 2,010 requests took 100 ms: under 1%, so even p99 is 1 ms (unweighted, 10 of 510 kept would say 100).
      assert.deepEqual([s.totals.requests, s.totals.p50, s.totals.p99], [2010, 1, 1]);
    });

    it('keeps per version what the server measured: nearest-rank percentiles of exactly those latencies', () => {
      const fake = [
        { model: 'iris', version: 3, ms: [5, 1, 4, 2, 3], seen: 5 },
        { model: 'other', version: 1, ms: [100], seen: 1 },
      ];
      let counters = '';
      const take = () => fake.splice(0);
      const live = new LiveLatency(() => counters, 'iris', undefined, take);
      live.sample(0);
      counters = [
        'mlops_inference_request_success_total{model="iris",version="3"} 5',
        'mlops_inference_request_duration_seconds_bucket{model="iris",version="3",le="+Inf"} 5',
      ].join('\n');
      fake.push(
        { model: 'iris', version: 3, ms: [5, 1, 4, 2, 3], seen: 5 },
        { model: 'other', version: 1, ms: [100], seen: 1 },
      );
      live.sample(2000);
      const [p] = live.snapshot(2000).lines[0].points;
      assert.deepEqual([p.p50, p.p95, p.p99], [3, 5, 5]);
    });
  });

  describe('live, with a canary or a shadow beside the primary (embedded registry, real sessions)', () => {
    let tmp: ReturnType<typeof tempDir>;
    let registry: EmbeddedRegistry;
    const body = JSON.stringify({ inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 4], data: [1, 2, 3, 4] }] });
    before(async () => {
      tmp = tempDir();
      registry = await EmbeddedRegistry.open(path.join(tmp.dir, '.mlops'), { create: true });
      for (const seed of [1, 2, 3]) {
        const file = writeModel(tmp.dir, `m${seed}.onnx`, { seed, inputDim: 4, outputDim: 3 });
        await registry.pushVersion({ filePath: file, model: 'fraud' }, { actor: 'test' });
      }
      await registry.promote('fraud', 'production', 1, { actor: 'test' });
      await registry.promote('fraud', 'challenger', 2, { actor: 'test' });
    });
    after(async () => {
      await registry?.close();
      tmp.cleanup();
    });

    /** Serves, samples around 40 requests, and returns the snapshot. */
    async function sampled(o: { canary?: { uri: string; share: number }[]; shadow?: string[] }) {
      const server = await startServing({
        models: ['models:/fraud@production'],
        ...o,
        registry,
        workers: 1,
        logRate: 0,
        pollMs: 0,
      });
      try {
        const live = new LiveLatency(
          () => server.metrics.render(),
          'fraud',
          undefined,
          () => server.metrics.takeRecentLatencies(),
          () => servedRoles(server.models.get('fraud')),
        );
        live.sample(0);
        for (let i = 0; i < 40; i++)
          assert.equal((await request('POST', `${server.url}/v2/models/fraud/infer`, body)).status, 200);
        live.sample(2000);
        return live.snapshot(2000);
      } finally {
        await server.close();
      }
    }

    it('labels the canary’s line with its role, and gives its configured share', async () => {
      const s = await sampled({ canary: [{ uri: 'models:/fraud@challenger', share: 0.1 }] });
      assert.deepEqual(
        s.lines.map((l) => [l.version, l.role, l.points[0].requests]),
        [
          [2, 'canary', 4], // 10% of 40, spread evenly
          [1, 'primary', 36],
        ],
      );
      assert.deepEqual(s.roles, [
        { version: 1, role: 'primary', share: null },
        { version: 2, role: 'canary', share: 0.1 },
      ]);
    });

    it('names the shadow though its copies have no line, and says why', async () => {
      const s = await sampled({ shadow: ['models:/fraud/3'] });
      assert.deepEqual(
        s.lines.map((l) => [l.version, l.role]),
        [[1, 'primary']],
      );
      assert.deepEqual(s.roles, [
        { version: 1, role: 'primary', share: null },
        { version: 3, role: 'shadow', share: null },
      ]);
      assert.ok(
        s.notes.includes(
          'v3 runs as a shadow: a copy of every request, compared with the answer but not timed, so it has no line.',
        ),
        s.notes.join(' | '),
      );
    });

    it('follows a promotion (the canary’s line turns primary); a version no longer served keeps its last role', () => {
      let served = 0;
      let roles = [
        { version: 1, role: 'primary' as const, share: null },
        { version: 2, role: 'canary' as const, share: 0.5 },
      ];
      const counters = () =>
        [1, 2].map((v) => `mlops_inference_request_success_total{model="fraud",version="${v}"} ${served}`).join('\n');
      const live = new LiveLatency(counters, 'fraud', undefined, undefined, () => roles);
      live.sample(0);
      served += 10;
      live.sample(2000);
      roles = [{ version: 2, role: 'primary', share: null }] as typeof roles; // the canary was promoted
      served += 10;
      live.sample(4000);
      const s = live.snapshot(4000);
      assert.deepEqual(
        s.lines.map((l) => [l.version, l.role]),
        [
          [2, 'primary'],
          [1, 'primary'],
        ],
      );
      assert.deepEqual(s.roles, [{ version: 2, role: 'primary', share: null }]);
      const unknown = new LiveLatency(counters, 'fraud');
      unknown.sample(0);
      served += 10;
      unknown.sample(2000);
      assert.deepEqual(unknown.snapshot(2000).roles, [], 'no roles given: none claimed');
    });
  });

  describe('from a prediction log', () => {
    const now = Date.UTC(2026, 10, 29, 12, 0, 0);
    const rec = (ms: number, version: number, latencyMs: number, extra: Partial<PredictionRecord> = {}) =>
      JSON.stringify({
        ts: new Date(ms).toISOString(),
        model: 'fraud',
        version,
        status: 200,
        inputs: { x: { shape: [1, 1], data: [1] } },
        latencyMs,
        queueMs: 0.5,
        computeMs: latencyMs - 0.5,
        batchSize: 2,
        protocol: 'oip',
        ...extra,
      });
    let tmp: ReturnType<typeof tempDir>;
    let dir: string;
    before(() => {
      tmp = tempDir();
      dir = path.join(tmp.dir, 'fraud');
      mkdirSync(dir);
      // A file from two days ago (not read for the last hour: the next file starts after it ended).
      writeFileSync(path.join(dir, logFileName(now - 2 * 86_400_000, 1, 0)), rec(now - 2 * 86_400_000, 1, 99) + '\n');
      const lines = [
        rec(now - 30 * 60_000, 1, 2, { shadow: { version: 3, agreed: true, maxAbsDiff: 0 } }),
        rec(now - 30 * 60_000 + 10, 1, 4),
        rec(now - 30 * 60_000 + 20, 2, 8, { role: 'canary' }),
        rec(now - 5 * 60_000, 1, 3, { status: 503, error: 'overloaded' }),
        rec(now - 3 * 3_600_000, 1, 50), // older than an hour, inside the day
        '{"torn":',
      ];
      writeFileSync(path.join(dir, logFileName(now - 4 * 3_600_000, 1, 1)), lines.join('\n'));
    });
    after(() => tmp.cleanup());

    it('gives the last hour per version and role, with exact percentiles, errors and queue vs compute', async () => {
      const s = await latencyFromLog(dir, { range: 'hour', now });
      assert.equal(s.source, 'log');
      assert.equal(s.bucketMs, 60_000);
      assert.equal(s.to - s.from, 3_600_000);
      assert.deepEqual(
        s.lines.map((l) => [l.version, l.role, l.points.length]),
        [
          [2, 'canary', 1],
          [1, 'primary', 2],
        ],
      );
      const v1 = s.lines[1].points;
      assert.equal(v1[0].requests, 2);
      assert.equal(v1[0].p50, 2);
      assert.equal(v1[0].p99, 4);
      assert.equal(v1[0].queueMs, 0.5);
      assert.equal(v1[0].computeMs, 2.5);
      assert.equal(v1[0].batchSize, 2);
      assert.deepEqual([v1[1].requests, v1[1].errors], [1, 1]);
      assert.deepEqual([s.totals.requests, s.totals.errors], [4, 1]);
      assert.equal(s.totals.p99, 8);
      // The canary answered 1 of the 4 requests logged; a record's shadow names v3, which has no line.
      assert.deepEqual(s.roles, [
        { version: 1, role: 'primary', share: null },
        { version: 2, role: 'canary', share: 0.25 },
        { version: 3, role: 'shadow', share: null },
      ]);
      assert.match(s.notes.join(' '), /v3 runs as a shadow/);
    });

    it('gives the last day with the older record, and one version when asked', async () => {
      const day = await latencyFromLog(dir, { range: 'day', now });
      assert.equal(day.bucketMs, 900_000);
      assert.equal(day.totals.requests, 5);
      const v1 = await latencyFromLog(dir, { range: 'day', now, version: 1 });
      assert.deepEqual(
        v1.lines.map((l) => l.version),
        [1],
      );
      assert.equal(v1.totals.requests, 4);
    });

    it('says what is wrong when there is no log', async () => {
      await assert.rejects(latencyFromLog(path.join(tmp.dir, 'nope'), { range: 'hour', now }), /prediction log/);
    });
  });
});
