import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { defaultSettings } from '../../../src/core/drift/config';
import { pathMatches, projectDriftSettings } from '../../../src/core/drift/configFile';
import { isMlopsError } from '../../../src/core/errors';
import { tempDir } from '../../helpers/tmp';

/** The drift panel reads the project's mlops.yaml: what it takes, and what it refuses. */
describe('project drift settings (mlops.yaml)', () => {
  let t: ReturnType<typeof tempDir>;
  let file: string;
  beforeEach(() => {
    t = tempDir('mlops-yaml-');
    file = path.join(t.dir, 'mlops.yaml');
  });
  afterEach(() => t.cleanup());

  it('uses the defaults without a file, or without a drift: section', async () => {
    assert.deepEqual(await projectDriftSettings(file), defaultSettings());
    writeFileSync(file, 'models:\n  churn: {}\n');
    assert.deepEqual(await projectDriftSettings(file), defaultSettings());
  });

  it('applies the drift: section', async () => {
    writeFileSync(
      file,
      'drift:\n  drift_share: 0.3\n  features:\n    age: { ignore: true }\n    country: { method: psi, threshold: 0.2 }\n',
    );
    const s = await projectDriftSettings(file);
    assert.equal(s.driftShare, 0.3);
    assert.equal(s.features.age?.ignore, true);
    assert.deepEqual([s.features.country?.method, s.features.country?.threshold], ['psi', 0.2]);
  });

  it('refuses a broken file with its line and column instead of falling back to the defaults', async () => {
    writeFileSync(file, 'drift:\n  features:\n    age: { ignore: true\n');
    await assert.rejects(
      projectDriftSettings(file),
      (e: unknown) => isMlopsError(e, 'INVALID_ARGUMENT') && /mlops\.yaml, line \d+, column \d+/.test(e.message),
    );
    writeFileSync(file, 'drift:\n  drift_share: lots\n');
    await assert.rejects(
      projectDriftSettings(file),
      (e: unknown) => isMlopsError(e) && /drift_share/.test(e.describe()),
    );
  });

  it('keeps other top-level sections (monitors:) for the features that read them', async () => {
    writeFileSync(file, 'monitors:\n  - model: churn\ndrift:\n  bins: 12\n');
    assert.equal((await projectDriftSettings(file)).bins, 12);
  });

  it('a setting per dataset (path or glob) and per model overrides the workspace defaults', async () => {
    writeFileSync(
      file,
      [
        'drift:',
        '  bins: 20',
        '  timestamp: ts',
        '  models:',
        '    fraud: { drift_share: 0.2 }',
        '  datasets:',
        '    data/events_*.csv: { timestamp: event_time, window: 1d }',
        '    other/ref.csv: { bins: 50 }',
      ].join('\n'),
    );
    const at = (p: string) => path.join(t.dir, p);
    const plain = await projectDriftSettings(file, 'mlops.yaml', { reference: at('a.csv'), current: at('b.csv') });
    assert.deepEqual([plain.bins, plain.timestamp, plain.timestampDefault, plain.window], [20, 'ts', true, undefined]);
    const events = await projectDriftSettings(file, 'mlops.yaml', {
      reference: at('data/train.csv'),
      current: at('data/events_0301.csv'),
      model: 'fraud',
    });
    assert.deepEqual(
      [events.bins, events.timestamp, events.timestampDefault, events.window?.label, events.driftShare],
      [20, 'event_time', false, '1d', 0.2],
    );
    const other = await projectDriftSettings(file, 'mlops.yaml', {
      reference: at('other/ref.csv'),
      current: at('x.csv'),
    });
    assert.equal(other.bins, 50);
    // Every scoped entry is checked, matching or not.
    writeFileSync(file, 'drift:\n  datasets:\n    nowhere.csv: { bins: 0 }\n');
    await assert.rejects(
      projectDriftSettings(file),
      /mlops\.yaml: drift\.datasets\.nowhere\.csv\.bins must be a whole number from 1 to 1000/,
    );
  });

  it('globs: * stays in one folder, ** crosses folders', () => {
    assert.ok(pathMatches('data/*.csv', '/p/data/a.csv', '/p'));
    assert.ok(!pathMatches('data/*.csv', '/p/data/x/a.csv', '/p'));
    assert.ok(pathMatches('data/**/a.csv', '/p/data/x/y/a.csv', '/p'));
    assert.ok(pathMatches('data/**/a.csv', '/p/data/a.csv', '/p'));
    assert.ok(!pathMatches('data/a.csv', '/p/data/a+csv', '/p'));
  });

  it('bounds every number: --bins 1e7 in mlops.yaml is refused, not run out of memory', async () => {
    for (const [yaml, re] of [
      ['bins: 1e7', /drift\.bins must be a whole number from 1 to 1000, got "10000000"/],
      ['bins: 1001', /drift\.bins must be a whole number from 1 to 1000/],
      ['small_reference: 1e12', /drift\.small_reference must be a whole number from 1 to 1000000000/],
      ['window: 9999999999rows', /drift\.window "9999999999rows" is more than 1000000000 rows/],
      ['window: 99999999999999w', /longer than 100 years/],
      ['ttl: 99999999999999w', /drift\.ttl "99999999999999w" is longer than 100 years/],
      ['thresholds: { ks: 1e300 }', /not a threshold/],
      ['drift_share: 2', /drift_share must be a share in \(0, 1\], got "2"/],
    ] as const) {
      writeFileSync(file, `drift:\n  ${yaml}\n`);
      await assert.rejects(
        projectDriftSettings(file),
        (e: unknown) => isMlopsError(e, 'INVALID_ARGUMENT') && re.test(e.message),
        yaml,
      );
    }
  });

  it('a value of the wrong type is a type error naming its key, not "[object Object]" or a silent false', async () => {
    for (const [yaml, re] of [
      ['columns: [{x: 1}]', /drift\.columns\[0\] must be a column name, got a mapping/],
      ['timestamp: {x: 1}', /drift\.timestamp must be a column name, got a mapping/],
      ['timestamp:', /drift\.timestamp must be a column name, got nothing \(null\)/],
      ['window: {x: 1}', /drift\.window must be a window size, got a mapping/],
      ['ttl: [1d]', /drift\.ttl must be a duration, got a list/],
      ['features:\n    a: { method: {x: 1} }', /drift\.features\.a\.method must be a method name, got a mapping/],
      ['features:\n    a: { type: [numeric] }', /drift\.features\.a\.type must be a type, got a list/],
      ['features:\n    a: { threshold: {x: 1} }', /drift\.features\.a\.threshold: a mapping is not a threshold/],
      ['bins: {x: 1}', /drift\.bins must be a whole number from 1 to 1000, got a mapping/],
      ['features:\n    a: { ignore: "yes" }', /drift\.features\.a\.ignore must be true or false, got "yes" \(string\)/],
      ['features:\n    a: { ignore: 1 }', /drift\.features\.a\.ignore must be true or false, got 1 \(number\)/],
    ] as const) {
      writeFileSync(file, `drift:\n  ${yaml}\n`);
      await assert.rejects(
        projectDriftSettings(file),
        (e: unknown) => isMlopsError(e, 'INVALID_ARGUMENT') && re.test(e.message) && !/object Object/.test(e.message),
        yaml,
      );
    }
    // Numbers stay usable as names and sizes (YAML reads `timestamp: 2024` as a number).
    writeFileSync(file, 'drift:\n  timestamp: 2024\n  columns: [1, b]\n  features:\n    a: { ignore: false }\n');
    const s = await projectDriftSettings(file);
    assert.deepEqual([s.timestamp, s.columns, s.features.a?.ignore], ['2024', ['1', 'b'], false]);
  });

  it('a YAML anchor bomb is refused naming the file, before it expands', async () => {
    const lines = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      const name = String.fromCharCode(97 + i);
      lines.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(', ')}]`);
    }
    writeFileSync(file, [...lines, 'drift:', '  bins: 30'].join('\n'));
    await assert.rejects(
      projectDriftSettings(file),
      (e: unknown) => isMlopsError(e, 'INVALID_ARGUMENT') && /^mlops\.yaml: its YAML aliases/.test(e.message),
    );
  });

  it('a folder or a FIFO named as the project file is refused at once (a FIFO used to block forever)', async () => {
    mkdirSync(file);
    await assert.rejects(projectDriftSettings(file), /mlops\.yaml is a folder, not a regular file/);
    const fifo = path.join(t.dir, 'fifo.yaml');
    if (spawnSync('mkfifo', [fifo]).status !== 0) return;
    await assert.rejects(projectDriftSettings(fifo, 'fifo.yaml'), /fifo\.yaml is a pipe \(FIFO\), not a regular file/);
  });
});
