import assert from 'node:assert/strict';
import { WorkerPool } from '../../../../src/core/serving/runtime';
import { buildMlp } from '../../../builders/mlpBuilder';
import { tempDir } from '../../../helpers/tmp';
import { runnerFor } from './fixtures';

/**
 * onnxruntime-node's `run` blocks the thread it runs on; the runtime must keep it off the main thread so
 * the HTTP loop (health checks, metrics, other models) stays responsive while a big model computes.
 * The bound tells "never blocked" from "blocked for a whole run"; it is not a performance figure. It is
 * 50 ms, or half the shortest run when a busy machine (many processes on few cores) stretches every
 * time, so a run on the main thread would always exceed it.
 */
describe('serving runtime: the event loop stays free while a big model runs', function () {
  this.timeout(180_000);
  let t: ReturnType<typeof tempDir>;
  let pool: WorkerPool;
  before(() => {
    t = tempDir();
    pool = WorkerPool.create({ workers: 1, intraOpThreads: 1 });
  });
  after(async () => {
    await pool.close();
    t.cleanup();
  });

  // Narrow inputs and outputs keep the main thread's own share small: copying big tensors and turning
  // outputs into JSON-ready arrays is main-thread work (and triggers GC) whatever the model computes.
  it('setImmediate round trips stay short during 6 runs of a 16-2048-2048-8 MLP at batch 512', async () => {
    const runner = await runnerFor(
      pool,
      t.dir,
      'big',
      buildMlp({ inputDim: 16, hidden: [2048, 2048], outputDim: 8, seed: 11 }),
      { enabled: false },
    );
    const data = new Float32Array(512 * 16).map((_, i) => Math.cos(i));
    const request = { inputs: [{ name: 'input', shape: [512, 16], datatype: 'FP32' as const, data }] };
    let done = false;
    let worst = 0;
    let ticks = 0;
    const probe = (async () => {
      while (!done) {
        const t0 = performance.now();
        await new Promise<void>((r) => setImmediate(r));
        worst = Math.max(worst, performance.now() - t0);
        ticks++;
      }
    })();
    const runs = await Promise.all(Array.from({ length: 6 }, () => runner.infer(request)));
    done = true;
    await probe;
    const shortest = Math.min(...runs.map((r) => r.timing.computeMs));
    assert.ok(shortest > 50, `a run took ${shortest.toFixed(0)} ms, too short to show anything`);
    const bound = Math.max(50, shortest / 2);
    assert.ok(worst < bound, `the main thread was blocked ${worst.toFixed(1)} ms (bound ${bound.toFixed(0)} ms)`);
    assert.ok(ticks > 10);
    await runner.close();
  });
});
