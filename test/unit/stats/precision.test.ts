import assert from 'node:assert/strict';
import { defaultSettings } from '../../../src/core/drift/config';
import { runDrift } from '../../../src/core/drift/run';
import { runTest } from '../../../src/core/drift/statTests';
import { histogramCountsSorted, histogramEdges } from '../../../src/core/stats/histogram';
import { mean, stdDev } from '../../../src/core/stats/summary';
import { twoProportionZTest } from '../../../src/core/stats/ztest';
import { tempFiles } from '../drift/fixtures';

/** Numerically hard inputs: large offsets, overflowing spreads, subnormals, astral-plane categories. */
describe('stats: precision and edge values', () => {
  it('values near 1e15 plus noise: mean and std as exact as the data (was: std 11-23% too large)', () => {
    // 1e15 + k/8 is exact in a double (its spacing is 0.125), so the exact answers are known.
    const ks = Array.from({ length: 100_000 }, (_, i) => ((i * 7919) % 1000) - 500);
    const values = Float64Array.from(ks, (k) => 1e15 + k / 8);
    const kMean = ks.reduce((a, b) => a + b, 0) / ks.length;
    const kVar = ks.reduce((a, k) => a + (k - kMean) ** 2, 0) / ks.length;
    assert.ok(Math.abs(mean(values) - (1e15 + kMean / 8)) <= 0.125, `mean ${mean(values)}`);
    const std = stdDev(values);
    const exact = Math.sqrt(kVar) / 8;
    assert.ok(Math.abs(std - exact) / exact < 1e-6, `std ${std} vs ${exact}`);
  });

  it('a spread that overflows is "not comparable", never "no drift"', async () => {
    const rows = Array.from({ length: 300 }, (_, i) => (i % 2 ? '1.5e308' : '-1.5e308'));
    const t = tempFiles({ 'ref.csv': `x,y\n${rows.map((r, i) => `${r},${i % 7}`).join('\n')}\n` });
    try {
      const r = await runDrift({
        reference: t.file('ref.csv'),
        current: t.file('ref.csv'),
        settings: defaultSettings(),
      });
      const x = r.features.find((f) => f.name === 'x')!;
      assert.equal(x.status, 'skipped');
      assert.equal(x.score, null);
      assert.deepEqual(r.dataset.notCompared, ['x']);
      assert.ok(x.notes.some((n) => /not comparable/.test(n)));
      // A finite but huge spread keeps a finite std (no overflow in the squares).
      assert.equal(stdDev([-1e200, 1e200]), 1e200);
    } finally {
      t.cleanup();
    }
  });

  it('subnormal values give monotonic bin edges ending at the maximum', () => {
    const tiny = 5e-324;
    for (const [min, max] of [
      [0, 20 * tiny],
      [-tiny, 20 * tiny],
      [0, tiny],
      [-3 * tiny, 3 * tiny],
    ]) {
      for (const bins of [7, 30, 100]) {
        const e = histogramEdges(min, max, bins);
        assert.equal(e.length, bins + 1);
        for (let i = 1; i < e.length; i++) assert.ok(e[i] >= e[i - 1], `edge ${i} of ${bins}: ${e[i - 1]} > ${e[i]}`);
        assert.equal(e[bins], max);
        const sorted = Float64Array.from([min, min, max]);
        assert.equal(
          histogramCountsSorted(sorted, e).reduce((a, b) => a + b, 0),
          3,
          'every value in a bin',
        );
      }
    }
  });

  it('categories outside the BMP are ordered by code point, as Python orders them (the Z sign)', () => {
    const emoji = 'a\u{1F600}';
    const bmp = 'a\uE000';
    const ref = {
      kind: 'categorical' as const,
      counts: new Map([
        [bmp, 30],
        [emoji, 70],
      ]),
      total: 100,
    };
    const cur = {
      kind: 'categorical' as const,
      counts: new Map([
        [bmp, 50],
        [emoji, 50],
      ]),
      total: 100,
    };
    // Python: sorted([bmp, emoji]) == [bmp, emoji], so "success" is the emoji: 0.7 against 0.5, z > 0.
    const expected = twoProportionZTest(70, 100, 50, 100);
    const r = runTest('ztest', ref, cur, 30);
    assert.ok(expected.statistic > 0);
    assert.equal(r.statistic, expected.statistic);
  });
});
