import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { isMlopsError } from '../../../../src/core/errors';
import { inspectOnnx } from '../../../../src/core/onnx/inspect';
import {
  inputSpecsFromMetadata,
  inputSpecsFromSignature,
  type InputSpec,
  requestShape,
} from '../../../../src/core/serving/loadtest/inputSpec';
import { readDataRows } from '../../../../src/core/serving/loadtest/dataRows';
import {
  exampleRequest,
  mlflowBody,
  nest,
  oipBody,
  randomRequestPool,
  rowRequestPool,
} from '../../../../src/core/serving/loadtest/requests';
import { buildMlp } from '../../../builders/mlpBuilder';
import { tempDir } from '../../../helpers/tmp';

const fp = (name: string, shape: (number | null)[]): InputSpec => ({ name, datatype: 'FP32', shape });

describe('serving: load-test requests', () => {
  it('random examples follow the signature: first free dim = batch, other free dims = 1, sane values', () => {
    const specs: InputSpec[] = [
      fp('x', [null, 30]),
      { name: 'ids', datatype: 'INT64', shape: [null, null] },
      { name: 'flag', datatype: 'BOOL', shape: [null] },
      { name: 'tag', datatype: 'BYTES', shape: [null, 2] },
    ];
    const r = exampleRequest(specs, 4);
    assert.deepEqual(
      r.inputs.map((i) => [i.name, i.datatype, i.shape]),
      [
        ['x', 'FP32', [4, 30]],
        ['ids', 'INT64', [4, 1]],
        ['flag', 'BOOL', [4]],
        ['tag', 'BYTES', [4, 2]],
      ],
    );
    const [x, ids, flag, tag] = r.inputs.map((i) => i.data as unknown[]);
    assert.equal(x.length, 120);
    assert.ok(x.every((v) => typeof v === 'number' && v >= -1 && v <= 1));
    assert.ok(ids.every((v) => Number.isInteger(v) && (v as number) >= 0 && (v as number) < 10));
    assert.ok(flag.every((v) => typeof v === 'boolean'));
    assert.ok(tag.every((v) => typeof v === 'string'));
  });

  it('a fixed first dim is kept, and a batch that does not fit it is refused', () => {
    assert.deepEqual(requestShape(fp('x', [3, null]), 1), [3, 1]);
    assert.deepEqual(requestShape(fp('x', [3, 5]), 3), [3, 5]);
    assert.throws(
      () => requestShape(fp('x', [3, 5]), 8),
      (e) => isMlopsError(e, 'INVALID_ARGUMENT'),
    );
  });

  it('a pool holds distinct requests, the same for the same seed', () => {
    const a = randomRequestPool([fp('x', [null, 4])], 1, 16, 7);
    const b = randomRequestPool([fp('x', [null, 4])], 1, 16, 7);
    assert.equal(a.length, 16);
    assert.deepEqual(a, b);
    assert.equal(new Set(a.map((r) => JSON.stringify(r))).size, 16);
  });

  it('specs from a real ONNX graph and from OIP metadata agree', () => {
    const onnx = inspectOnnx(buildMlp({ inputDim: 6, hidden: [4], outputDim: 2 }));
    assert.deepEqual(inputSpecsFromSignature(onnx.signature, 'm'), [fp('input', [null, 6])]);
    const meta = {
      name: 'm',
      versions: ['1'],
      platform: 'onnxruntime_onnx',
      inputs: [{ name: 'input', datatype: 'FP32', shape: [-1, 6] }],
    };
    assert.deepEqual(inputSpecsFromMetadata(meta, 'srv'), [fp('input', [null, 6])]);
  });

  it('metadata a load test cannot use is a REMOTE error naming what is wrong', () => {
    const bad = [
      null,
      {},
      { inputs: [] },
      { inputs: [{ datatype: 'FP32', shape: [1] }] },
      { inputs: [{ name: 'x', datatype: 'FLOAT', shape: [1] }] },
      { inputs: [{ name: 'x', datatype: 'FP32', shape: [1.5] }] },
    ];
    for (const m of bad)
      assert.throws(
        () => inputSpecsFromMetadata(m, 'srv'),
        (e) => isMlopsError(e, 'REMOTE'),
        JSON.stringify(m),
      );
  });

  it('a signature the generator cannot fill is refused', () => {
    assert.throws(
      () => inputSpecsFromSignature({ inputs: [{ name: 'x', elemType: 'float32', shape: null }], outputs: [] }, 'm'),
      (e) => isMlopsError(e, 'INVALID_MODEL_FILE'),
    );
    assert.throws(
      () => inputSpecsFromSignature({ inputs: [{ name: 'x', elemType: 'bfloat16', shape: [1] }], outputs: [] }, 'm'),
      (e) => isMlopsError(e, 'INVALID_MODEL_FILE'),
    );
  });

  it('rows become batches of consecutive rows, wrapping round at the end', () => {
    const rows = [
      [1, 2],
      [3, 4],
      [5, 6],
    ];
    const pool = rowRequestPool([fp('x', [null, 2])], rows, 2);
    assert.equal(pool.length, 2);
    assert.deepEqual(pool[0].inputs[0], { name: 'x', shape: [2, 2], datatype: 'FP32', data: [1, 2, 3, 4] });
    assert.deepEqual(pool[1].inputs[0].data, [5, 6, 1, 2]);
    assert.throws(
      () => rowRequestPool([fp('x', [null, 3])], rows, 1),
      (e) => isMlopsError(e, 'INVALID_ARGUMENT'),
    );
    assert.throws(
      () => rowRequestPool([fp('a', [null, 2]), fp('b', [null, 2])], rows, 1),
      (e) => isMlopsError(e, 'INVALID_ARGUMENT'),
    );
    assert.throws(
      () => rowRequestPool([fp('x', [null, 2, 2])], rows, 1),
      (e) => isMlopsError(e, 'INVALID_ARGUMENT'),
    );
  });

  it('bodies: OIP flat, MLflow nested by shape (bare for one input, by name for several)', () => {
    assert.deepEqual(nest([1, 2, 3, 4, 5, 6], [2, 3]), [
      [1, 2, 3],
      [4, 5, 6],
    ]);
    assert.deepEqual(nest([7], []), 7);
    const one = { inputs: [{ name: 'x', shape: [2, 2], datatype: 'FP32' as const, data: [1, 2, 3, 4] }] };
    assert.deepEqual(JSON.parse(oipBody(one).toString()), one);
    assert.deepEqual(JSON.parse(mlflowBody(one).toString()), {
      inputs: [
        [1, 2],
        [3, 4],
      ],
    });
    const two = {
      inputs: [...one.inputs, { name: 'y', shape: [2], datatype: 'INT64' as const, data: [5, 6] }],
    };
    assert.deepEqual(JSON.parse(mlflowBody(two).toString()), {
      inputs: {
        x: [
          [1, 2],
          [3, 4],
        ],
        y: [5, 6],
      },
    });
  });

  describe('data files', () => {
    let t: ReturnType<typeof tempDir>;
    beforeEach(() => (t = tempDir()));
    afterEach(() => t.cleanup());
    const csv = (body: string) => {
      const f = path.join(t.dir, 'd.csv');
      writeFileSync(f, body);
      return f;
    };

    it('uses every numeric column in order, skipping incomplete rows', async () => {
      const f = csv('a,b\n1,2\n3,\n5,6\n');
      const d = await readDataRows(f, { width: 2 });
      assert.deepEqual(d, {
        columns: ['a', 'b'],
        rows: [
          [1, 2],
          [5, 6],
        ],
        skippedRows: 1,
      });
    });

    it('maps by names in the order given, so a label column can be left out', async () => {
      const f = csv('label,b,a\nyes,2,1\nno,4,3\n');
      const d = await readDataRows(f, { width: 2, columns: ['a', 'b'] });
      assert.deepEqual(d.rows, [
        [1, 2],
        [3, 4],
      ]);
    });

    it('refuses a width mismatch, an unknown column and a non-numeric column', async () => {
      const f = csv('label,b,a\nyes,2,1\nno,4,3\n');
      // Without names, the numeric columns are the features (the text label is left out, and said so).
      assert.deepEqual((await readDataRows(f, { width: 2 })).columns, ['b', 'a']);
      await assert.rejects(
        readDataRows(f, { width: 3 }),
        (e) =>
          isMlopsError(e, 'INVALID_ARGUMENT') &&
          /2 numeric columns \(left out: label \(categorical\)\)/.test(e.message),
      );
      await assert.rejects(readDataRows(f, { width: 2, columns: ['a', 'zz'] }), (e) =>
        isMlopsError(e, 'INVALID_ARGUMENT'),
      );
      await assert.rejects(readDataRows(f, { width: 2, columns: ['label', 'a'] }), (e) =>
        isMlopsError(e, 'INVALID_ARGUMENT'),
      );
    });
  });
});
