import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { runCli } from '../../../src/cli/cli';
import { defaultSettings } from '../../../src/core/drift/config';
import { readDataset } from '../../../src/core/drift/read';
import { runDrift } from '../../../src/core/drift/run';
import { isMlopsError } from '../../../src/core/errors';
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
