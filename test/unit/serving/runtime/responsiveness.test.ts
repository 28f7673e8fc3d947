import assert from 'node:assert/strict';
import { WorkerPool } from '../../../../src/core/serving/runtime';
import { buildMlp } from '../../../builders/mlpBuilder';
import { tempDir } from '../../../helpers/tmp';
import { sleep } from '../../../helpers/wait';
import { runnerFor } from './fixtures';

/**
 * onnxruntime-node's `run` blocks the thread it runs on; the runtime must keep it off the main thread so
 * the HTTP loop (health checks, metrics, other models) stays responsive while a big model computes.
 * Not a performance figure: the test tells "never blocked" from "blocked for whole runs". Round trips
 * over 50 ms (stalls) may happen on a crowded machine (the OS or a GC pause), so what is bounded is the
 * time spent in stalls: were the runs on the main thread, every run would be inside one and the stalls
 * would add up to at least the runs' time; here they must stay under a third of it.
 */
const PROBE_SLEEP_MS = 5;
const STALL_MS = 50;

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
    // The probe sleeps between round trips, as a server's event loop waits for I/O: a thread spinning
    // setImmediate back to back would be descheduled by the OS on a busy machine and measure that instead.
    let done = false;
    const lags: number[] = [];
    const probe = (async () => {
      while (!done) {
        const t0 = performance.now();
        await sleep(PROBE_SLEEP_MS);
        await new Promise<void>((r) => setImmediate(r));
        lags.push(performance.now() - t0 - PROBE_SLEEP_MS);
      }
    })();
    const runs = await Promise.all(Array.from({ length: 6 }, () => runner.infer(request)));
    done = true;
    await probe;
    const computeMs = runs.reduce((n, r) => n + r.timing.computeMs, 0);
    const shortest = Math.min(...runs.map((r) => r.timing.computeMs));
    assert.ok(shortest > STALL_MS, `a run took ${shortest.toFixed(0)} ms, too short to show anything`);
    const stalls = lags.filter((l) => l > STALL_MS);
    const stalledMs = stalls.reduce((n, l) => n + l, 0);
    const median = [...lags].sort((a, b) => a - b)[Math.floor(lags.length / 2)];
    const seen = `${lags.length} round trips, median ${median.toFixed(1)} ms, worst ${Math.max(...lags).toFixed(1)} ms, ${stalls.length} over ${STALL_MS} ms; runs ${computeMs.toFixed(0)} ms`;
    assert.ok(stalledMs < computeMs / 3, `the main thread stalled ${stalledMs.toFixed(0)} ms (${seen})`);
    assert.ok(median < STALL_MS, seen);
    assert.ok(lags.length > 10, seen);
    await runner.close();
  });
});
