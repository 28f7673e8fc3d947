import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { runCli } from '../../../src/cli/cli';
import { defaultSettings } from '../../../src/core/drift/config';
import { readDataset } from '../../../src/core/drift/read';
import { runDrift } from '../../../src/core/drift/run';
import { isMlopsError } from '../../../src/core/errors';
import { fsError } from '../../../src/core/util/fsx';
import { tempFiles } from './fixtures';

/** Hostile files and options: each is a sentence naming the file (and line), never a hang or a crash. */
async function cli(cwd: string, args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(args, {
    stdout: (s) => (out += s + '\n'),
    stderr: (s) => (err += s + '\n'),
    env: {},
    cwd,
  });
  return { code, out, err };
}

const csv = (rows: string[]) => ['a,b', ...rows].join('\n') + '\n';
const numbers = (n: number, f = (i: number) => `${i % 97},${(i * 7) % 13}`) =>
  Array.from({ length: n }, (_, i) => f(i));

function rejectsWith(p: Promise<unknown>, re: RegExp): Promise<void> {
  return assert.rejects(p, (e: unknown) => {
    assert.ok(isMlopsError(e, 'INVALID_ARGUMENT'), `an MlopsError, got ${String(e)}`);
    assert.match(e.message, re);
    return true;
  });
}

describe('drift: bad input files', () => {
  let t: ReturnType<typeof tempFiles>;
  afterEach(() => t?.cleanup());

  it('a folder given as a data file is refused naming it (was: EISDIR, "unexpected failure")', async () => {
    t = tempFiles({});
    mkdirSync(t.file('data.csv'));
    await rejectsWith(
      readDataset(t.file('data.csv'), { displayName: 'data.csv' }),
      /^data\.csv is a folder, not a regular file/,
    );
  });

  it('a FIFO given as a data file is refused at once (was: blocked forever)', async function () {
    t = tempFiles({});
    if (spawnSync('mkfifo', [t.file('pipe.csv')]).status !== 0) this.skip();
    await rejectsWith(readDataset(t.file('pipe.csv'), { displayName: 'pipe.csv' }), /^pipe\.csv is a pipe \(FIFO\)/);
    const r = await cli(t.dir, ['drift', '--reference', 'pipe.csv', '--current', 'pipe.csv']);
    assert.equal(r.code, 1);
    assert.match(r.err, /pipe\.csv is a pipe \(FIFO\), not a regular file/);
  });

  it('JSON Lines nested thousands deep: an error with the line, not a stack overflow', async () => {
    const deep = '{"a": 1, "b": ' + '['.repeat(5000) + ']'.repeat(5000) + '}';
    t = tempFiles({ 'd.jsonl': `{"a": 2, "b": "x"}\n${deep}\n` });
    await rejectsWith(
      readDataset(t.file('d.jsonl'), { displayName: 'd.jsonl' }),
      /^d\.jsonl, line 2, column \d+: values are nested more than 256 levels deep/,
    );
  });

  it('a NUL byte or invalid UTF-8 past the first 64 KB of a CSV: an error with its line', async () => {
    const head = numbers(20000); // about 130 KB
    for (const [bad, re] of [
      ['5,\u0000', /^d\.csv, line 20002, column 3: the file contains a NUL byte/],
      ['5,\udc80', null],
    ] as const) {
      const body = Buffer.concat([
        Buffer.from(csv(head)),
        bad.includes('\u0000') ? Buffer.from(`${bad}\n`) : Buffer.from([0x35, 0x2c, 0xff, 0x0a]),
        Buffer.from('1,2\n'),
      ]);
      t?.cleanup();
      t = tempFiles({ 'd.csv': body });
      for (const chunkSize of [1000, 4 << 20]) {
        await rejectsWith(
          readDataset(t.file('d.csv'), { displayName: 'd.csv', chunkSize }),
          re ?? /^d\.csv, line 20002, column 3: this byte is not valid UTF-8/,
        );
      }
    }
    // The same in JSON Lines.
    t.cleanup();
    const lines = Array.from({ length: 5000 }, (_, i) => `{"a": ${i}, "b": "x"}`).join('\n');
    t = tempFiles({
      'd.jsonl': Buffer.concat([
        Buffer.from(lines + '\n{"a": 1, "b": "'),
        Buffer.from([0xc3, 0x28]),
        Buffer.from('"}\n'),
      ]),
    });
    await rejectsWith(
      readDataset(t.file('d.jsonl'), { displayName: 'd.jsonl' }),
      /^d\.jsonl, line 5001, column 16: this byte is not valid UTF-8/,
    );
  });

  it('a bad current file next to a large reference reports its own error, not "cancelled" (was: exit 130)', async () => {
    // A reference read in 64-byte chunks takes seconds, so the current file fails while it is still read.
    t = tempFiles({ 'ref.csv': csv(numbers(200_000)), 'cur.csv': Buffer.from([0x61, 0x2c, 0x62, 0x0a, 0, 0, 0x0a]) });
    for (const threads of ['current', 'all'] as const) {
      await rejectsWith(
        runDrift({
          reference: t.file('ref.csv'),
          current: t.file('cur.csv'),
          currentName: 'cur.csv',
          settings: defaultSettings(),
          threads,
          chunkSize: 64,
        }),
        /^cur\.csv, line 2, column 1: the file is binary/,
      );
    }
    const r = await cli(t.dir, ['drift', '--reference', 'ref.csv', '--current', 'cur.csv']);
    assert.equal(r.code, 1, r.err);
    assert.match(r.err, /cur\.csv, line 2, column 1: the file is binary/);
  });
});

describe('drift: bad options', () => {
  let t: ReturnType<typeof tempFiles>;
  before(() => {
    t = tempFiles({
      'ref.csv': csv(numbers(200)),
      'cur.csv': csv(numbers(200)),
      'empty_b.csv': csv(numbers(200, (i) => `${i % 97},`)),
      'ts.csv': 'a,when\n' + numbers(50, (i) => `${i},someday`).join('\n') + '\n',
    });
  });
  after(() => t.cleanup());
  const base = ['drift', '--reference', 'ref.csv', '--current', 'cur.csv'];

  it('--bins 1e7 (and every other number past its bound) is refused with the bound (was: 1.4-4 GB, crash)', async () => {
    for (const [flag, value, re] of [
      ['--bins', '1e7', /--bins must be a whole number from 1 to 1000, got "1e7"/],
      ['--bins', '0', /--bins must be a whole number from 1 to 1000/],
      ['--drift-share', '1.5', /--drift-share must be a share in \(0, 1\]/],
      ['--window', '2000000000rows', /--window "2000000000rows" is more than 1000000000 rows/],
      ['--ttl', '9999999999d', /--ttl "9999999999d" is longer than 100 years/],
      ['--threshold', 'ks=1e9', /not a threshold/],
    ] as const) {
      const r = await cli(t.dir, [...base, flag, value]);
      assert.equal(r.code, 2, `${flag} ${value}: a flag value that does not parse is a usage error`);
      assert.match(r.err, re);
      assert.doesNotMatch(r.err, /unexpected failure/);
    }
  });

  it('--threshold, --method, --type or --ignore naming a column that does not exist is an error', async () => {
    for (const flag of ['--threshold nope=0.1', '--method nope=ks', '--type nope=numeric', '--ignore nope']) {
      const r = await cli(t.dir, [...base, ...flag.split(' ')]);
      assert.equal(r.code, 1, flag);
      assert.match(
        r.err,
        new RegExp(`${flag.split(' ')[0]} nope: there is no column "nope" in ref\\.csv or cur\\.csv`),
      );
    }
    // A method name on the left of --threshold is a method threshold, not a column.
    assert.equal((await cli(t.dir, [...base, '--threshold', 'ks=0.01'])).code, 0);
  });

  it('--fail-on-drift fails (exit 3) when a feature has no current value to compare (was: exit 0)', async () => {
    const r = await cli(t.dir, ['drift', '--reference', 'ref.csv', '--current', 'empty_b.csv', '--fail-on-drift']);
    assert.equal(r.code, 3, r.err);
    assert.match(r.err, /--fail-on-drift: 1 feature could not be compared \(b\)/);
    assert.match(r.out, /1 feature could not be compared \(b\)/);
    // Without the gate, the report says so and exits 0.
    assert.equal((await cli(t.dir, ['drift', '--reference', 'ref.csv', '--current', 'empty_b.csv'])).code, 0);
  });

  it('a timestamp column whose values are all invalid is an error with the first one', async () => {
    const r = await cli(t.dir, [
      'drift',
      '--reference',
      'ts.csv',
      '--current',
      'ts.csv',
      '--timestamp',
      'when',
      '--ttl',
      '1d',
    ]);
    assert.equal(r.code, 1);
    assert.match(
      r.err,
      /ts\.csv, line 2, column 3: no value of the timestamp column "when" is a time \(50 invalid, e\.g\. "someday"\)/,
    );
  });
});

describe('drift: data that cannot be compared or is left out is said, and fails the gate', () => {
  let t: ReturnType<typeof tempFiles>;
  const record = (i: number) =>
    JSON.stringify({
      ts: `2024-03-01T00:00:${String(i % 60).padStart(2, '0')}Z`,
      model: 'm',
      version: 1,
      status: 200,
      inputs: { x: { shape: [1, 2], data: [i % 7, i % 3] } },
    });
  before(() => {
    const log = Array.from({ length: 40 }, (_, i) => record(i));
    log.splice(5, 0, '{not json');
    t = tempFiles({
      'cur.csv': csv(numbers(30)),
      'ref_empty.csv': csv(numbers(30, () => ',')),
      'text.csv': 'a,c\n' + numbers(30, (i) => `${i},x${i}`).join('\n') + '\n',
      'ts.csv': 'a,b,when\n' + numbers(30, (i) => `${i},${i % 3},2024-01-0${1 + (i % 9)}`).join('\n') + '\n',
      'ts_bad.csv':
        'a,b,ts\n' +
        numbers(
          30,
          (i) => `${i},${i % 3},${i % 5 === 0 ? 'bogus' : i % 7 === 0 ? '' : `2024-01-0${1 + (i % 9)}`}`,
        ).join('\n') +
        '\n',
      'future.csv': 'a,b,ts\n' + numbers(30, (i) => `${i},${i % 3},2300-01-01T00:00:00Z`).join('\n') + '\n',
      'over.csv': csv(numbers(30, (i) => `1e400,${i % 13}`)),
      'over.jsonl': numbers(30, (i) => `{"a": 1${'0'.repeat(400)}, "b": ${i % 13}}`).join('\n') + '\n',
      'ok.jsonl': numbers(30, (i) => `{"a": ${i}, "b": ${i % 13}}`).join('\n') + '\n',
      'log.jsonl': log.join('\n') + '\n' + record(41).slice(0, 30),
      '<script>.csv': '<script>alert(1)</script>,<!--,a&b\n' + numbers(30, (i) => `${i},${i % 3},${i % 5}`).join('\n'),
    });
  });
  after(() => t.cleanup());
  const drift = (...args: string[]) => cli(t.dir, ['drift', ...args]);

  it('a reference with no value in a column fails --fail-on-drift as a current one does (was: exit 0)', async () => {
    const r = await drift('--reference', 'ref_empty.csv', '--current', 'cur.csv', '--fail-on-drift', '--json');
    assert.equal(r.code, 3, r.err);
    assert.deepEqual(JSON.parse(r.out).dataset.notCompared, ['a', 'b']);
    assert.match(r.err, /could not be compared \(a, b\)\. a: reference: every value is missing/);
  });

  it('--type numeric on a text column: not compared, with why, and the gate fails (was: notCompared [], exit 0)', async () => {
    const r = await drift('--reference', 'text.csv', '--current', 'text.csv', '--type', 'c=numeric', '--fail-on-drift');
    assert.equal(r.code, 3, r.err);
    assert.match(r.err, /1 feature could not be compared \(c\)\. c: no reference value is numeric \(30 not numeric\)/);
  });

  it('a --timestamp column that is in neither file is an error naming it, even without --window or --ttl', async () => {
    const r = await drift('--reference', 'ts.csv', '--current', 'ts.csv', '--timestamp', 'nope');
    assert.equal(r.code, 1, r.out);
    assert.match(
      r.err,
      /ts\.csv: there is no timestamp column "nope" \(set by --timestamp\)\. Columns that look like timestamps: when\./,
    );
    // The same from a dataset's entry in mlops.yaml, named where it was set.
    writeFileSync(t.file('mlops.yaml'), 'drift:\n  datasets:\n    ts.csv: { timestamp: nope }\n');
    const y = await drift('--reference', 'ts.csv', '--current', 'ts.csv', '--config', 'mlops.yaml');
    assert.equal(y.code, 1);
    assert.match(
      y.err,
      /there is no timestamp column "nope" \(set by mlops\.yaml: drift\.datasets\.ts\.csv\.timestamp\)/,
    );
  });

  it('rows without a valid timestamp, timestamps in the future and corrupt log lines are notes, not dropped silently', async () => {
    const w = await drift(
      '--reference',
      'ts_bad.csv',
      '--current',
      'ts_bad.csv',
      '--timestamp',
      'ts',
      '--window',
      '1d',
    );
    assert.equal(w.code, 0, w.err);
    assert.match(
      w.out,
      /Note: 10 current rows have no valid "ts" timestamp \(4 missing; 6 not a time, e\.g\. "bogus" at ts_bad\.csv, line 2, column \d+\) and are in no window\./,
    );
    const f = await drift('--reference', 'future.csv', '--current', 'future.csv', '--ttl', '1d');
    assert.doesNotMatch(f.out, / old|-[\d.]+ (hours|days)/);
    assert.match(f.out, /The newest "ts" is 2300-01-01T00:00:00\.000Z, [\d.]+ days in the future/);
    assert.match(f.out, /Note: the newest "ts" \(2300-01-01T00:00:00\.000Z\) is [\d.]+ days in the future/);
    const l = await drift('--reference', 'log.jsonl', '--current', 'log.jsonl');
    assert.equal(l.code, 0, l.err);
    assert.match(
      l.out,
      /Note: log\.jsonl: 2 lines were skipped as corrupt \(1 not a prediction record, e\.g\. log\.jsonl line 6: not valid JSON; 1 cut short at the end of a file/,
    );
  });

  it('numbers past a double (1e400) are said to overflow, not to be missing', async () => {
    for (const [ref, cur] of [
      ['cur.csv', 'over.csv'],
      ['ok.jsonl', 'over.jsonl'],
    ]) {
      const r = await drift('--reference', ref, '--current', cur, '--fail-on-drift');
      assert.equal(r.code, 3, r.err);
      assert.match(
        r.out,
        /a: no current value can be compared: 30 current values overflow a double \(beyond ±1\.8e308/,
      );
      assert.doesNotMatch(r.out, /every current value is missing/);
    }
  });

  it('--format md escapes HTML in column and file names (a PR comment would run or hide it)', async () => {
    const r = await drift('--reference', '<script>.csv', '--current', '<script>.csv', '--format', 'md');
    assert.equal(r.code, 0, r.err);
    assert.doesNotMatch(r.out, /<script|<!--/);
    assert.match(r.out, /^\| &lt;script&gt;alert\(1\)&lt;\/script&gt; \|/m);
    assert.match(r.out, /^\| &lt;!-- \|/m);
    assert.match(r.out, /^\| a&amp;b \|/m);
    assert.match(r.out, /^- Reference: &lt;script&gt;\.csv/m);
  });
});

describe('drift: --columns and --out', () => {
  let t: ReturnType<typeof tempFiles>;
  before(() => {
    t = tempFiles({ 'ref.csv': csv(numbers(50)), 'cur.csv': csv(numbers(50)), 'bad.csv': 'a,b\n1\n' });
    writeFileSync(t.file('p.parquet'), 'PAR1');
  });
  after(() => t.cleanup());
  const base = ['drift', '--reference', 'ref.csv', '--current', 'cur.csv'];

  it("--columns '' (or only commas) is a usage error, not a comparison of nothing that exits 0", async () => {
    for (const v of ['', ' , ']) {
      const r = await cli(t.dir, [...base, '--columns', v]);
      assert.equal(r.code, 2, JSON.stringify(v));
      assert.match(r.err, /--columns names no column/);
    }
  });

  it('--out: a folder, a missing folder and a data file are refused with what to do, before comparing', async () => {
    const folder = await cli(t.dir, [...base, '--out', t.dir]);
    assert.equal(folder.code, 1);
    assert.match(folder.err, /Cannot write the report to .*: it is a folder, not a file\. Give a file path/);
    const missing = await cli(t.dir, [...base, '--out', 'nodir/x.html']);
    assert.equal(missing.code, 1);
    assert.match(missing.err, /Cannot write the report to nodir\/x\.html: the folder nodir does not exist\./);
    // The data file is checked before anything is read: the broken current file is never reached.
    const same = await cli(t.dir, ['drift', '--reference', 'ref.csv', '--current', 'bad.csv', '--out', './ref.csv']);
    assert.equal(same.code, 2);
    assert.match(same.err, /--out \.\/ref\.csv is the reference data file: writing the report there would overwrite/);
    assert.equal(readFileSync(t.file('ref.csv'), 'utf8'), csv(numbers(50)));
  });

  it('fsError names a folder given for a file, and the missing folder of a file written into one', async () => {
    const isDir = await writeFile(t.dir, 'x').catch((e: unknown) => fsError(e, 'write the report to', 'out'));
    assert.match(String(isDir?.message), /^Cannot write the report to out: it is a folder, not a file\.$/);
    const noDir = await writeFile(t.file('nodir/x.html'), 'x').catch((e: unknown) =>
      fsError(e, 'write the report to', 'nodir/x.html'),
    );
    assert.match(
      String(noDir?.message),
      /^Cannot write the report to nodir\/x\.html: the folder nodir does not exist\.$/,
    );
  });

  it('a Parquet file that is only "PAR1" is "not a valid or complete Parquet file" (was: DataView offset)', async () => {
    const r = await cli(t.dir, ['drift', '--reference', 'p.parquet', '--current', 'p.parquet']);
    assert.equal(r.code, 1);
    assert.match(r.err, /p\.parquet: the file is not a valid or complete Parquet file \(it is only 4 bytes/);
    assert.doesNotMatch(r.err, /DataView/);
  });
});
