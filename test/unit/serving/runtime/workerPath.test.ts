import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { poolSizing, resolveWorkerPath, WorkerPool } from '../../../../src/core/serving/runtime';
import { buildMlp } from '../../../builders/mlpBuilder';
import { tempDir } from '../../../helpers/tmp';
import { fp32Request, runnerFor } from './fixtures';

const ROOT = path.resolve(__dirname, '..', '..', '..', '..', '..');
const RUNTIME_OUT = path.join(ROOT, 'out', 'src', 'core', 'serving', 'runtime');

describe('serving runtime: finding the worker, sizing the pool, loading onnxruntime lazily', function () {
  this.timeout(120_000);

  it('finds the worker beside the running code (tsc output here), or where it is told', () => {
    assert.equal(resolveWorkerPath(), path.join(RUNTIME_OUT, 'inferenceWorker.js'));
    assert.throws(
      () => resolveWorkerPath(path.join(ROOT, 'nowhere', 'inferenceWorker.js')),
      (e: unknown) => (e as { code?: string }).code === 'NOT_FOUND',
    );
  });

  it('runs models through the bundled dist/inferenceWorker.js (what the extension and CLI ship)', async () => {
    const bundled = path.join(ROOT, 'dist', 'inferenceWorker.js');
    assert.ok(existsSync(bundled), 'build the bundles first: node esbuild.mjs');
    const t = tempDir();
    const pool = WorkerPool.create({ workers: 1, workerPath: bundled });
    try {
      const runner = await runnerFor(pool, t.dir, 'm', buildMlp({ inputDim: 8, hidden: [4], outputDim: 2 }));
      const { response } = await runner.infer(fp32Request('input', 2, 8, 1));
      assert.deepEqual(response.outputs[0].shape, [2, 2]);
    } finally {
      await pool.close();
      t.cleanup();
    }
  });

  it('never gives workers x intra-op threads more than the cores, unless told both', () => {
    assert.deepEqual(poolSizing({}, 2), { workers: 1, intraOpThreads: 1 }, 'one core left to the HTTP thread');
    assert.deepEqual(poolSizing({}, 4), { workers: 3, intraOpThreads: 1 });
    assert.deepEqual(poolSizing({}, 1), { workers: 1, intraOpThreads: 1 });
    assert.deepEqual(poolSizing({}, 16), { workers: 4, intraOpThreads: 4 });
    assert.deepEqual(poolSizing({ workers: 1 }, 8), { workers: 1, intraOpThreads: 8 });
    assert.deepEqual(poolSizing({ intraOpThreads: 2 }, 8), { workers: 4, intraOpThreads: 2 });
    assert.deepEqual(poolSizing({ intraOpThreads: 4 }, 2), { workers: 1, intraOpThreads: 4 });
    assert.deepEqual(poolSizing({ workers: 3, intraOpThreads: 3 }, 2), { workers: 3, intraOpThreads: 3 });
    assert.deepEqual(poolSizing({ workers: 0, intraOpThreads: -1 }, 2), { workers: 1, intraOpThreads: 1 });
  });

  it('importing the runtime (and creating a pool) does not load onnxruntime-node in the main thread', () => {
    const script = `
      const rt = require(${JSON.stringify(RUNTIME_OUT)});
      const pool = rt.WorkerPool.create({ workers: 1 });
      const loaded = Object.keys(require.cache).some((k) => k.includes('onnxruntime'));
      pool.close().then(() => console.log(loaded ? 'loaded' : 'not loaded'));
    `;
    const out = execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' }).trim();
    assert.equal(out, 'not loaded');
  });
});
