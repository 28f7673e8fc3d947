import assert from 'node:assert/strict';
import { appendFileSync, readFileSync, statSync } from 'node:fs';
import { appendEvaluation, historyFile, readHistory } from '../../../src/core/monitor/history';
import type { Evaluation } from '../../../src/core/monitor/types';
import { tempDir } from '../../helpers/tmp';

function evaluation(i: number, monitor = 'churn'): Evaluation {
  return {
    at: new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString(),
    monitor,
    model: 'churn',
    version: 2,
    state: i % 2 === 0 ? 'ok' : 'warning',
    previousState: null,
    checks: [],
    events: [],
    suppressed: 0,
  };
}

describe('monitor history', () => {
  let t: ReturnType<typeof tempDir>;
  beforeEach(() => (t = tempDir('mlops-history-')));
  afterEach(() => t.cleanup());

  it('keeps every evaluation in order, per monitor, and skips a line torn by a crash', async () => {
    for (let i = 0; i < 5; i++) await appendEvaluation(t.dir, evaluation(i));
    await appendEvaluation(t.dir, evaluation(5, 'other'));
    appendFileSync(historyFile(t.dir, 'churn'), '{"at":"2026-01-01T00:0'); // a crash mid-write
    await appendEvaluation(t.dir, evaluation(6));
    const h = await readHistory(t.dir, 'churn', 'churn');
    assert.deepEqual(
      h.map((e) => e.at),
      [0, 1, 2, 3, 4, 6].map((i) => evaluation(i).at),
      'the torn line is skipped; the one appended after it starts a line of its own',
    );
    assert.equal((await readHistory(t.dir, 'churn', 'other')).length, 1);
    assert.equal((await readHistory(t.dir, 'churn', 'churn', 2)).length, 2, 'limit keeps the newest');
  });

  it('past its size cap keeps only the newest half, in whole lines', async () => {
    const line = JSON.stringify(evaluation(0)).length + 1;
    const cap = line * 20;
    for (let i = 0; i < 100; i++) await appendEvaluation(t.dir, evaluation(i), cap);
    const file = historyFile(t.dir, 'churn');
    assert.ok(statSync(file).size <= cap, `${statSync(file).size} bytes, cap ${cap}`);
    const text = readFileSync(file, 'utf8');
    assert.ok(text.endsWith('\n'));
    for (const l of text.trim().split('\n')) JSON.parse(l); // every kept line is whole
    const h = await readHistory(t.dir, 'churn', 'churn');
    assert.ok(h.length >= 9 && h.length <= 20, `${h.length} kept`);
    assert.equal(h.at(-1)?.at, evaluation(99).at, 'the newest evaluation is kept');
    assert.deepEqual(
      h.map((e) => e.at),
      h.map((_, k) => evaluation(100 - h.length + k).at),
      'a contiguous run of the newest',
    );
  });
});
