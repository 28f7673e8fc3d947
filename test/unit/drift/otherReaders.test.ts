import assert from 'node:assert/strict';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { readDataset } from '../../../src/core/drift/read';
import type { CategoricalColumn, NumericColumn } from '../../../src/core/drift/types';
import { tempFiles } from './fixtures';

describe('drift readers: JSON Lines and Parquet', () => {
  it('JSON Lines: keys become columns, later keys fill earlier rows as missing, null is missing', async () => {
    const lines = [
      '{"x": 1.5, "c": "a", "t": "2024-01-01T00:00:00Z", "ok": true}',
      '',
      '{"x": null, "c": "b", "ok": false}',
      '{"x": 3, "c": "a", "late": 7}',
    ];
    const t = tempFiles({ 'd.jsonl': lines.join('\n') });
    try {
      const d = await readDataset(t.file('d.jsonl'), { chunkSize: 9 });
      assert.equal(d.format, 'jsonl');
      assert.equal(d.rows, 3);
      const x = d.columns.find((c) => c.name === 'x') as NumericColumn;
      assert.equal(x.missing, 1);
      const late = d.columns.find((c) => c.name === 'late') as NumericColumn;
      assert.equal(late.missing, 2);
      assert.equal(d.columns.find((c) => c.name === 't')!.type, 'timestamp');
      assert.equal(d.columns.find((c) => c.name === 'ok')!.type, 'boolean');
      assert.deepEqual((d.columns.find((c) => c.name === 'c') as CategoricalColumn).dictionary, ['a', 'b']);
    } finally {
      t.cleanup();
    }
  });

  it('JSON Lines: a broken line is an error with its line and column', async () => {
    const t = tempFiles({
      'b.jsonl': '{"a": 1}\n{"a": 2,, "b": 3}\n',
      'arr.jsonl': '{"a": 1}\n[1, 2]\n',
      'e.jsonl': '',
    });
    try {
      await assert.rejects(
        readDataset(t.file('b.jsonl'), { displayName: 'b.jsonl' }),
        /^MlopsError: b\.jsonl, line 2, column 9: this line is not valid JSON/,
      );
      await assert.rejects(
        readDataset(t.file('arr.jsonl'), { displayName: 'arr.jsonl' }),
        /arr\.jsonl, line 2, column 1: this line is not a JSON object/,
      );
      await assert.rejects(
        readDataset(t.file('e.jsonl'), { displayName: 'e.jsonl' }),
        /e\.jsonl, line 1, column 1: the file is empty/,
      );
    } finally {
      t.cleanup();
    }
  });

  it('Parquet (written by hyparquet-writer): numbers, strings, booleans, nulls, several row groups', async () => {
    const n = 2500;
    const buf = parquetWriteBuffer({
      columnData: [
        { name: 'x', data: Float64Array.from({ length: n }, (_, i) => i / 10), type: 'DOUBLE' },
        { name: 'k', data: Array.from({ length: n }, (_, i) => (i % 7 === 0 ? null : `c${i % 3}`)), type: 'STRING' },
        { name: 'b', data: Array.from({ length: n }, (_, i) => i % 2 === 0), type: 'BOOLEAN' },
        { name: 'big', data: BigInt64Array.from({ length: n }, (_, i) => BigInt(i)), type: 'INT64' },
      ],
      rowGroupSize: 1000,
    });
    const t = tempFiles({ 'p.parquet': new Uint8Array(buf), 'bad.parquet': 'not parquet at all' });
    try {
      const d = await readDataset(t.file('p.parquet'));
      assert.equal(d.format, 'parquet');
      assert.equal(d.rows, n);
      const x = d.columns.find((c) => c.name === 'x') as NumericColumn;
      assert.equal(x.values[2499], 249.9);
      const k = d.columns.find((c) => c.name === 'k') as CategoricalColumn;
      assert.equal(k.type, 'categorical');
      assert.equal(k.missing, Math.ceil(n / 7));
      assert.equal(d.columns.find((c) => c.name === 'b')!.type, 'boolean');
      assert.equal((d.columns.find((c) => c.name === 'big') as NumericColumn).values[1234], 1234);
      await assert.rejects(
        readDataset(t.file('bad.parquet'), { displayName: 'bad.parquet' }),
        /bad\.parquet: this is not a readable Parquet file/,
      );
    } finally {
      t.cleanup();
    }
  });
});
