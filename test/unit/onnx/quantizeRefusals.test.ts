import assert from 'node:assert/strict';
import { isMlopsError } from '../../../src/core/errors';
import { inspectOnnx } from '../../../src/core/onnx/inspect';
import { modelType } from '../../../src/core/onnx/onnxSchema';
import { FP16_NOTE, halfBits, quantizeOnnx, type QuantizeOptions } from '../../../src/core/onnx/quantize';
import { decodeModel } from '../../../src/core/onnx/quantize/graph';
import { WorkerPool } from '../../../src/core/serving/runtime';
import { attrFloat, buildGraph, valueInfo, values } from '../../builders/linearBuilder';
import { buildMlp } from '../../builders/mlpBuilder';
import { runOnce } from '../../helpers/quantizeReference';
import { tempDir } from '../../helpers/tmp';

const INT8: QuantizeOptions = { mode: 'int8', weightType: 'u8', perChannel: true, reduceRange: false };

function refused(bytes: Uint8Array, pattern: RegExp, o: QuantizeOptions = INT8): void {
  assert.throws(
    () => quantizeOnnx(bytes, o, 'm.onnx'),
    (e: unknown) => {
      assert.ok(isMlopsError(e), String(e));
      assert.match(e.message, pattern);
      assert.match(e.message, /^m\.onnx /, 'the sentence names the model');
      assert.ok(e.hint && e.hint.length > 10, 'and says what to do');
      return true;
    },
  );
}

/** A MatMul whose weight is a graph input (computed or fed at run time), beside one with a constant weight. */
function mixedModel(withConstant: boolean): Uint8Array {
  return buildGraph({
    nodes: [
      { opType: 'MatMul', input: ['x', 'w'], output: withConstant ? ['h'] : ['y'], name: 'dynamic' },
      ...(withConstant ? [{ opType: 'MatMul', input: ['h', 'W2'], output: ['y'], name: 'constant' }] : []),
    ],
    inits: [{ name: 'W2', dims: [3, 2], values: values(6, 1) }],
    inputs: [valueInfo('x', ['batch', 4]), valueInfo('w', [4, 3])],
    outputs: [valueInfo('y', ['batch', withConstant ? 2 : 3])],
  });
}

describe('quantizer: what it leaves alone and what it refuses', function () {
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

  it('a MatMul whose weight is not a constant stays untouched; the constant one beside it is rewritten', async () => {
    const src = mixedModel(true);
    const r = quantizeOnnx(src, INT8);
    assert.deepEqual(r.rewritten, [{ node: 'constant', opType: 'MatMul' }]);
    assert.equal(r.skipped.length, 1);
    assert.equal(r.skipped[0].node, 'dynamic');
    assert.match(r.skipped[0].reason ?? '', /graph input|not a constant/);
    const dyn = decodeModel(r.bytes).graph.node.find((n) => n.name === 'dynamic');
    assert.ok(dyn);
    assert.equal(dyn.opType, 'MatMul');
    assert.deepEqual([...dyn.input], ['x', 'w']);
    const feeds = { x: { data: values(8, 3), shape: [2, 4] }, w: { data: values(12, 4), shape: [4, 3] } };
    const [q, f] = [await runOnce(pool, t.dir, r.bytes, feeds), await runOnce(pool, t.dir, src, feeds)];
    for (let i = 0; i < f.y.length; i++) assert.ok(Math.abs(q.y[i] - f.y[i]) < 0.05);
  });

  it('refuses a model whose only MatMuls have dynamic weights', () => {
    refused(mixedModel(false), /nothing to quantize: none of its 1 MatMul\/Gemm nodes has a constant float weight/);
  });

  it('refuses a model with nothing to quantize (no MatMul or Gemm)', () => {
    const bytes = buildGraph({
      nodes: [{ opType: 'Add', input: ['x', 'b'], output: ['y'], name: 'add' }],
      inits: [{ name: 'b', dims: [4], values: values(4, 1) }],
      inputs: [valueInfo('x', ['batch', 4])],
      outputs: [valueInfo('y', ['batch', 4])],
    });
    refused(bytes, /nothing to quantize: it has no MatMul or Gemm node/);
  });

  it('refuses a model that is quantized already', () => {
    const once = quantizeOnnx(buildMlp({ inputDim: 4, hidden: [8], outputDim: 3 }), INT8).bytes;
    refused(once, /quantized already \(it has a DynamicQuantizeLinear node\)/);
    refused(once, /quantized already/, { mode: 'fp16' });
  });

  it('refuses a model with external-data initializers', () => {
    const T = modelType('full');
    const m = T.toObject(T.decode(buildMlp({ inputDim: 4, hidden: [8], outputDim: 3 }))) as {
      graph: { initializer: Record<string, unknown>[] };
    };
    const w = m.graph.initializer[0];
    delete w.rawData;
    w.dataLocation = 1;
    w.externalData = [{ key: 'location', value: 'weights.bin' }];
    refused(T.encode(T.fromObject(m)).finish(), /keeps its weights in external data files/);
  });

  it('refuses opsets too old to upgrade, and ops whose meaning changed before 11', () => {
    refused(buildMlp({ inputDim: 4, hidden: [8], outputDim: 3, opset: 6 }), /opset 6 is older than 7/);
    const clip = buildGraph({
      nodes: [
        { opType: 'MatMul', input: ['x', 'W'], output: ['h'], name: 'mm' },
        { opType: 'Clip', input: ['h'], output: ['y'], name: 'clip', attribute: [attrFloat('min', 0)] },
      ],
      inits: [{ name: 'W', dims: [4, 3], values: values(12, 1) }],
      inputs: [valueInfo('x', ['batch', 4])],
      outputs: [valueInfo('y', ['batch', 3])],
      opset: 10,
    });
    refused(clip, /opset 10 is older than 11, and its Clip ops changed meaning/);
  });

  it('upgrades opset 9 to 11 when every op means the same there, and the result runs', async () => {
    const src = buildMlp({ inputDim: 4, hidden: [8], outputDim: 3, softmax: true, opset: 9 });
    const r = quantizeOnnx(src, INT8);
    assert.deepEqual(r.opsetUpgrade, { from: 9, to: 11 });
    assert.deepEqual(inspectOnnx(r.bytes).summary.opsets, [{ domain: '', version: 11 }]);
    const feeds = { input: { data: values(8, 2), shape: [2, 4] } };
    const [q, f] = [await runOnce(pool, t.dir, r.bytes, feeds), await runOnce(pool, t.dir, src, feeds)];
    for (let i = 0; i < f.output.length; i++) assert.ok(Math.abs(q.output[i] - f.output[i]) < 0.02);
  });

  describe('fp16 weights', () => {
    it('stores float weights as float16 behind Casts, halves the weight bytes, runs close to fp32, and says it rarely speeds up a CPU', async () => {
      const src = buildMlp({ inputDim: 16, hidden: [64], outputDim: 4, softmax: true });
      const r = quantizeOnnx(src, { mode: 'fp16' });
      assert.equal(r.optimization, 'fp16-weights');
      assert.ok(r.notes.includes(FP16_NOTE));
      assert.match(FP16_NOTE, /rarely/);
      assert.equal(r.weightBytesAfter * 2, r.weightBytesBefore);
      assert.ok(r.bytes.length < src.length * 0.6, `${r.bytes.length} vs ${src.length}`);
      const g = decodeModel(r.bytes).graph;
      assert.ok(g.initializer.every((i) => i.dataType === 10 || i.dims.length <= 1));
      assert.deepEqual(inspectOnnx(r.bytes).signature, inspectOnnx(src).signature);
      const feeds = { input: { data: values(3 * 16, 5), shape: [3, 16] } };
      const [q, f] = [await runOnce(pool, t.dir, r.bytes, feeds), await runOnce(pool, t.dir, src, feeds)];
      for (let i = 0; i < f.output.length; i++) assert.ok(Math.abs(q.output[i] - f.output[i]) < 1e-3);
    });

    it('converts floats to half precision, rounding to nearest even and saturating at 65504', () => {
      assert.equal(halfBits(1), 0x3c00);
      assert.equal(halfBits(-2), 0xc000);
      assert.equal(halfBits(65504), 0x7bff);
      assert.equal(halfBits(1e6), 0x7bff);
      assert.equal(halfBits(-1e6), 0xfbff);
      assert.equal(halfBits(1 + 2 ** -11), 0x3c00, 'a tie rounds to even');
      assert.equal(halfBits(1 + 3 * 2 ** -11), 0x3c02);
      assert.equal(halfBits(2 ** -24), 0x0001, 'smallest subnormal');
      assert.equal(halfBits(0), 0);
    });
  });
});
