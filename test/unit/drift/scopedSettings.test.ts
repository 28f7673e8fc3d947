import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { projectDriftSettings } from '../../../src/core/drift/configFile';
import { runDrift } from '../../../src/core/drift/run';
import { isMlopsError } from '../../../src/core/errors';
import { tempFiles } from './fixtures';

/**
 * One mlops.yaml serves several datasets: what its top sets is a default that a dataset may not fit
 * (a note), what a dataset's own entry sets must fit (an error naming the entry).
 */
describe('drift: workspace defaults against per-dataset settings', () => {
  let t: ReturnType<typeof tempFiles>;
  const rows = (n: number) =>
    Array.from({ length: n }, (_, i) => `${i % 17},${['a', 'b', 'c'][i % 3]},2024-03-0${1 + (i % 9)}T00:00:00Z`);
  before(() => {
    const data = `x,c,when\n${rows(300).join('\n')}\n`;
    const plain = `x,c\n${rows(300)
      .map((r) => r.split(',').slice(0, 2).join(','))
      .join('\n')}\n`;
    t = tempFiles({ 'events.csv': data, 'plain.csv': plain });
  });
  after(() => t.cleanup());

  const settingsFor = async (yaml: string, file: string) => {
    writeFileSync(t.file('mlops.yaml'), yaml);
    return projectDriftSettings(t.file('mlops.yaml'), 'mlops.yaml', { reference: t.file(file), current: t.file(file) });
  };
  const run = async (yaml: string, file: string) =>
    runDrift({
      reference: t.file(file),
      current: t.file(file),
      settings: await settingsFor(yaml, file),
      now: Date.UTC(2024, 2, 10),
    });

  it("a workspace-wide timestamp a dataset lacks is a note there, and applies where the column exists (was: every other dataset's panel broke)", async () => {
    const yaml = 'drift:\n  timestamp: when\n  ttl: 1d\n';
    const plain = await run(yaml, 'plain.csv');
    assert.equal(plain.staleness, null);
    assert.ok(
      plain.notes.some((n) => /has no column "when" \(the workspace's drift\.timestamp\)/.test(n)),
      plain.notes.join('\n'),
    );
    const events = await run(yaml, 'events.csv');
    assert.equal(events.staleness?.column, 'when');
    // Listed columns without it: a note too, not "every value is missing".
    const cols = await run('drift:\n  timestamp: when\n  ttl: 1d\n  columns: [x]\n', 'events.csv');
    assert.ok(
      cols.notes.some((n) => /not among the columns compared/.test(n)),
      cols.notes.join('\n'),
    );
  });

  it("a dataset's own timestamp must exist: an error naming the file", async () => {
    await assert.rejects(
      run('drift:\n  datasets:\n    plain.csv: { timestamp: when, ttl: 1d }\n', 'plain.csv'),
      (e: unknown) => isMlopsError(e, 'INVALID_ARGUMENT') && /there is no timestamp column "when"/.test(e.message),
    );
  });

  it('a workspace-wide feature setting a dataset lacks is a note; a dataset entry naming a missing column is an error', async () => {
    const r = await run('drift:\n  features:\n    user_id: { ignore: true }\n', 'plain.csv');
    assert.ok(r.notes.some((n) => /mlops\.yaml: drift\.features\.user_id names no column of these files/.test(n)));
    await assert.rejects(
      run('drift:\n  datasets:\n    plain.csv:\n      features:\n        user_id: { ignore: true }\n', 'plain.csv'),
      /mlops\.yaml: drift\.datasets\.plain\.csv\.features\.user_id: there is no column "user_id"/,
    );
  });
});
