import assert from 'node:assert/strict';
import { openInProcessTarget, runLoadTest } from '../../../../src/core/serving/loadtest';
import { RunnerTarget } from '../../../../src/core/serving/loadtest/runnerTarget';
import { openLocalModel } from '../../../../src/core/serving/modelSource';
import { WorkerPool } from '../../../../src/core/serving/runtime';
import { tempDir, writeModel } from '../../../helpers/tmp';

describe('serving: in-process load target (real onnxruntime in worker threads)', function () {
  this.timeout(60_000);
  let t: ReturnType<typeof tempDir>;
  before(() => (t = tempDir()));
  after(() => t.cleanup());

  const model = () =>
    openLocalModel(writeModel(t.dir, 'mlp.onnx', { inputDim: 6, hidden: [16], outputDim: 3 }), {
      cwd: t.dir,
      registry: () => Promise.reject(new Error('no registry here')),
    });

  it('runs a closed loop on the model alone, batches of 4 rows, every request answered', async () => {
    const { target, description } = await openInProcessTarget(await model(), {
      batch: 4,
      timeoutMs: 30_000,
      workers: 1,
    });
    try {
      assert.match(description, /random examples/);
      const r = await runLoadTest(target, {
        mode: 'closed',
        concurrency: 4,
        requests: 300,
        warmupRequests: 20,
        batch: 4,
      });
      assert.equal(r.target, 'in-process mlp');
      assert.equal(r.latency.count, 300);
      assert.equal(r.errorCount, 0);
      assert.ok(r.latency.p50 > 0);
    } finally {
      await target.close();
    }
  });

  it('names a runner failure by its error code (a request the signature refuses: invalid_argument)', async () => {
    const m = await model();
    const pool = WorkerPool.create({ workers: 1 });
    try {
      const runner = await pool.createRunner({ served: m.served, modelPath: m.modelPath, signature: m.signature });
      const wrong = { inputs: [{ name: 'input', shape: [1, 5], datatype: 'FP32' as const, data: [1, 2, 3, 4, 5] }] };
      const target = new RunnerTarget(runner, [wrong], 30_000, true);
      const r = await runLoadTest(target, { mode: 'closed', concurrency: 2, requests: 10, warmupRequests: 0 });
      await target.close();
      assert.deepEqual(r.errors, { invalid_argument: 10 });
      assert.equal(r.latency.count, 0);
    } finally {
      await pool.close();
    }
  });
});
