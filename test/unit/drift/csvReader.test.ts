import assert from 'node:assert/strict';
import { isMlopsError } from '../../../src/core/errors';
import { readDataset } from '../../../src/core/drift/read';
import type { CategoricalColumn, Dataset, NumericColumn } from '../../../src/core/drift/types';
import { tempFiles } from './fixtures';

const num = (d: Dataset, name: string) => d.columns.find((c) => c.name === name) as NumericColumn;
const cat = (d: Dataset, name: string) => d.columns.find((c) => c.name === name) as CategoricalColumn;
const catValues = (c: CategoricalColumn) => Array.from(c.codes, (k) => (k < 0 ? null : c.dictionary[k]));

/** Reads with every chunk size from tiny to large: results must not depend on where chunks end. */
async function readAll(file: string): Promise<Dataset[]> {
  return Promise.all(
    [5, 7, 16, 64, 4 << 20].map((chunkSize) => readDataset(file, { chunkSize, displayName: 'data.csv' })),
  );
}

describe('drift readers: CSV good inputs', () => {
  it('RFC 4180 quoting: delimiters, escaped quotes and line breaks inside quotes; BOM; CRLF; no final newline', async () => {
    const csv = '\ufeffid,name,note,score\r\n1,"Smith, J","said ""hi""",1.5\r\n2,plain,"two\r\nlines",-2\r\n3,"",x,3e2';
    const t = tempFiles({ 'a.csv': csv });
    try {
      for (const d of await readAll(t.file('a.csv'))) {
        assert.equal(d.rows, 3);
        assert.deepEqual(d.header, ['id', 'name', 'note', 'score']);
        assert.deepEqual(catValues(cat(d, 'name')), ['Smith, J', 'plain', null]);
        assert.deepEqual(catValues(cat(d, 'note')), ['said "hi"', 'two\r\nlines', 'x']);
        assert.deepEqual(Array.from(num(d, 'score').values), [1.5, -2, 300]);
      }
    } finally {
      t.cleanup();
    }
  });

  it('detects ; and tab delimiters', async () => {
    const t = tempFiles({ 'semi.csv': 'a;b\n1,5;x\n2,5;y\n', 'tab.tsv': 'a\tb\n1\tx\n2\ty\n' });
    try {
      const semi = await readDataset(t.file('semi.csv'));
      assert.deepEqual(semi.header, ['a', 'b']);
      assert.equal(cat(semi, 'a').type, 'categorical'); // "1,5" is not a number with a dot
      const tab = await readDataset(t.file('tab.tsv'));
      assert.deepEqual(Array.from(num(tab, 'a').values), [1, 2]);
    } finally {
      t.cleanup();
    }
  });

  it('counts missing values per column (never zeros) and infers numeric, boolean, timestamp and categorical', async () => {
    const csv = [
      'x,flag,when,city',
      '1.25,true,2024-03-01T10:00:00Z,Paris',
      ',False,2024-03-01 11:30:00,',
      'NA,TRUE,,Berlin',
      '4,false,2024-03-02,NULL',
      '',
    ].join('\n');
    const t = tempFiles({ 'm.csv': csv });
    try {
      for (const d of await readAll(t.file('m.csv'))) {
        const x = num(d, 'x');
        assert.equal(x.type, 'numeric');
        assert.equal(x.missing, 2);
        assert.ok(Number.isNaN(x.values[1]) && Number.isNaN(x.values[2]), 'missing values stay NaN, not 0');
        const flag = cat(d, 'flag');
        assert.equal(flag.type, 'boolean');
        assert.deepEqual(catValues(flag), ['true', 'false', 'true', 'false']);
        const when = num(d, 'when');
        assert.equal(when.type, 'timestamp');
        assert.equal(when.values[0], Date.UTC(2024, 2, 1, 10));
        assert.equal(when.values[1], Date.UTC(2024, 2, 1, 11, 30));
        assert.equal(when.missing, 1);
        assert.equal(cat(d, 'city').missing, 2);
      }
    } finally {
      t.cleanup();
    }
  });

  it('counts a non-number in a numeric column as invalid, with its line and column', async () => {
    const rows = ['v,w'];
    for (let i = 0; i < 1200; i++) rows.push(`${i},${i % 3}`);
    rows.push('oops,1');
    const t = tempFiles({ 'i.csv': rows.join('\n') + '\n' });
    try {
      const d = await readDataset(t.file('i.csv'), { chunkSize: 100 });
      const v = num(d, 'v');
      assert.equal(v.type, 'numeric');
      assert.equal(v.invalid.count, 1);
      assert.deepEqual(
        { value: v.invalid.example?.value, line: v.invalid.example?.line, column: v.invalid.example?.column },
        { value: 'oops', line: 1202, column: 1 },
      );
    } finally {
      t.cleanup();
    }
  });

  it('honours forced types and --columns', async () => {
    const t = tempFiles({ 'f.csv': 'zip,n,other\n01234,1,a\n99999,2,b\n' });
    try {
      const d = await readDataset(t.file('f.csv'), { types: { zip: 'categorical' }, columns: ['zip', 'n'] });
      assert.deepEqual(catValues(cat(d, 'zip')), ['01234', '99999']);
      assert.deepEqual(
        d.columns.map((c) => c.name),
        ['zip', 'n'],
      );
    } finally {
      t.cleanup();
    }
  });
});

/** Each bad input must fail with an MlopsError naming the file, line and column. */
async function expectError(content: string | Uint8Array, pattern: RegExp, name = 'bad.csv'): Promise<string> {
  const t = tempFiles({ [name]: content });
  try {
    for (const chunkSize of [8, 4 << 20]) {
      try {
        await readDataset(t.file(name), { chunkSize, displayName: name });
      } catch (e) {
        assert.ok(isMlopsError(e), `not an MlopsError: ${String(e)}`);
        assert.match(e.message, pattern);
        assert.ok(e.hint && e.hint.length > 10, 'says what to do');
        continue;
      }
      assert.fail(`no error for ${name} (chunk ${chunkSize})`);
    }
    return pattern.source;
  } finally {
    t.cleanup();
  }
}

describe('drift readers: bad inputs name file, line and column', () => {
  it('a row with too few fields', () =>
    expectError('a,b,c\n1,2,3\n4,5\n', /^bad\.csv, line 3, column 4: this row has 2 fields but the header has 3/));
  it('a row with too many fields', () =>
    expectError('a,b\n1,2\n3,4,5\n', /^bad\.csv, line 3, column 4: this row has more fields than the 2 in the header/));
  it('an unterminated quote', () =>
    expectError(
      'a,b\n1,"open\n2,3\n',
      /^bad\.csv, line 2, column 3: a quoted field starts here but its closing quote is missing/,
    ));
  it('text after a closing quote', () =>
    expectError('a,b\n1,"x"y\n', /^bad\.csv, line 2, column 6: unexpected "y" after a closing quote/));
  it('an empty file', () => expectError('', /^bad\.csv, line 1, column 1: the file is empty/));
  it('a header without rows', () => expectError('a,b\n', /^bad\.csv, line 2: there is a header but no data rows/));
  it('a binary file', () =>
    expectError(
      Uint8Array.from([0x61, 0x2c, 0x62, 0x0a, 0x31, 0x2c, 0x00, 0xff]),
      /^bad\.csv, line 2, column 3: the file is binary/,
    ));
  it('a file in another encoding', () =>
    expectError(
      Uint8Array.from([0x61, 0x0a, 0x63, 0x61, 0x66, 0xe9, 0x0a]),
      /^bad\.csv, line 2, column 4: the file is not valid UTF-8/,
    ));
  it('duplicate column names', () =>
    expectError('a,b,a\n1,2,3\n', /^bad\.csv, line 1: the header names column "a" twice \(columns 1 and 3\)/));
  it('a Parquet file with a .csv name', () =>
    expectError(Uint8Array.from([0x50, 0x41, 0x52, 0x31, 0, 0]), /^bad\.csv: this is a Parquet file/));
  it('a column asked for that is not there', async () => {
    const t = tempFiles({ 'c.csv': 'a,b\n1,2\n' });
    try {
      await assert.rejects(
        readDataset(t.file('c.csv'), { columns: ['zzz'], displayName: 'c.csv' }),
        /c\.csv, line 1: there is no column "zzz"/,
      );
    } finally {
      t.cleanup();
    }
  });
});
