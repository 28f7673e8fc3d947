import assert from 'node:assert/strict';
import { inspectOnnx } from '../../../src/core/onnx/inspect';
import { quantizeOnnx, type Int8Options } from '../../../src/core/onnx/quantize';
import { decodeModel, floatValues } from '../../../src/core/onnx/quantize/graph';
import { WorkerPool } from '../../../src/core/serving/runtime';
import { attrFloat, attrInt, buildGraph, valueInfo, values } from '../../builders/linearBuilder';
import { buildMlp } from '../../builders/mlpBuilder';
import {
  dynamicQuantizeLinear,
  ELEM,
  exposeOutputs,
  matMulInteger,
  referenceWeight,
  runOnce,
} from '../../helpers/quantizeReference';
import { tempDir } from '../../helpers/tmp';

/**
 * Every rewritten pattern, run in onnxruntime-node (through the serving runtime's worker), computes what
 * the ONNX operator definitions give: the integer parts (DynamicQuantizeLinear's uint8 values and zero
 * point, MatMulInteger's int32 sums) exactly, the float results to float32 rounding.
 */
const VARIANTS: Int8Options[] = [
  { weightType: 'u8', perChannel: false, reduceRange: false },
  { weightType: 'u8', perChannel: true, reduceRange: false },
  { weightType: 's8', perChannel: false, reduceRange: false },
  { weightType: 's8', perChannel: true, reduceRange: false },
  { weightType: 's8', perChannel: true, reduceRange: true },
  { weightType: 'u8', perChannel: false, reduceRange: true },
];

function intermediates(bytes: Uint8Array): { q: string; scale: string; zp: string; mmi: string } {
  const g = decodeModel(bytes).graph;
  const dql = g.node.find((n) => n.opType === 'DynamicQuantizeLinear');
  const mmi = g.node.find((n) => n.opType === 'MatMulInteger');
  assert.ok(dql && mmi, 'the rewrite has DynamicQuantizeLinear and MatMulInteger');
  return { q: dql.output[0], scale: dql.output[1], zp: dql.output[2], mmi: mmi.output[0] };
}

function expose(bytes: Uint8Array) {
  const n = intermediates(bytes);
  return {
    names: n,
    bytes: exposeOutputs(bytes, [
      { name: n.q, elemType: ELEM.UINT8 },
      { name: n.scale, elemType: ELEM.FLOAT },
      { name: n.zp, elemType: ELEM.UINT8 },
      { name: n.mmi, elemType: ELEM.INT32 },
    ]),
  };
}

function closeTo(actual: ArrayLike<number>, expected: ArrayLike<number>, rel: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    const tol = rel * Math.max(1, Math.abs(expected[i]));
    assert.ok(Math.abs(actual[i] - expected[i]) <= tol, `${what}[${i}]: ${actual[i]} vs ${expected[i]}`);
  }
}

describe('int8 dynamic quantization against the reference formulas (onnxruntime-node)', function () {
  this.timeout(60_000);
  let pool: WorkerPool;
  let t: ReturnType<typeof tempDir>;
  before(() => {
    pool = WorkerPool.create({ workers: 1 });
    t = tempDir('mlops-quant-');
  });
  after(async () => {
    await pool.close();
    t.cleanup();
  });

  for (const v of VARIANTS) {
    const name = `${v.weightType} ${v.perChannel ? 'per channel' : 'per tensor'}${v.reduceRange ? ' reduce-range' : ''}`;
    it(`MatMul with a constant weight, ${name}`, async () => {
      const [M, K, N] = [4, 5, 3];
      const src = buildMlp({ inputDim: K, hidden: [], outputDim: N, seed: 3 });
      const r = quantizeOnnx(src, { mode: 'int8', ...v });
      assert.deepEqual(
        r.rewritten.map((x) => x.opType),
        ['MatMul'],
      );
      assert.deepEqual(inspectOnnx(r.bytes).signature, inspectOnnx(src).signature, 'same inputs and outputs');
      const ops = decodeModel(r.bytes).graph.node.map((n) => n.opType);
      assert.deepEqual(ops, ['DynamicQuantizeLinear', 'MatMulInteger', 'Cast', 'Mul', 'Mul', 'Add']);

      const x = values(M * K, 11).map((z) => z * 3);
      const { names, bytes } = expose(r.bytes);
      const out = await runOnce(pool, t.dir, bytes, { input: { data: x, shape: [M, K] } });

      const w = decodeModel(src).graph.initializer;
      const W = floatValues(w.find((i) => i.name === 'W0')!);
      const B = floatValues(w.find((i) => i.name === 'B0')!);
      const a = dynamicQuantizeLinear(x);
      assert.deepEqual(out[names.q], [...a.q], 'DynamicQuantizeLinear values');
      assert.deepEqual(out[names.zp], [a.zp], 'DynamicQuantizeLinear zero point');
      assert.equal(out[names.scale][0], a.scale, 'DynamicQuantizeLinear scale');
      const ref = referenceWeight(W, K, N, { signed: v.weightType === 's8', ...v });
      const ints = matMulInteger(a.q, a.zp, ref.q, ref.zp, M, K, N);
      assert.deepEqual(out[names.mmi], [...ints], 'MatMulInteger int32 sums');
      const y = Array.from(ints, (s, i) => {
        const ws = ref.scale.length === 1 ? ref.scale[0] : ref.scale[i % N];
        return Math.fround(Math.fround(s) * Math.fround(a.scale * ws)) + B[i % N];
      });
      closeTo(out.output, y, 1e-5, 'output');
      // And close to the float model (quantization error only).
      const exact = await runOnce(pool, t.dir, src, { input: { data: x, shape: [M, K] } });
      closeTo(out.output, exact.output, v.reduceRange ? 0.15 : 0.05, 'output vs fp32');
    });
  }

  it('Gemm with transB, alpha, beta and a constant bias', async () => {
    const [M, K, N] = [3, 4, 2];
    const Bt = values(N * K, 5); // stored [N, K] (transB = 1)
    const C = values(N, 9);
    const src = buildGraph({
      nodes: [
        {
          opType: 'Gemm',
          input: ['a', 'B', 'C'],
          output: ['y'],
          name: 'gemm',
          attribute: [attrInt('transB', 1), attrFloat('alpha', 0.5), attrFloat('beta', 2)],
        },
      ],
      inits: [
        { name: 'B', dims: [N, K], values: Bt },
        { name: 'C', dims: [N], values: C },
      ],
      inputs: [valueInfo('a', ['batch', K])],
      outputs: [valueInfo('y', ['batch', N])],
    });
    for (const v of [VARIANTS[1], VARIANTS[2]]) {
      const r = quantizeOnnx(src, { mode: 'int8', ...v });
      assert.deepEqual(
        r.rewritten.map((x) => x.opType),
        ['Gemm'],
      );
      assert.ok(!decodeModel(r.bytes).graph.node.some((n) => n.opType === 'Gemm'));
      const x = values(M * K, 21).map((z) => z * 2);
      const { names, bytes } = expose(r.bytes);
      const out = await runOnce(pool, t.dir, bytes, { a: { data: x, shape: [M, K] } });
      const W = new Float32Array(K * N);
      for (let n = 0; n < N; n++) for (let k = 0; k < K; k++) W[k * N + n] = Bt[n * K + k];
      const a = dynamicQuantizeLinear(x);
      const ref = referenceWeight(W, K, N, { signed: v.weightType === 's8', ...v });
      const ints = matMulInteger(a.q, a.zp, ref.q, ref.zp, M, K, N);
      assert.deepEqual(out[names.mmi], [...ints], 'MatMulInteger int32 sums');
      const y = Array.from(ints, (s, i) => {
        const ws = Math.fround((ref.scale.length === 1 ? ref.scale[0] : ref.scale[i % N]) * 0.5);
        return Math.fround(Math.fround(s) * Math.fround(a.scale * ws)) + Math.fround(2 * C[i % N]);
      });
      closeTo(out.y, y, 1e-5, 'y');
      const exact = await runOnce(pool, t.dir, src, { a: { data: x, shape: [M, K] } });
      closeTo(out.y, exact.y, 0.05, 'y vs fp32 Gemm');
    }
  });

  it('Gemm with transA and a bias computed in the graph (beta applied by a Mul)', async () => {
    const [M, K, N] = [3, 4, 2];
    const src = buildGraph({
      nodes: [
        {
          opType: 'Gemm',
          input: ['aT', 'B', 'c'],
          output: ['y'],
          name: 'gemm',
          attribute: [attrInt('transA', 1), attrFloat('beta', 0.5)],
        },
      ],
      inits: [{ name: 'B', dims: [K, N], values: values(K * N, 3) }],
      inputs: [valueInfo('aT', [K, M]), valueInfo('c', [M, N])],
      outputs: [valueInfo('y', [M, N])],
    });
    const r = quantizeOnnx(src, { mode: 'int8', ...VARIANTS[3] });
    const ops = decodeModel(r.bytes).graph.node.map((n) => n.opType);
    assert.deepEqual(ops, ['Transpose', 'DynamicQuantizeLinear', 'MatMulInteger', 'Cast', 'Mul', 'Mul', 'Mul', 'Add']);
    const feeds = { aT: { data: values(K * M, 8), shape: [K, M] }, c: { data: values(M * N, 4), shape: [M, N] } };
    const [q, f] = [await runOnce(pool, t.dir, r.bytes, feeds), await runOnce(pool, t.dir, src, feeds)];
    closeTo(q.y, f.y, 0.03, 'y vs fp32 Gemm');
  });

  it('one DynamicQuantizeLinear serves every MatMul reading the same activation; a shared weight is quantized once', async () => {
    const [K, N] = [4, 3];
    const src = buildGraph({
      nodes: [
        { opType: 'MatMul', input: ['x', 'W'], output: ['p'], name: 'mm1' },
        { opType: 'MatMul', input: ['x', 'W'], output: ['q'], name: 'mm2' },
        { opType: 'Add', input: ['p', 'q'], output: ['y'], name: 'add' },
      ],
      inits: [{ name: 'W', dims: [K, N], values: values(K * N, 2) }],
      inputs: [valueInfo('x', ['batch', K])],
      outputs: [valueInfo('y', ['batch', N])],
    });
    const r = quantizeOnnx(src, { mode: 'int8', ...VARIANTS[0] });
    const g = decodeModel(r.bytes).graph;
    assert.equal(g.node.filter((n) => n.opType === 'DynamicQuantizeLinear').length, 1);
    assert.equal(g.initializer.filter((i) => i.dataType === ELEM.UINT8 && i.dims.length === 2).length, 1);
    assert.ok(!g.initializer.some((i) => i.name === 'W'), 'the float weight no longer used is dropped');
    const feeds = { x: { data: values(2 * K, 6), shape: [2, K] } };
    closeTo((await runOnce(pool, t.dir, r.bytes, feeds)).y, (await runOnce(pool, t.dir, src, feeds)).y, 0.05, 'y');
  });
});
