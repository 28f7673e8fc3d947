import assert from 'node:assert/strict';
import { dataJson, inferResponseJson } from '../../../src/core/serving/server/inferJson';
import type { InferResponse } from '../../../src/core/serving/types';

/** The fast response writer must write exactly what JSON.stringify writes, whatever the values. */
describe('serving server: inference response JSON', () => {
  const same = (value: unknown) => {
    assert.equal(inferResponseJson(value as InferResponse), JSON.stringify(value));
    assert.doesNotThrow(() => JSON.parse(inferResponseJson(value as InferResponse)));
  };

  it('writes float32 outputs as JSON.stringify does, digit for digit', () => {
    const f32 = Float32Array.from({ length: 2048 }, (_, i) => Math.sin(i) * 10 ** ((i % 40) - 20));
    same({
      model_name: 'big',
      model_version: '3',
      outputs: [{ name: 'y', shape: [4, 512], datatype: 'FP32', data: Array.from(f32) }],
    });
    for (const v of [0, -0, 1, -1, 0.1, 1e21, 1e-7, 5e-324, Number.MAX_VALUE, 2 ** 53 + 2, -123456789])
      assert.equal(dataJson([v]), JSON.stringify([v]), String(v));
  });

  it('writes NaN and infinities as null, as JSON.stringify does', () => {
    same({
      model_name: 'm',
      model_version: '1',
      outputs: [{ name: 'y', shape: [1, 4], datatype: 'FP32', data: [1.5, NaN, Infinity, -Infinity] }],
    });
  });

  it('writes every datatype, ids, parameters and member order unchanged', () => {
    same({
      model_name: 'm"odd\\name',
      model_version: '0',
      outputs: [
        { name: 'b', shape: [2], datatype: 'BOOL', data: [true, false] },
        { name: 's', shape: [2], datatype: 'BYTES', data: ['a', 'q"uote\n'] },
        { name: 'i', shape: [3], datatype: 'INT64', data: [1, -2, 9007199254740991] },
        { name: 'e', shape: [0], datatype: 'FP32', data: [] },
      ],
      parameters: { sequence_id: 7, note: 'x', flag: true },
      id: 'req-1',
    });
    // Members JSON.stringify leaves out (undefined) are left out here too.
    same({
      model_name: 'm',
      model_version: '1',
      id: undefined,
      outputs: [{ name: 'y', shape: [1], datatype: 'FP32', data: [2] }],
    });
  });
});
