import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { WorkerPool } from '../../../../src/core/serving/runtime';
import { buildMlp } from '../../../builders/mlpBuilder';
import { tempDir } from '../../../helpers/tmp';
import { sleep, waitFor } from '../../../helpers/wait';
import { fp32Request, modelOptions, rejectsWith, runnerFor } from './fixtures';

const small = (seed: number) => buildMlp({ inputDim: 8, hidden: [16], outputDim: 4, seed });
/** Big enough that a batch of 256 keeps a worker busy for tens of milliseconds. */
const BIG = buildMlp({ inputDim: 512, hidden: [2048, 2048], outputDim: 512, seed: 7 });
const bigRequest = (seed: number) => ({
  inputs: [
    {
      name: 'input',
      shape: [256, 512],
      datatype: 'FP32' as const,
      data: new Float32Array(256 * 512).map((_, i) => Math.sin(i + seed)),
    },
  ],
});

describe('serving runtime: the worker pool', function () {
  this.timeout(180_000);
  let t: ReturnType<typeof tempDir>;
  const pools: WorkerPool[] = [];
  const newPool = (o: Parameters<typeof WorkerPool.create>[0]) => {
    const p = WorkerPool.create(o);
    pools.push(p);
    return p;
  };
  before(() => (t = tempDir()));
  after(async () => {
    await Promise.all(pools.map((p) => p.close()));
    t.cleanup();
  });

  it('a crashed worker fails only the request it held; it is replaced and the next request succeeds', async () => {
    const pool = newPool({ workers: 2, intraOpThreads: 1 });
    const runner = await runnerFor(pool, t.dir, 'big', BIG, { enabled: false });
    pool.crashWorkerForTest(0);
    const onWorker0 = runner.infer(bigRequest(1));
    const onWorker1 = runner.infer(bigRequest(2));
    await new Promise((r) => setImmediate(r)); // the pool hands out a turn's requests at the turn's end
    assert.deepEqual(pool.busyWorkers(), [0, 1]);
    await rejectsWith(onWorker0, 'INTERNAL', /inference worker stopped .*crash requested by a test/);
    assert.deepEqual((await onWorker1).response.outputs[0].shape, [256, 512]);
    const next = await Promise.all([runner.infer(bigRequest(3)), runner.infer(bigRequest(4))]);
    assert.ok(next.every((n) => n.response.outputs[0].data.length === 256 * 512));
    const state = await pool.inspect();
    assert.deepEqual(
      state.map((w) => w.sessions.map((s) => s.sha256)),
      [[runner.served.sha256], [runner.served.sha256]],
      'the replacement loaded the model again',
    );
    const s = runner.stats();
    assert.equal(s.requestFailure, 1);
    assert.equal(s.requestSuccess, 3);
    assert.equal(pool.workerRestarts, 1);
    await runner.close();
  });

  it('a whole batch waits in a busy worker behind its run, and its queue time runs until that run ends', async () => {
    const pool = newPool({ workers: 1, intraOpThreads: 1 });
    const runner = await runnerFor(pool, t.dir, 'big', BIG, { enabled: false });
    const sent = [1, 2, 3].map((seed) => runner.infer(bigRequest(seed)));
    await new Promise((r) => setImmediate(r)); // the pool hands out a turn's requests at the turn's end
    // The first runs, the second waits in the worker (it starts as the first ends, with no hand-off
    // through this thread), the third waits here, where it could still be cancelled or merged.
    assert.deepEqual(pool.runsInFlight(), [2]);
    assert.equal(runner.stats().pending, 3);
    const [a, b, c] = await Promise.all(sent);
    assert.deepEqual(
      [a, b, c].map((x) => x.response.outputs[0].shape),
      [
        [256, 512],
        [256, 512],
        [256, 512],
      ],
    );
    assert.ok(
      b.timing.queueMs >= a.timing.computeMs * 0.8,
      `second queued ${b.timing.queueMs} ms, first ran ${a.timing.computeMs} ms`,
    );
    assert.ok(b.timing.computeMs < a.timing.computeMs + b.timing.queueMs, 'its compute time excludes the wait');
    assert.deepEqual(pool.runsInFlight(), [0]);
  });

  it('stops replacing workers that die before answering anything (a broken worker script)', async () => {
    const script = path.join(t.dir, 'brokenWorker.js');
    writeFileSync(script, "throw new Error('this worker cannot start');\n");
    const pool = newPool({ workers: 1, workerPath: script });
    await rejectsWith(runnerFor(pool, t.dir, 'never', small(9)), 'INTERNAL');
    const failure = await waitFor('the pool to give up', () => pool.failure, 20_000);
    assert.match(failure.message, /inference workers cannot start/);
    await sleep(300);
    assert.equal(pool.workerRestarts, 2, 'no more restarts after 3 early deaths');
    await rejectsWith(runnerFor(pool, t.dir, 'never', small(9)), 'INTERNAL', /inference workers cannot start/);
  });

  it('evicts the least recently used session past the memory budget and reloads it when needed', async () => {
    const pool = newPool({ workers: 1, memoryBudgetBytes: 1 });
    const a = await runnerFor(pool, t.dir, 'a', small(1));
    const b = await runnerFor(pool, t.dir, 'b', small(2));
    const cached = async () => (await pool.inspect())[0].sessions.map((s) => s.sha256);
    assert.deepEqual(await cached(), [b.served.sha256]);
    const answer = await a.infer(fp32Request('input', 1, 8, 1));
    assert.equal(answer.response.outputs[0].shape[1], 4);
    assert.deepEqual(await cached(), [a.served.sha256]);

    const roomy = newPool({ workers: 1, memoryBudgetBytes: 10 * small(1).length });
    const c = await runnerFor(roomy, t.dir, 'a', small(1));
    const d = await runnerFor(roomy, t.dir, 'b', small(2));
    assert.equal((await roomy.inspect())[0].sessions.length, 2);
    await Promise.all([a.close(), b.close(), c.close(), d.close()]);
    assert.deepEqual((await roomy.inspect())[0].sessions, [], 'closing the last runner releases the session');
  });

  it('runner.close() finishes accepted requests, refuses new ones, then releases the session', async () => {
    const pool = newPool({ workers: 1 });
    const runner = await runnerFor(pool, t.dir, 'drain', small(3), { maxQueueDelayMs: 10_000 });
    const accepted = [0, 1, 2, 3, 4].map((i) => runner.infer(fp32Request('input', 1, 8, i)));
    const closing = runner.close();
    await rejectsWith(runner.infer(fp32Request('input', 1, 8, 9)), 'UNAVAILABLE');
    const answers = await Promise.all(accepted);
    assert.ok(answers.every((a) => a.response.outputs[0].data.length === 4));
    await closing;
    assert.deepEqual((await pool.inspect())[0].sessions, []);
  });

  it('runners of the same artifact share one session; it stays until the last one closes', async () => {
    const pool = newPool({ workers: 1 });
    const one = await runnerFor(pool, t.dir, 'shared', small(4));
    const two = await runnerFor(pool, t.dir, 'shared', small(4));
    assert.equal(two.load.loaded, false);
    await one.close();
    await two.infer(fp32Request('input', 1, 8, 0));
    assert.equal((await pool.inspect())[0].sessions.length, 1);
    await two.close();
    assert.equal((await pool.inspect())[0].sessions.length, 0);
  });

  it('pool.close() drains its runners, then refuses new ones', async () => {
    const pool = WorkerPool.create({ workers: 1 });
    const runner = await runnerFor(pool, t.dir, 'closing', small(5), { maxQueueDelayMs: 10_000 });
    const accepted = [0, 1, 2].map((i) => runner.infer(fp32Request('input', 1, 8, i)));
    await pool.close();
    assert.equal((await Promise.all(accepted)).length, 3);
    await rejectsWith(runnerFor(pool, t.dir, 'late', small(5)), 'UNAVAILABLE');
  });

  it('a runner still loading when the pool closes is refused, not left with no workers', async () => {
    const pool = WorkerPool.create({ workers: 1 });
    // The big model takes far longer to load than the file check before it: close while it loads.
    const loading = runnerFor(pool, t.dir, 'loading', BIG);
    const outcome = loading.then(
      () => 'created',
      (e: { code?: string }) => e.code,
    );
    await sleep(30);
    await pool.close();
    assert.equal(await outcome, 'UNAVAILABLE');
  });

  it('a missing or broken model file fails createRunner clearly; the pool keeps serving', async () => {
    const pool = newPool({ workers: 1 });
    const opts = modelOptions(t.dir, 'ok', small(6));
    await rejectsWith(pool.createRunner({ ...opts, modelPath: path.join(t.dir, 'nope.onnx') }), 'NOT_FOUND');
    const broken = path.join(t.dir, 'broken.onnx');
    writeFileSync(broken, Buffer.from('not a model'));
    await rejectsWith(
      pool.createRunner({ ...opts, modelPath: broken, served: { ...opts.served, sha256: 'x' } }),
      'INVALID_MODEL_FILE',
      /onnxruntime could not load/,
    );
    const renamed = { ...opts.signature, inputs: [{ ...opts.signature.inputs[0], name: 'features' }] };
    await rejectsWith(
      pool.createRunner({ ...opts, signature: renamed }),
      'INVALID_MODEL_FILE',
      /does not match its model file: onnxruntime finds no input 'features'/,
    );
    const runner = await pool.createRunner(opts);
    await runner.infer(fp32Request('input', 1, 8, 0));
    await runner.close();
    assert.deepEqual((await pool.inspect())[0].sessions, [], 'failed runners left no session behind');
  });
});
