import assert from 'node:assert/strict';
import { WorkerPool } from '../../../../src/core/serving/runtime';
import type { Datatype } from '../../../../src/core/serving/types';
import { buildGraph, buildIdentity, type OnnxTypeName } from '../../../builders/graphBuilder';
import { tempDir } from '../../../helpers/tmp';
import { EXACT_TYPE_CASES, rejectsWith, runnerFor } from './fixtures';

/** Every OIP datatype through a real onnxruntime session (an Identity model of that element type). */
const CASES: { type: OnnxTypeName; datatype: Datatype; data: unknown[]; expected?: unknown[] }[] = [
  ...EXACT_TYPE_CASES,
  { type: 'float32', datatype: 'FP32', data: [0.5, -1.25, 3e38] },
  { type: 'float64', datatype: 'FP64', data: [0.1, -1e300, Math.PI] },
  { type: 'string', datatype: 'BYTES', data: ['a', '', 'ünïcödé'] },
  // JSON has no half floats: FP32 numbers go in, rounded to the nearest half; FP16 comes out.
  { type: 'float16', datatype: 'FP32', data: [0.5, 0.1, 65504], expected: [0.5, 0.0999755859375, 65504] },
];

describe('serving runtime: every datatype through a real session', function () {
  this.timeout(120_000);
  let pool: WorkerPool;
  let t: ReturnType<typeof tempDir>;
  before(() => {
    t = tempDir();
    pool = WorkerPool.create({ workers: 1 });
  });
  after(async () => {
    await pool.close();
    t.cleanup();
  });

  for (const c of CASES) {
    it(`${c.type}: ${c.datatype} in, ${c.type === 'float16' ? 'FP16' : c.datatype} out, flat and nested`, async () => {
      const runner = await runnerFor(pool, t.dir, `id-${c.type}`, buildIdentity(c.type, ['batch', 3]));
      assert.equal(runner.load.warmupError, undefined);
      const flat = await runner.infer({
        id: 'r1',
        inputs: [{ name: 'x', shape: [1, 3], datatype: c.datatype, data: c.data }],
      });
      const nested = await runner.infer({
        inputs: [{ name: 'x', shape: [1, 3], datatype: c.datatype, data: [c.data] }],
      });
      const want = {
        name: 'y',
        shape: [1, 3],
        datatype: c.type === 'float16' ? 'FP16' : c.datatype,
        data: c.expected ?? (c.type === 'float32' ? c.data.map((v) => Math.fround(v as number)) : c.data),
      };
      assert.deepEqual(flat.response, { model_name: `id-${c.type}`, model_version: '1', id: 'r1', outputs: [want] });
      assert.deepEqual(nested.response.outputs, [want]);
      await runner.close();
    });
  }

  it('a model of several inputs and outputs: each output by name, filtered and in the order asked', async () => {
    const bytes = buildGraph({
      inputs: [
        { name: 'a', type: 'float32', dims: ['batch', 2] },
        { name: 'b', type: 'float32', dims: ['batch', 2] },
      ],
      outputs: [
        { name: 'sum', type: 'float32', dims: ['batch', 2] },
        { name: 'prod', type: 'float32', dims: ['batch', 2] },
      ],
      nodes: [
        { op: 'Add', inputs: ['a', 'b'], outputs: ['sum'] },
        { op: 'Mul', inputs: ['a', 'b'], outputs: ['prod'] },
      ],
    });
    const runner = await runnerFor(pool, t.dir, 'two', bytes);
    const inputs = [
      { name: 'b', shape: [1, 2], datatype: 'FP32' as const, data: [3, 4] },
      { name: 'a', shape: [1, 2], datatype: 'FP32' as const, data: [1, 2] },
    ];
    const all = await runner.infer({ inputs });
    assert.deepEqual(
      all.response.outputs.map((o) => [o.name, o.data]),
      [
        ['sum', [4, 6]],
        ['prod', [3, 8]],
      ],
    );
    const one = await runner.infer({ inputs, outputs: [{ name: 'prod' }, { name: 'sum' }] });
    assert.deepEqual(
      one.response.outputs.map((o) => o.name),
      ['prod', 'sum'],
    );
    await rejectsWith(runner.infer({ inputs, outputs: [{ name: 'diff' }] }), 'INVALID_ARGUMENT', /output 'diff'/);
    await runner.close();
  });

  it('a runtime failure the signature cannot foresee is an INTERNAL error naming the model', async () => {
    // Reshape to a fixed 4 elements: the signature takes any row count, the graph only 2 rows of 2.
    const bytes = buildGraph({
      inputs: [
        { name: 'x', type: 'float32', dims: ['n', 2] },
        { name: 'shape', type: 'int64', dims: [2] },
      ],
      outputs: [{ name: 'y', type: 'float32', dims: [null, null] }],
      nodes: [{ op: 'Reshape', inputs: ['x', 'shape'], outputs: ['y'] }],
    });
    const runner = await runnerFor(pool, t.dir, 'reshape', bytes);
    const req = (rows: number) => ({
      inputs: [
        { name: 'x', shape: [rows, 2], datatype: 'FP32' as const, data: new Array(rows * 2).fill(1) },
        { name: 'shape', shape: [2], datatype: 'INT64' as const, data: [2, 2] },
      ],
    });
    assert.deepEqual((await runner.infer(req(2))).response.outputs[0].shape, [2, 2]);
    await rejectsWith(runner.infer(req(3)), 'INTERNAL', /onnxruntime failed to run the model reshape v1: .*/);
    assert.equal(runner.stats().requestFailure, 1);
    assert.deepEqual((await runner.infer(req(2))).response.outputs[0].shape, [2, 2], 'the runner keeps serving');
    await runner.close();
  });
});
