import assert from 'node:assert/strict';
import { recordJson } from '../../../src/core/serving/predlog/recordJson';
import type { PredictionRecord } from '../../../src/core/serving/types';

/** The prediction log's fast writer must write exactly what JSON.stringify writes, whatever the record. */
describe('serving prediction log: record JSON', () => {
  const long = (n: number, f: (i: number) => unknown) => Array.from({ length: n }, (_, i) => f(i));
  const record = (inputs: PredictionRecord['inputs'], extra: Record<string, unknown> = {}): PredictionRecord =>
    ({
      ts: '2026-11-29T17:00:00.000Z',
      model: 'big',
      version: 3,
      id: 'r-1',
      status: 200,
      inputs,
      latencyMs: 1.234,
      queueMs: 0.1,
      computeMs: 0.5,
      batchSize: 7,
      protocol: 'oip',
      ...extra,
    }) as PredictionRecord;
  const same = (r: PredictionRecord) => assert.equal(recordJson(r), JSON.stringify(r));

  it('writes long numeric tensors as JSON.stringify does, digit for digit', () => {
    const f32 = Array.from(Float32Array.from({ length: 512 }, (_, i) => Math.sin(i) * 10 ** ((i % 40) - 20)));
    same(
      record(
        { x: { shape: [1, 512], data: long(512, (i) => (i % 7 === 0 ? -0 : Math.cos(i) * 1e5)) } },
        {
          outputs: { y: { shape: [1, 512], data: f32 } },
          role: 'primary',
          shadow: { version: 2, agreed: true, maxAbsDiff: 0 },
        },
      ),
    );
  });

  it('falls back to JSON.stringify for what join would write differently', () => {
    // NaN and infinities (null in JSON), strings (BYTES), nested rows, booleans, in long arrays.
    same(record({ x: { shape: [1, 100], data: long(100, (i) => (i === 50 ? NaN : i)) } }));
    same(record({ x: { shape: [1, 100], data: long(100, (i) => (i === 99 ? -Infinity : i / 3)) } }));
    same(record({ s: { shape: [100], data: long(100, (i) => `row "${i}"\n`) } }));
    same(record({ n: { shape: [50, 2], data: long(50, (i) => [i, i + 0.5]) } }));
    same(record({ b: { shape: [80], data: long(80, (i) => i % 2 === 0) } }));
  });

  it('leaves out undefined members and writes the shadow result and errors as JSON.stringify does', () => {
    same(
      record(
        { x: { shape: [1, 64], data: long(64, (i) => i) } },
        {
          id: undefined,
          outputs: undefined,
          shadow: { version: 2, agreed: false, maxAbsDiff: Infinity },
          error: 'bad "x"',
        },
      ),
    );
    same(record({ x: { shape: [1, 2], data: [1, 2] } }, { error: 'short tensors take JSON.stringify whole' }));
    same(record({}));
  });
});
