import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { type Runner, retryAfterSeconds, WorkerPool } from '../../../../src/core/serving/runtime';
import type { InferRequest } from '../../../../src/core/serving/types';
import { buildGraph } from '../../../builders/graphBuilder';
import { buildMlp } from '../../../builders/mlpBuilder';
import { tempDir } from '../../../helpers/tmp';
import { assertOutputsClose, fp32Request, rejectsWith, runnerFor } from './fixtures';

/**
 * Dynamic batching against real sessions. One worker and a long queue delay make batches deterministic:
 * the pool hands out a turn's requests at the end of the event loop's turn, so a first request sent alone
 * (`first`) runs alone, and the ones sent together after it queue behind it and merge when the worker frees.
 */
const MLP = buildMlp({ inputDim: 8, hidden: [16], outputDim: 4, seed: 3 });
const HOLD = { maxQueueDelayMs: 10_000 };

/** Sends a request and lets the turn end, so it is running before anything else is sent. */
async function first<T>(send: () => Promise<T>): Promise<{ pending: Promise<T> }> {
  const pending = send();
  pending.catch(() => undefined); // awaited by the caller later; no unhandled rejection meanwhile
  await new Promise((r) => setImmediate(r));
  return { pending };
}

/** Starts the first request alone, then the rest together; settles like Promise.allSettled. */
async function firstThenRest<T>(sends: (() => Promise<T>)[]): Promise<PromiseSettledResult<T>[]> {
  const { pending } = await first(sends[0]);
  return Promise.allSettled([pending, ...sends.slice(1).map((s) => s())]);
}

/** firstThenRest, rejecting on the first failure (like Promise.all). */
async function allFirstThenRest<T>(sends: (() => Promise<T>)[]): Promise<T[]> {
  const { pending } = await first(sends[0]);
  return Promise.all([pending, ...sends.slice(1).map((s) => s())]);
}

describe('serving runtime: dynamic batching', function () {
  this.timeout(120_000);
  let pool: WorkerPool;
  let t: ReturnType<typeof tempDir>;
  let reference: Runner;
  before(async () => {
    t = tempDir();
    pool = WorkerPool.create({ workers: 1 });
    reference = await runnerFor(pool, t.dir, 'mlp', MLP, { enabled: false });
  });
  after(async () => {
    await pool.close();
    t.cleanup();
  });

  it('returns per request exactly what unbatched runs return, while an invalid request fails alone', async () => {
    const runner = await runnerFor(pool, t.dir, 'mlp', MLP, HOLD);
    const requests: InferRequest[] = Array.from({ length: 12 }, (_, i) =>
      fp32Request('input', 1 + (i % 3), 8, i, `r${i}`),
    );
    requests[5] = fp32Request('input', 2, 7, 5, 'bad');
    const settled = await firstThenRest(requests.map((r) => () => runner.infer(r)));
    const bad = settled[5];
    assert.ok(
      bad.status === 'rejected' && /input 'input': expected FP32 \[batch, 8\], got \[2, 7\]/.test(String(bad.reason)),
    );
    for (let i = 0; i < requests.length; i++) {
      if (i === 5) continue;
      const s = settled[i];
      assert.equal(s.status, 'fulfilled', String((s as PromiseRejectedResult).reason));
      const { response, timing } = (s as PromiseFulfilledResult<Awaited<ReturnType<Runner['infer']>>>).value;
      assert.equal(response.id, `r${i}`);
      assert.equal(timing.batchSize, i === 0 ? 1 : 10, `request ${i}`);
      assert.ok(timing.totalMs >= timing.queueMs + timing.computeMs - 1e-6);
      const alone = await reference.infer(requests[i]);
      assert.equal(alone.timing.batchSize, 1);
      assertOutputsClose(response.outputs, alone.response.outputs);
    }
    const s = runner.stats();
    assert.deepEqual(s.batchSizes, { 1: 1, 10: 1 });
    assert.equal(s.executionCount, 2);
    assert.equal(s.requestSuccess, 11);
    assert.equal(s.requestInvalid, 1);
    const rows = requests.filter((_, i) => i !== 5).reduce((n, r) => n + r.inputs[0].shape[0], 0);
    assert.equal(s.inferenceCount, rows);
    assert.equal(s.pending, 0);
    await runner.close();
  });

  it('never merges requests with different trailing shapes or outputs filters', async () => {
    const bytes = buildGraph({
      inputs: [{ name: 'x', type: 'float32', dims: ['batch', 'n'] }],
      outputs: [
        { name: 'y', type: 'float32', dims: ['batch', 'n'] },
        { name: 'neg', type: 'float32', dims: ['batch', 'n'] },
      ],
      nodes: [
        { op: 'Identity', inputs: ['x'], outputs: ['y'] },
        { op: 'Neg', inputs: ['x'], outputs: ['neg'] },
      ],
    });
    const runner = await runnerFor(pool, t.dir, 'ident', bytes, HOLD);
    const req = (n: number, seed: number, outputs?: string[]): InferRequest => ({
      ...fp32Request('x', 1, n, seed),
      ...(outputs ? { outputs: outputs.map((name) => ({ name })) } : {}),
    });
    const requests = [req(2, 0), req(2, 1), req(3, 2), req(2, 3), req(3, 4), req(2, 5, ['y']), req(2, 6, ['y'])];
    const answers = await allFirstThenRest(requests.map((r) => () => runner.infer(r)));
    assert.deepEqual(
      answers.map((a) => a.timing.batchSize),
      [1, 2, 2, 2, 2, 2, 2],
    );
    answers.forEach((a, i) => {
      const x = requests[i].inputs[0].data as number[];
      const y = a.response.outputs.find((o) => o.name === 'y');
      assert.deepEqual(y?.data, x.map(Math.fround));
      assert.deepEqual(
        a.response.outputs.map((o) => o.name),
        i >= 5 ? ['y'] : ['y', 'neg'],
      );
    });
    assert.deepEqual(runner.stats().batchSizes, { 1: 1, 2: 3 });
    await runner.close();
  });

  it('keeps batches within maxBatchSize rows; a bigger request runs alone', async () => {
    const runner = await runnerFor(pool, t.dir, 'mlp', MLP, { ...HOLD, maxBatchSize: 4 });
    const rows = [1, 1, 1, 1, 1, 1, 1, 5, 2, 2];
    const requests = rows.map((r, i) => fp32Request('input', r, 8, 100 + i));
    const answers = await allFirstThenRest(requests.map((r) => () => runner.infer(r)));
    // first alone; then [1,1,1,1]; then [1,1] + [2] (5 does not fit); then the 5 alone; then the last 2.
    assert.deepEqual(
      answers.map((a) => a.timing.batchSize),
      [1, 4, 4, 4, 4, 3, 3, 1, 3, 1],
    );
    assert.deepEqual(runner.stats().batchSizes, { 1: 3, 3: 1, 4: 1 });
    assert.equal(runner.stats().inferenceCount, 16);
    for (let i = 0; i < requests.length; i++)
      assertOutputsClose(answers[i].response.outputs, (await reference.infer(requests[i])).response.outputs);
    await runner.close();
  });

  it('refuses requests past a full queue with OVERLOADED and a retry-after hint; serves the rest', async () => {
    const runner = await runnerFor(pool, t.dir, 'mlp', MLP, { ...HOLD, maxQueueSize: 3 });
    const { pending: running } = await first(() => runner.infer(fp32Request('input', 1, 8, 0)));
    const accepted = [running, ...[1, 2, 3].map((i) => runner.infer(fp32Request('input', 1, 8, i)))];
    const e = await rejectsWith(runner.infer(fp32Request('input', 1, 8, 9)), 'OVERLOADED', /3 requests waiting/);
    const after = retryAfterSeconds(e);
    assert.ok(after !== undefined && after >= 1 && after <= 60, `retry after ${after}`);
    assert.equal(runner.stats().requestOverloaded, 1);
    assert.equal(runner.stats().queued, 3);
    await Promise.all(accepted);
    await runner.infer(fp32Request('input', 1, 8, 9));
    await runner.close();
  });

  it('merges the requests of one event-loop turn, the first included, when nothing is running', async () => {
    const runner = await runnerFor(pool, t.dir, 'mlp', MLP, HOLD);
    const answers = await Promise.all([0, 1, 2, 3].map((i) => runner.infer(fp32Request('input', 1, 8, 200 + i))));
    assert.deepEqual(
      answers.map((a) => a.timing.batchSize),
      [4, 4, 4, 4],
    );
    assert.deepEqual(runner.stats().batchSizes, { 4: 1 });
    await runner.close();
  });

  it('under sustained traffic, keeps two batches per worker in flight instead of one taking every request', async () => {
    // Eight clients in a closed loop on one worker: with every request in one batch the worker would idle
    // while the answers go out and the requests come back (Triton: concurrency = 2 x max batch x instances).
    const runner = await runnerFor(pool, t.dir, 'mlp', MLP, { maxQueueDelayMs: 1 });
    const until = performance.now() + 1500;
    const sizes: { at: number; size: number }[] = [];
    const client = async (c: number) => {
      for (let i = 0; performance.now() < until; i++) {
        const { timing } = await runner.infer(fp32Request('input', 1, 8, c * 1000 + i));
        sizes.push({ at: performance.now(), size: timing.batchSize });
      }
    };
    const started = performance.now();
    await Promise.all(Array.from({ length: 8 }, (_, c) => client(c)));
    // The first burst has no history and merges whole; after a window of sustained traffic, at most 8 / 2.
    const late = sizes.filter((s) => s.at > started + 700).map((s) => s.size);
    assert.ok(late.length > 100, `${late.length} answers after the first window`);
    assert.ok(Math.max(...late) <= 4, `batch sizes after the first window: up to ${Math.max(...late)}`);
    assert.ok(
      late.some((n) => n > 1),
      'still batched',
    );
    await runner.close();
  });

  it('runs every request alone when batching is off', async () => {
    assert.equal(reference.batchable, false);
    const answers = await Promise.all([0, 1, 2, 3].map((i) => reference.infer(fp32Request('input', 2, 8, i))));
    assert.deepEqual(
      answers.map((a) => a.timing.batchSize),
      [1, 1, 1, 1],
    );
    assert.equal(reference.stats().batchSizes[2], undefined);
  });

  it('does not hold a lone request for the queue delay (nothing else is running)', async () => {
    const runner = await runnerFor(pool, t.dir, 'mlp', MLP, HOLD);
    for (let i = 0; i < 3; i++) {
      const { timing } = await runner.infer(fp32Request('input', 1, 8, i));
      assert.ok(timing.queueMs < HOLD.maxQueueDelayMs / 2, `queued ${timing.queueMs} ms`);
    }
    await runner.close();
  });

  it('re-runs one by one when a model’s outputs do not follow the batch, and stops merging', async () => {
    // ReduceSum over rows claims a ['batch', 3] output but always gives one row.
    const bytes = buildGraph({
      opset: 11,
      inputs: [{ name: 'x', type: 'float32', dims: ['batch', 3] }],
      outputs: [{ name: 'y', type: 'float32', dims: ['batch', 3] }],
      nodes: [
        {
          op: 'ReduceSum',
          inputs: ['x'],
          outputs: ['y'],
          attributes: [
            { name: 'axes', ints: [0], type: 7 },
            { name: 'keepdims', i: 1, type: 2 },
          ],
        },
      ],
    });
    const runner = await runnerFor(pool, t.dir, 'reduce', bytes, HOLD);
    assert.equal(runner.batchable, true);
    const requests = [0, 1, 2, 3].map((i) => fp32Request('x', 1, 3, i));
    const answers = await Promise.all(requests.map((r) => runner.infer(r)));
    answers.forEach((a, i) =>
      assert.deepEqual(a.response.outputs[0].data, (requests[i].inputs[0].data as number[]).map(Math.fround)),
    );
    assert.deepEqual(runner.stats().batchSizes, { 1: 4 });
    const later = await Promise.all(requests.map((r) => runner.infer(r)));
    assert.ok(later.every((a) => a.timing.batchSize === 1));
    assert.equal(runner.batchable, false);
    await runner.close();
  });

  it('when onnxruntime fails on a merged batch, only the request at fault fails', async () => {
    // GatherElements refuses an index out of range: a fault of one request's values, not of its shape.
    const bytes = buildGraph({
      inputs: [
        { name: 'x', type: 'float32', dims: ['batch', 3] },
        { name: 'idx', type: 'int64', dims: ['batch', 1] },
      ],
      outputs: [{ name: 'y', type: 'float32', dims: ['batch', 1] }],
      nodes: [
        { op: 'GatherElements', inputs: ['x', 'idx'], outputs: ['y'], attributes: [{ name: 'axis', i: 1, type: 2 }] },
      ],
    });
    const runner = await runnerFor(pool, t.dir, 'gather', bytes, HOLD);
    const req = (i: number): InferRequest => ({
      inputs: [
        { name: 'x', shape: [1, 3], datatype: 'FP32', data: [10, 20, 30] },
        { name: 'idx', shape: [1, 1], datatype: 'INT64', data: [i] },
      ],
    });
    const settled = await Promise.allSettled([0, 1, 7, 2].map((i) => runner.infer(req(i))));
    assert.deepEqual(
      settled.map((s) =>
        s.status === 'fulfilled' ? s.value.response.outputs[0].data : (s.reason as { code: string }).code,
      ),
      [[10], [20], 'INTERNAL', [30]],
    );
    assert.equal(runner.stats().requestFailure, 1);
    assert.equal(runner.stats().requestSuccess, 3);
    await runner.close();
  });

  it('a request cancelled while queued or running fails alone (CANCELLED); the others are answered', async () => {
    const runner = await runnerFor(pool, t.dir, 'mlp', MLP, HOLD);
    const [running, queued] = [new AbortController(), new AbortController()];
    const { pending: started } = await first(() => runner.infer(fp32Request('input', 1, 8, 0), running.signal));
    const cancelledOne = runner.infer(fp32Request('input', 1, 8, 1), queued.signal);
    const third = runner.infer(fp32Request('input', 1, 8, 2));
    queued.abort();
    running.abort();
    await rejectsWith(cancelledOne, 'CANCELLED');
    await rejectsWith(started, 'CANCELLED');
    assert.equal((await third).timing.batchSize, 1);
    const s = runner.stats();
    assert.equal(s.requestFailure, 2);
    assert.equal(s.requestSuccess, 1);
    assert.equal(s.executionCount, 2, 'the first run went on (a run cannot be interrupted)');
    await rejectsWith(runner.infer(fp32Request('input', 1, 8, 3), AbortSignal.abort()), 'CANCELLED');
    await runner.close();
  });

  it("leaves no abort listener on a signal its requests share (a kept-alive connection's), answered or cancelled", async () => {
    const runner = await runnerFor(pool, t.dir, 'mlp', MLP, HOLD);
    const shared = new AbortController();
    for (let i = 0; i < 12; i++) await runner.infer(fp32Request('input', 1, 8, i), shared.signal);
    // At most ten at once: more listeners on one signal make Node warn (as one listener per request always did).
    await Promise.all(Array.from({ length: 8 }, (_, i) => runner.infer(fp32Request('input', 1, 8, i), shared.signal)));
    assert.equal(getEventListeners(shared.signal, 'abort').length, 0);
    const leaving = new AbortController();
    const cancelledOnes = Array.from({ length: 3 }, (_, i) =>
      runner.infer(fp32Request('input', 1, 8, i), leaving.signal),
    );
    assert.equal(getEventListeners(leaving.signal, 'abort').length, 3);
    leaving.abort();
    for (const c of cancelledOnes) await rejectsWith(c, 'CANCELLED');
    assert.equal(getEventListeners(leaving.signal, 'abort').length, 0);
    await runner.close();
  });
});
