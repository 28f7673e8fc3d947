import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { inspectOnnx } from '../../../src/core/onnx/inspect';
import { quantizeOnnx } from '../../../src/core/onnx/quantize';
import { compareVersions, outputAgreement, runnerSide } from '../../../src/core/serving/compare';
import { WorkerPool, type Runner } from '../../../src/core/serving/runtime';
import { sha256Hex } from '../../../src/core/util/hash';
import type { InferRequest } from '../../../src/core/serving/types';
import { buildMlp } from '../../builders/mlpBuilder';
import { tempDir } from '../../helpers/tmp';

/** Compare two versions on real onnxruntime sessions: an fp32 MLP, its int8 child, and another model. */
describe('serving: compare two versions (latency side by side, output agreement)', function () {
  this.timeout(120_000);
  let tmp: ReturnType<typeof tempDir>;
  let pool: WorkerPool;
  const runners: Runner[] = [];
  const arch = { inputDim: 16, hidden: [64, 64], outputDim: 5, softmax: true, opset: 13 };

  async function runner(name: string, version: number, bytes: Uint8Array): Promise<Runner> {
    const modelPath = path.join(tmp.dir, `${name}-${version}.onnx`);
    writeFileSync(modelPath, bytes);
    const r = await pool.createRunner({
      served: { model: name, version, sha256: sha256Hex(bytes) },
      modelPath,
      signature: inspectOnnx(bytes).signature!,
    });
    runners.push(r);
    return r;
  }

  const requests = (n: number, rows = 4): InferRequest[] =>
    Array.from({ length: n }, (_, k) => ({
      inputs: [
        {
          name: 'input',
          datatype: 'FP32',
          shape: [rows, 16],
          data: Array.from({ length: rows * 16 }, (_, i) => Math.sin(k * 3.1 + i * 0.7) * 2),
        },
      ],
    }));

  before(() => {
    tmp = tempDir();
    pool = WorkerPool.create({ workers: 1 });
  });
  after(async () => {
    for (const r of runners) await r.close();
    await pool.close();
    tmp.cleanup();
  });

  it('a version against itself: identical outputs, every top-1 equal, both latencies measured', async () => {
    const fp32 = buildMlp({ ...arch, seed: 5 });
    const a = await runner('fraud', 3, fp32);
    const b = await runner('fraud', 33, fp32);
    const r = await compareVersions(runnerSide('fraud v3', a), runnerSide('fraud v3 again', b), requests(20));
    assert.equal(r.requests, 20);
    assert.equal(r.compared, 20);
    assert.equal(r.maxAbsDiff, 0);
    assert.deepEqual(r.top1, { equal: 80, rows: 80, share: 1 });
    assert.deepEqual(r.mismatched, []);
    assert.equal(r.a.latency.count, 20);
    assert.equal(r.b.latency.count, 20);
    assert.ok(r.a.latency.p50 > 0 && r.b.latency.p50 > 0);
  });

  it('fp32 against its int8 child: a small difference, top-1 mostly equal', async () => {
    const fp32 = buildMlp({ ...arch, seed: 7 });
    const int8 = quantizeOnnx(fp32, { mode: 'int8', weightType: 'u8', perChannel: false, reduceRange: false }).bytes;
    const a = await runner('fraud', 4, fp32);
    const b = await runner('fraud', 5, int8);
    const progress: number[] = [];
    const r = await compareVersions(runnerSide('fraud v4', a), runnerSide('fraud v5 (int8)', b), requests(50), {
      onProgress: (done) => progress.push(done),
    });
    assert.equal(r.compared, 50);
    assert.ok(r.maxAbsDiff > 0 && r.maxAbsDiff < 0.2, `max abs diff ${r.maxAbsDiff}`);
    assert.equal(r.top1!.rows, 200);
    assert.ok(r.top1!.share >= 0.8, `top-1 agreement ${r.top1!.share}`);
    assert.equal(progress.at(-1), 50);
  });

  it('two unrelated models disagree; an error on one side is counted and excluded from the agreement', async () => {
    const a = await runner('fraud', 6, buildMlp({ ...arch, seed: 1 }));
    const b = await runner('fraud', 7, buildMlp({ ...arch, seed: 2 }));
    const bad: InferRequest = { inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 3], data: [1, 2, 3] }] };
    const r = await compareVersions(runnerSide('v6', a), runnerSide('v7', b), [...requests(10), bad]);
    assert.equal(r.requests, 11);
    assert.equal(r.compared, 10);
    assert.deepEqual([r.a.errors, r.b.errors], [1, 1]);
    assert.match(r.a.firstError ?? '', /expected FP32 \[batch, 16\], got \[1, 3\]/);
    assert.ok(r.maxAbsDiff > 0.01, `max abs diff ${r.maxAbsDiff}`);
    assert.ok(r.top1!.share < 1);
  });

  it('stops when cancelled, with what it measured; refuses an empty request list', async () => {
    const fp32 = buildMlp({ ...arch, seed: 9 });
    const a = await runner('fraud', 8, fp32);
    const ac = new AbortController();
    const r = await compareVersions(runnerSide('a', a), runnerSide('b', a), requests(100), {
      signal: ac.signal,
      onProgress: (done) => done === 5 && ac.abort(),
    });
    assert.equal(r.cancelled, true);
    assert.equal(r.requests, 5);
    await assert.rejects(compareVersions(runnerSide('a', a), runnerSide('b', a), []), /1 to 10000 requests, not 0/);
  });

  it('outputAgreement names outputs that differ in shape or exist on one side only', () => {
    const g = outputAgreement(
      [
        { name: 'p', shape: [1, 2], datatype: 'FP32', data: [0.2, 0.8] },
        { name: 'only-a', shape: [1], datatype: 'FP32', data: [1] },
      ],
      [
        { name: 'p', shape: [1, 2], datatype: 'FP32', data: [0.6, 0.4] },
        { name: 'only-b', shape: [1], datatype: 'FP32', data: [1] },
      ],
    );
    assert.deepEqual(g.mismatched, ['only-a', 'only-b']);
    assert.equal(g.maxAbsDiff, Infinity);
    assert.deepEqual([g.equal, g.rows], [0, 1]);
  });
});
