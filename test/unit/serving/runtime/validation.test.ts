import assert from 'node:assert/strict';
import { MlopsError } from '../../../../src/core/errors';
import type { ModelSignature } from '../../../../src/core/registry/types';
import { planModel, prepareRequest } from '../../../../src/core/serving/runtime';
import { fromHalfBits, toHalfBits } from '../../../../src/core/util/float16';
import { toResponseOutput } from '../../../../src/core/serving/runtime/tensorCodec';
import type { InferRequest, RequestInput } from '../../../../src/core/serving/types';

const SIG: ModelSignature = {
  inputs: [
    { name: 'x', elemType: 'float32', shape: ['batch', 3] },
    { name: 'ids', elemType: 'int64', shape: ['batch', 2] },
  ],
  outputs: [
    { name: 'y', elemType: 'float32', shape: ['batch', 1] },
    { name: 'z', elemType: 'int32', shape: ['n'] },
    { name: 'probs', elemType: 'sequence<map<int64,float32>>', shape: null },
  ],
};
const plan = planModel(SIG, 'test model');

const x = (over: Partial<RequestInput> = {}): RequestInput => ({
  name: 'x',
  shape: [2, 3],
  datatype: 'FP32',
  data: [1, 2, 3, 4, 5, 6],
  ...over,
});
const ids = (over: Partial<RequestInput> = {}): RequestInput => ({
  name: 'ids',
  shape: [2, 2],
  datatype: 'INT64',
  data: [1, 2, 3, 4],
  ...over,
});

function prep(req: Partial<InferRequest>, batching = true) {
  return prepareRequest(plan, { inputs: [x(), ids()], ...req } as InferRequest, batching);
}

function fails(req: Partial<InferRequest>, message: RegExp | string): void {
  assert.throws(
    () => prep(req),
    (e: unknown) => {
      assert.ok(e instanceof MlopsError, String(e));
      assert.equal(e.code, 'INVALID_ARGUMENT');
      if (typeof message === 'string') assert.equal(e.message, message);
      else assert.match(e.message, message);
      return true;
    },
  );
}

describe('serving runtime: requests checked against the signature', () => {
  it('encodes flat and nested data alike, into the model element types', () => {
    const flat = prep({});
    const nested = prep({
      inputs: [
        x({
          data: [
            [1, 2, 3],
            [4, 5, 6],
          ],
        }),
        ids({
          data: [
            [1, 2],
            [3, 4],
          ],
        }),
      ],
    });
    for (const p of [flat, nested]) {
      assert.ok(p.feeds.x.data instanceof Float32Array);
      assert.deepEqual(Array.from(p.feeds.x.data as Float32Array), [1, 2, 3, 4, 5, 6]);
      assert.ok(p.feeds.ids.data instanceof BigInt64Array);
      assert.deepEqual(Array.from(p.feeds.ids.data as BigInt64Array), [1n, 2n, 3n, 4n]);
      assert.deepEqual(p.feeds.x.dims, [2, 3]);
      assert.equal(p.rows, 2);
      assert.deepEqual(p.outputs, ['y', 'z'], 'outputs OIP cannot carry are left out by default');
    }
    assert.equal(flat.mergeKey, nested.mergeKey);
  });

  it('converts FP64 and integer data for an FP32 input; keeps typed arrays passed in-process (copied)', () => {
    const f64 = prep({ inputs: [x({ datatype: 'FP64', data: [0.1, 2, 3, 4, 5, 6] }), ids()] });
    assert.equal((f64.feeds.x.data as Float32Array)[0], Math.fround(0.1));
    const ints = prep({ inputs: [x({ datatype: 'INT32' }), ids()] });
    assert.ok(ints.feeds.x.data instanceof Float32Array);
    const mine = new Float32Array([1, 2, 3, 4, 5, 6]);
    const typed = prep({ inputs: [x({ data: mine }), ids({ data: new BigInt64Array([1n, 2n, 3n, 4n]) })] });
    assert.notEqual(typed.feeds.x.data, mine, 'the caller keeps its array (ours is transferred)');
    assert.deepEqual(Array.from(typed.feeds.x.data as Float32Array), [1, 2, 3, 4, 5, 6]);
  });

  it('names the input, what it expects and what it got', () => {
    fails(
      { inputs: [x({ shape: [2, 29], data: new Array(58).fill(0) }), ids()] },
      /^input 'x': expected FP32 \[batch, 3\], got \[2, 29\]$/,
    );
    fails(
      { inputs: [x({ shape: [6], data: [1, 2, 3, 4, 5, 6] }), ids()] },
      /input 'x': expected FP32 \[batch, 3\], got \[6\]/,
    );
    fails(
      { inputs: [x({ shape: [0, 3], data: [] }), ids()] },
      /input 'x': expected FP32 \[batch, 3\], got \[0, 3\] \(dimensions of size 0/,
    );
    fails(
      { inputs: [x({ datatype: 'BYTES', data: ['a', 'b', 'c', 'd', 'e', 'f'] }), ids()] },
      /input 'x': expected FP32 \[batch, 3\], got BYTES/,
    );
    fails({ inputs: [x({ datatype: 'BOOL' }), ids()] }, /input 'x': expected FP32 \[batch, 3\], got BOOL/);
    fails(
      { inputs: [x({ datatype: 'FP16' }), ids()] },
      "input 'x': FP16 is not supported in JSON data; send FP32, or send the tensor as binary data.",
    );
    fails({ inputs: [x({ datatype: 'FLOAT' as never }), ids()] }, /input 'x': datatype "FLOAT" is not an OIP datatype/);
    fails(
      { inputs: [x({ shape: [2, -3] }), ids()] },
      /input 'x': 'shape' must be a list of non-negative integers, got \[2,-3\]/,
    );
    fails({ inputs: [x({ shape: undefined as never }), ids()] }, /input 'x': 'shape' must be a list/);
  });

  it('refuses inputs that disagree on the size of a dimension they share by name (was: broadcast, 200)', () => {
    fails(
      { inputs: [x(), ids({ shape: [1, 2], data: [1, 2] })] },
      "input 'ids': dimension 'batch' is 1, but input 'x' has 'batch' = 2 (inputs that share a dimension name must agree on its size)",
    );
  });

  it("a missing 'data' says so, and names the binary part when binary_data_size promised one", () => {
    fails({ inputs: [x({ data: undefined }), ids()] }, "input 'x': 'data' is missing");
    fails(
      { inputs: [x({ data: undefined, parameters: { binary_data_size: 24 } }), ids()] },
      /input 'x': parameters\.binary_data_size is set, but the request has no binary part \(send the Inference-Header-Content-Length header/,
    );
    const e = new MlopsError('INVALID_ARGUMENT', "input 'x': 'data' is missing", 'Fix the request.');
    assert.equal(e.describe(), "input 'x': 'data' is missing. Fix the request.", 'the hint is a sentence of its own');
  });

  it('refuses missing, unknown and repeated inputs', () => {
    fails({ inputs: [x()] }, "input 'ids' is missing: expected INT64 [batch, 2]");
    fails(
      { inputs: [x(), ids(), { ...x(), name: 'z' }] },
      /input 'z' is not an input of the model \(expected: x, ids\)/,
    );
    fails({ inputs: [x(), x(), ids()] }, "input 'x' appears twice");
    fails({ inputs: undefined }, /must be an object with an 'inputs' list/);
    fails({ inputs: [x(), { ...ids(), name: undefined as never }] }, /every input needs a 'name'/);
  });

  it('checks element counts and nesting against the shape', () => {
    fails(
      { inputs: [x({ data: [1, 2, 3, 4, 5] }), ids()] },
      "input 'x': shape [2, 3] holds 6 elements, but data has 5",
    );
    fails(
      {
        inputs: [
          x({
            data: [
              [1, 2, 3],
              [4, 5],
            ],
          }),
          ids(),
        ],
      },
      "input 'x': nested data must follow shape [2, 3]: data[1] has 2 entries, expected 3",
    );
    fails({ inputs: [x({ data: [[1, 2, 3]] }), ids()] }, /data has 1 entries, expected 2/);
    fails({ inputs: [x({ data: [[1, 2, 3], 4] }), ids()] }, /data\[1\] is 4, expected a list of 3/);
    fails(
      {
        inputs: [
          x({
            data: [
              [[1], 2, 3],
              [4, 5, 6],
            ],
          }),
          ids(),
        ],
      },
      /deeper than shape \[2, 3\] \(at data\[0\]\[0\]\)/,
    );
    fails({ inputs: [x({ data: 'abc' }), ids()] }, /'data' must be a list, got the string "abc"/);
  });

  it('checks every element: strings for numbers, fractions and ranges of integer types', () => {
    fails(
      { inputs: [x({ data: [1, 2, '3', 4, 5, 6] }), ids()] },
      /input 'x': element 2 is the string "3", expected a number \(FP32\)/,
    );
    fails({ inputs: [x({ data: [1, 2, null, 4, 5, 6] }), ids()] }, /element 2 is null/);
    fails(
      { inputs: [x(), ids({ data: [1, 2.5, 3, 4] })] },
      /input 'ids': element 1 \(2.5\) is not an integer, as the declared INT64 requires/,
    );
    fails(
      { inputs: [x(), ids({ datatype: 'FP64', data: [1, 2.5, 3, 4] })] },
      /element 1 \(2.5\) is not an integer, as the model's INT64 requires/,
    );
    fails(
      { inputs: [x(), ids({ data: [1, 2 ** 60, 3, 4] })] },
      /input 'ids': element 1 \(1152921504606847000\) is out of range/,
    );
    fails(
      { inputs: [x({ datatype: 'UINT8', data: [1, 2, 300, 4, 5, 6] }), ids()] },
      /element 2 \(300\) is out of range for the declared UINT8 \[0, 255\]/,
    );
    fails(
      { inputs: [x({ datatype: 'FP64', data: [1, 2, 1e39, 4, 5, 6] }), ids()] },
      /element 2 \(1e\+39\) is out of range for the model's FP32/,
    );
    // In-process callers may pass exact 64-bit values as BigInt.
    const big = prep({ inputs: [x(), ids({ data: [1n, 2n ** 62n, 3n, 4n] })] });
    assert.equal((big.feeds.ids.data as BigInt64Array)[1], 2n ** 62n);
    fails(
      { inputs: [x(), ids({ data: [1n, 2n ** 63n, 3n, 4n] })] },
      /element 1 \(9223372036854775808\) is out of range/,
    );
  });

  it('checks the outputs filter', () => {
    assert.deepEqual(prep({ outputs: [{ name: 'y' }] }).outputs, ['y']);
    fails(
      { outputs: [{ name: 'nope' }] },
      "output 'nope' is not an output of the model (expected one of: y, z, probs)",
    );
    fails(
      { outputs: [{ name: 'probs' }] },
      /output 'probs' is a sequence<map<int64,float32>>, which cannot be returned/,
    );
    fails({ outputs: [] }, /'outputs' is empty/);
    fails({ outputs: 'y' as never }, /'outputs' must be a list/);
  });

  it('gives a merge key only when the batch dims agree and batching is on', () => {
    const a = prep({});
    const b = prep({ inputs: [x({ shape: [1, 3], data: [1, 2, 3] }), ids({ shape: [1, 2], data: [1, 2] })] });
    assert.equal(a.mergeKey, b.mergeKey, 'rows do not matter');
    assert.notEqual(prep({ outputs: [{ name: 'y' }] }).mergeKey, a.mergeKey, 'an outputs filter does');
    assert.equal(prep({}, false).mergeKey, null);
    // Inputs whose first dims have different names may differ in size; such a request runs alone.
    const apart = planModel(
      {
        inputs: [
          { name: 'x', elemType: 'float32', shape: ['n', 3] },
          { name: 'ids', elemType: 'int64', shape: ['m', 2] },
        ],
        outputs: SIG.outputs,
      },
      'm',
    );
    const unequalRows = prepareRequest(apart, { inputs: [x(), ids({ shape: [1, 2], data: [1, 2] })] }, true);
    assert.equal(unequalRows.mergeKey, null);
    const fixed = planModel({ inputs: [{ name: 'x', elemType: 'float32', shape: [2, 3] }], outputs: SIG.outputs }, 'm');
    const p = prepareRequest(fixed, { inputs: [x()] }, true);
    assert.equal(p.mergeKey, null);
    assert.equal(p.rows, 1);
  });

  it('accepts any shape for an input the graph leaves unshaped, bool and BYTES by their kinds only', () => {
    const open = planModel(
      {
        inputs: [
          { name: 's', elemType: 'string', shape: null },
          { name: 'b', elemType: 'bool', shape: [null] },
        ],
        outputs: [{ name: 'o', elemType: 'bool', shape: [null] }],
      },
      'm',
    );
    const p = prepareRequest(
      open,
      {
        inputs: [
          { name: 's', shape: [1, 2, 1], datatype: 'BYTES', data: [[['a'], ['b']]] },
          { name: 'b', shape: [3], datatype: 'BOOL', data: [true, false, true] },
        ],
      },
      true,
    );
    assert.deepEqual(p.feeds.s.data, ['a', 'b']);
    assert.deepEqual(Array.from(p.feeds.b.data as Uint8Array), [1, 0, 1]);
    assert.throws(
      () =>
        prepareRequest(
          open,
          {
            inputs: [
              { name: 's', shape: [1], datatype: 'BYTES', data: [1] },
              { name: 'b', shape: [1], datatype: 'BOOL', data: [1] },
            ],
          },
          true,
        ),
      /input 's': element 0 is 1, expected a string \(BYTES\)/,
    );
    assert.throws(
      () =>
        prepareRequest(
          open,
          {
            inputs: [
              { name: 's', shape: [1], datatype: 'BYTES', data: ['a'] },
              { name: 'b', shape: [1], datatype: 'BOOL', data: [1] },
            ],
          },
          true,
        ),
      /input 'b': element 0 is 1, expected true or false/,
    );
  });

  it('refuses to serve inputs OIP cannot carry, and models with no tensor output', () => {
    assert.throws(
      () =>
        planModel(
          { inputs: [{ name: 'seq', elemType: 'sequence<float32>', shape: null }], outputs: SIG.outputs },
          'The model m v1',
        ),
      (e: unknown) =>
        e instanceof MlopsError &&
        e.code === 'INVALID_MODEL_FILE' &&
        /input 'seq' of type sequence<float32>/.test(e.message),
    );
    assert.throws(
      () => planModel({ inputs: SIG.inputs, outputs: SIG.outputs.filter((o) => o.name === 'probs') }, 'm'),
      (e: unknown) => e instanceof MlopsError && /no output that is a plain tensor/.test(e.message),
    );
  });

  it('writes outputs flat with OIP names; 64-bit ints as numbers, bools as booleans, NaN stays a number', () => {
    const f = toResponseOutput('y', 'float32', [2, 2], new Float32Array([1, NaN, Infinity, 4]), 1, 2);
    assert.deepEqual(f, { name: 'y', shape: [1, 2], datatype: 'FP32', data: [Infinity, 4] });
    assert.equal(
      JSON.stringify(toResponseOutput('y', 'float32', [2], new Float32Array([NaN, -Infinity])).data),
      '[null,null]',
    );
    assert.deepEqual(toResponseOutput('i', 'int64', [2], new BigInt64Array([5n, -7n])).data, [5, -7]);
    assert.deepEqual(toResponseOutput('b', 'bool', [2], new Uint8Array([1, 0])), {
      name: 'b',
      shape: [2],
      datatype: 'BOOL',
      data: [true, false],
    });
    assert.deepEqual(toResponseOutput('s', 'string', [1, 2], ['a', 'b']).datatype, 'BYTES');
  });

  it('converts float16 both ways (round to nearest even, subnormals, overflow)', () => {
    for (const v of [0, -0, 1, -2.5, 0.333251953125, 65504, 6.103515625e-5, 5.960464477539063e-8])
      assert.equal(fromHalfBits(toHalfBits(v)), v, String(v));
    assert.equal(toHalfBits(1), 0x3c00);
    assert.equal(toHalfBits(65520), 0x7c00, 'rounds up to Infinity');
    assert.equal(fromHalfBits(toHalfBits(1 + 2 ** -11)), 1, 'tie to even');
    assert.ok(Number.isNaN(fromHalfBits(toHalfBits(NaN))));
    assert.equal(fromHalfBits(toHalfBits(0.1)), 0.0999755859375);
  });
});
