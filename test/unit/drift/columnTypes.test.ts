import assert from 'node:assert/strict';
import { defaultSettings } from '../../../src/core/drift/config';
import { runDrift } from '../../../src/core/drift/run';
import { tempFiles } from './fixtures';

/** A column's type is decided from both files together (columnTypes.ts). */
describe('drift: column types from both files', () => {
  let t: ReturnType<typeof tempFiles>;
  afterEach(() => t?.cleanup());
  const values = (n: number) => Array.from({ length: n }, (_, i) => ((i * 37) % 50) / 2 + 1).map((v) => v.toFixed(1));

  for (const [threads, at] of [
    ['none', 500],
    ['all', 500],
    ['none', 1500],
  ] as const) {
    it(`numbers in the reference, one text cell in the current (row ${at}): compared as numbers, the cell reported (${threads})`, async () => {
      const v = values(2000);
      const cur = [...v];
      cur[at] = 'oops';
      t = tempFiles({ 'ref.csv': `x\n${v.join('\n')}\n`, 'cur.csv': `x\n${cur.join('\n')}\n` });
      const r = await runDrift({
        reference: t.file('ref.csv'),
        current: t.file('cur.csv'),
        currentName: 'cur.csv',
        settings: defaultSettings(),
        threads,
      });
      const f = r.features[0];
      assert.equal(f.type, 'numeric');
      assert.equal(f.drifted, false, `same distribution: ${JSON.stringify(f.score)} (was PSI about 16 as text)`);
      assert.ok(f.psi! < 0.001);
      assert.equal(f.current.invalid, 1);
      // Within the rows the reader types a column from, the current file alone says "text": decided from both.
      if (at < 1000)
        assert.ok(
          r.notes.some((n) =>
            /x: numeric in the reference data; 1 current value is not a number \(e\.g\. "oops"\)/.test(n),
          ),
          r.notes.join('\n'),
        );
      const line = at + 2;
      assert.ok(
        r.notes.some((n) => n.includes(`1 current value is not numeric (e.g. "oops" at line ${line}, column 1)`)),
        r.notes.join('\n'),
      );
    });
  }

  it('numbers in one file, real text in the other: categories with the values as written ("1.0" stays "1.0")', async () => {
    const v = values(400);
    const cur = v.map((x, i) => (i % 5 === 0 ? `grade ${x}` : x));
    t = tempFiles({ 'ref.csv': `x\n${v.join('\n')}\n`, 'cur.csv': `x\n${cur.join('\n')}\n` });
    const r = await runDrift({ reference: t.file('ref.csv'), current: t.file('cur.csv'), settings: defaultSettings() });
    const f = r.features[0];
    assert.equal(f.type, 'categorical');
    assert.ok(f.histogram?.kind === 'categorical');
    assert.ok(f.histogram.categories.includes('1.0'), f.histogram.categories.join(','));
    assert.ok(!f.histogram.categories.includes('1'), 'numbers keep their spelling');
    assert.ok(r.notes.some((n) => /compared as categories, values as written/.test(n)));
    // 80% of the current values are reference values spelled the same: a moderate PSI, not ~16.
    assert.ok(f.psi! < 5, `PSI ${f.psi}`);
  });

  it('true/false in one file, other words in the other: both as written', async () => {
    const ref = Array.from({ length: 100 }, (_, i) => (i % 2 ? 'True' : 'False'));
    const cur = Array.from({ length: 100 }, (_, i) => (i % 3 ? 'True' : i % 2 ? 'False' : 'unknown'));
    t = tempFiles({ 'ref.csv': `x\n${ref.join('\n')}\n`, 'cur.csv': `x\n${cur.join('\n')}\n` });
    const r = await runDrift({ reference: t.file('ref.csv'), current: t.file('cur.csv'), settings: defaultSettings() });
    const h = r.features[0].histogram;
    assert.ok(h?.kind === 'categorical');
    assert.deepEqual([...h.categories].sort(), ['False', 'True', 'unknown']);
  });
});
