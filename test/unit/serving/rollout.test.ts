import assert from 'node:assert/strict';
import path from 'node:path';
import { EmbeddedRegistry } from '../../../src/core/registry/embedded/embeddedRegistry';
import { readPredictionLog } from '../../../src/core/serving/predlog/reader';
import { startServing } from '../../../src/core/serving/serve';
import type { PredictionRecord } from '../../../src/core/serving/types';
import { request } from '../../helpers/http';
import { tempDir, writeModel } from '../../helpers/tmp';
import { waitFor } from '../../helpers/wait';
import { parsePrometheus } from '../../helpers/prometheus';

const ctx = { actor: 'test' };
const body = { inputs: [{ name: 'input', shape: [1, 4], datatype: 'FP32', data: [0.3, -0.2, 0.9, 0.1] }] };

describe('serving: alias-following rollouts, canary and shadow (embedded registry, real sessions)', function () {
  this.timeout(120_000);
  let tmp: ReturnType<typeof tempDir>;
  let registry: EmbeddedRegistry;
  /** Version -> its output for `body`, computed by serving the three files directly. */
  const expected = new Map<number, string>();

  before(async () => {
    tmp = tempDir();
    registry = await EmbeddedRegistry.open(path.join(tmp.dir, '.mlops'), { create: true });
    const files = [1, 2, 3].map((seed) => writeModel(tmp.dir, `f${seed}.onnx`, { seed, outputDim: 3 }));
    for (const f of files) await registry.pushVersion({ filePath: f, model: 'fraud' }, ctx);
    await registry.promote('fraud', 'production', 1, ctx);
    await registry.promote('fraud', 'challenger', 2, ctx);
    const reference = await startServing({ models: files, workers: 1, logRate: 0 });
    try {
      for (const v of [1, 2, 3]) {
        const r = await request('POST', `${reference.url}/v2/models/f${v}/infer`, body);
        expected.set(v, JSON.stringify(r.json().outputs[0].data));
      }
    } finally {
      await reference.close();
    }
    assert.equal(new Set(expected.values()).size, 3, 'the three versions answer differently');
  });
  after(async () => {
    await registry?.close();
    tmp.cleanup();
  });

  it('follows promote and roll back under load: zero failed requests, each answered by a whole version', async () => {
    const server = await startServing({
      models: ['models:/fraud@production'],
      registry,
      workers: 2,
      logRate: 0,
      pollMs: 0,
    });
    // Another handle on the same folder, as another process (the extension, a CLI, CI) would change it.
    const other = await EmbeddedRegistry.open(path.join(tmp.dir, '.mlops'));
    let stop = false;
    const failures: string[] = [];
    const seen = new Set<number>();
    let answered = 0;
    const loop = async () => {
      while (!stop) {
        const r = await request('POST', `${server.url}/v2/models/fraud/infer`, body);
        if (r.status !== 200) {
          failures.push(`${r.status} ${r.text}`);
          continue;
        }
        const v = Number(r.headers['x-model-version']);
        seen.add(v);
        answered++;
        if (JSON.stringify(r.json().outputs[0].data) !== expected.get(v))
          failures.push(`v${v} answered another model's output`);
        if (r.json().model_version !== String(v)) failures.push('header and body disagree');
      }
    };
    const senders = Array.from({ length: 8 }, loop);
    const servedVersion = async () =>
      Number((await request('GET', `${server.url}/v2/models/fraud`)).headers['x-model-version']);
    try {
      for (let i = 0; i < 6; i++) {
        const target = i % 2 === 0 ? 2 : 3;
        await other.promote('fraud', 'production', target, ctx);
        await waitFor(`production -> v${target}`, async () => (await servedVersion()) === target, 15_000);
        const back = await other.rollback('fraud', 'production', ctx);
        await waitFor(`rollback -> v${back.toVersion}`, async () => (await servedVersion()) === back.toVersion, 15_000);
      }
    } finally {
      stop = true;
      await Promise.all(senders);
      await other.close();
    }
    const metrics = parsePrometheus((await request('GET', `${server.url}/metrics`)).text);
    await server.close();
    assert.deepEqual(failures, []);
    assert.ok(answered > 50, `requests flowed during the swaps (${answered})`);
    assert.ok(seen.has(1) && seen.has(2) && seen.has(3), `every version answered some (${[...seen]})`);
    assert.equal(metrics.get('mlops_model_swaps_total{model="fraud",role="primary"}'), 12);
  });

  it('catches a promote made while the first version was loading (before the watch began), with no poll', async () => {
    await registry.promote('fraud', 'production', 1, ctx);
    const other = await EmbeddedRegistry.open(path.join(tmp.dir, '.mlops'));
    let moved = false;
    // The registry the server reads: the first artifact fetch (loading v1) is when another process promotes v3.
    const racing = new Proxy(registry, {
      get(target, key) {
        if (key === 'localArtifactPath')
          return async (...args: Parameters<EmbeddedRegistry['localArtifactPath']>) => {
            if (!moved) {
              moved = true;
              await other.promote('fraud', 'production', 3, ctx);
            }
            return target.localArtifactPath(...args);
          };
        const v = Reflect.get(target, key, target) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
    const server = await startServing({
      models: ['models:/fraud@production'],
      registry: racing,
      workers: 1,
      logRate: 0,
      pollMs: 0,
    });
    try {
      assert.ok(moved, 'the promote happened during the start');
      const served = async () =>
        Number((await request('GET', `${server.url}/v2/models/fraud`)).headers['x-model-version']);
      await waitFor('production -> v3 without another change', async () => (await served()) === 3, 10_000);
    } finally {
      await server.close();
      await other.close();
      await registry.promote('fraud', 'production', 1, ctx);
    }
  });

  it('sends the canary share of traffic to the challenger (20% of 500 requests, +-6%)', async () => {
    const server = await startServing({
      models: ['models:/fraud@production'],
      canary: [{ uri: 'models:/fraud@challenger', share: 0.2 }],
      registry,
      workers: 1,
      logRate: 0,
      pollMs: 0,
    });
    try {
      const production = (await registry.getVersionByAlias('fraud', 'production')).version;
      const counts = new Map<string, number>();
      for (let i = 0; i < 500; i++) {
        const r = await request('POST', `${server.url}/v2/models/fraud/infer`, body);
        assert.equal(r.status, 200);
        const v = String(r.headers['x-model-version']);
        counts.set(v, (counts.get(v) ?? 0) + 1);
      }
      const canary = counts.get('2') ?? 0;
      assert.ok(Math.abs(canary / 500 - 0.2) <= 0.06, `canary share ${canary / 500}`);
      assert.equal((counts.get(String(production)) ?? 0) + canary, 500);
      const meta = (await request('GET', `${server.url}/v2/models/fraud`)).json();
      assert.deepEqual(meta.versions, [String(production), '2']);
      // Each version stays addressable.
      const direct = await request('POST', `${server.url}/v2/models/fraud/versions/2/infer`, body);
      assert.equal(JSON.stringify(direct.json().outputs[0].data), expected.get(2));
    } finally {
      await server.close();
    }
  });

  it('runs a shadow on a copy of every request: responses unchanged, agreement in /metrics and the log', async () => {
    const logDir = path.join(tmp.dir, 'shadow-log');
    const server = await startServing({
      models: ['models:/fraud/1'],
      shadow: ['models:/fraud/3'],
      registry,
      workers: 1,
      pollMs: 0,
      logDir,
    });
    try {
      for (let i = 0; i < 20; i++) {
        const r = await request('POST', `${server.url}/v2/models/fraud/infer`, { ...body, id: `r${i}` });
        assert.equal(r.status, 200);
        assert.equal(r.headers['x-model-version'], '1');
        assert.equal(JSON.stringify(r.json().outputs[0].data), expected.get(1), 'the answer is the primary one');
      }
      const shadowTotal = async () => {
        const m = parsePrometheus((await request('GET', `${server.url}/metrics`)).text);
        let n = 0;
        for (const result of ['agree', 'disagree', 'error'])
          n +=
            m.get(`mlops_shadow_requests_total{model="fraud",version="1",shadow_version="3",result="${result}"}`) ?? 0;
        return n === 20 ? m : undefined;
      };
      const m = await waitFor('20 shadow comparisons', shadowTotal);
      assert.equal(
        m.get('mlops_shadow_requests_total{model="fraud",version="1",shadow_version="3",result="error"}'),
        undefined,
      );
      assert.equal(m.get('mlops_shadow_max_abs_diff_count{model="fraud",version="1",shadow_version="3"}'), 20);
    } finally {
      await server.close();
    }
    const records: PredictionRecord[] = [];
    await readPredictionLog(path.join(logDir, 'fraud'), (r) => records.push(r));
    assert.equal(records.length, 20);
    const v3 = JSON.parse(expected.get(3) as string) as number[];
    const v1 = JSON.parse(expected.get(1) as string) as number[];
    const diff = Math.max(...v1.map((x, i) => Math.abs(x - v3[i])));
    for (const r of records) {
      assert.equal(r.version, 1);
      assert.equal(r.shadow?.version, 3);
      assert.ok(Math.abs((r.shadow?.maxAbsDiff ?? -1) - diff) < 1e-9);
      const sameTop = v1.indexOf(Math.max(...v1)) === v3.indexOf(Math.max(...v3));
      assert.equal(r.shadow?.agreed, sameTop);
    }
  });

  it('refuses a canary or shadow taking other inputs; an alias moving to one is followed with a warning', async () => {
    const wide = writeModel(tmp.dir, 'wide.onnx', { seed: 4, inputDim: 6, outputDim: 3 });
    const v = (await registry.pushVersion({ filePath: wide, model: 'fraud' }, ctx)).version;
    for (const role of ['canary', 'shadow'] as const) {
      await assert.rejects(
        startServing({
          models: ['models:/fraud@production'],
          ...(role === 'canary'
            ? { canary: [{ uri: `models:/fraud/${v}`, share: 0.1 }] }
            : { shadow: [`models:/fraud/${v}`] }),
          registry,
          workers: 1,
          logRate: 0,
        }),
        new RegExp(
          `The ${role} models:/fraud/${v} \\(v${v}\\) takes other inputs than models:/fraud@production \\(v1\\): input "input" float32\\[batch,4\\] → float32\\[batch,6\\]`,
        ),
      );
    }
    await registry.promote('fraud', 'moving', 1, ctx);
    const swaps: { to: number; inputsChanged?: string[] }[] = [];
    const server = await startServing({
      models: ['models:/fraud@moving'],
      registry,
      workers: 1,
      logRate: 0,
      pollMs: 0,
      onEvent: (e) => void (e.type === 'swap' && e.from !== null && swaps.push(e)),
    });
    try {
      await registry.promote('fraud', 'moving', v, ctx);
      await waitFor('the swap', () => swaps.length > 0, 15_000);
      assert.deepEqual(
        { to: swaps[0].to, inputsChanged: swaps[0].inputsChanged },
        { to: v, inputsChanged: ['input "input" float32[batch,4] → float32[batch,6]'] },
      );
    } finally {
      await server.close();
    }
  });

  it('keeps serving the current version when its alias disappears, and says so', async () => {
    const events: string[] = [];
    await registry.promote('fraud', 'staging', 2, ctx);
    const server = await startServing({
      models: ['models:/fraud@staging'],
      registry,
      workers: 1,
      logRate: 0,
      pollMs: 0,
      onEvent: (e) => events.push(e.type === 'refresh-failed' ? `failed: ${e.message}` : e.type),
    });
    try {
      await registry.removeAlias('fraud', 'staging', ctx);
      await waitFor('a failed refresh', () => events.some((e) => e.startsWith('failed:')), 15_000);
      const r = await request('POST', `${server.url}/v2/models/fraud/infer`, body);
      assert.equal(r.status, 200);
      assert.equal(r.headers['x-model-version'], '2');
      assert.match(events.find((e) => e.startsWith('failed:')) ?? '', /staging/);
    } finally {
      await server.close();
    }
  });
});
