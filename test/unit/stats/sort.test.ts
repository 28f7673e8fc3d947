import assert from 'node:assert/strict';
import { countDistinctUnionSorted, searchSorted, sortFloat64, sortedFinite } from '../../../src/core/stats/sort';
import { quantileSorted } from '../../../src/core/stats/summary';

describe('stats: sorting and summaries', () => {
  it('radix sort orders like a numeric sort, negatives, ties, infinities and -0 included', () => {
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const a = new Float64Array(50000);
    for (let i = 0; i < a.length; i++)
      a[i] =
        i % 97 === 0
          ? -0
          : i % 101 === 0
            ? Infinity
            : i % 103 === 0
              ? -Infinity
              : Math.round((rnd() - 0.5) * 1e6) / 1e3;
    const expected = Array.from(a).sort((x, y) => x - y);
    const got = Array.from(sortFloat64(a.slice()));
    assert.equal(got.length, expected.length);
    for (let i = 0; i < got.length; i++) assert.ok(got[i] === expected[i], `index ${i}: ${got[i]} vs ${expected[i]}`);
  });

  it('sortedFinite drops NaN (missing) values', () => {
    assert.deepEqual(Array.from(sortedFinite([3, NaN, 1, 2, NaN])), [1, 2, 3]);
  });

  it('searchSorted left/right and distinct counting over two samples', () => {
    const s = [1, 2, 2, 2, 5];
    assert.equal(searchSorted(s, 2, 'left'), 1);
    assert.equal(searchSorted(s, 2, 'right'), 4);
    assert.equal(countDistinctUnionSorted([1, 2, 2, 5], [2, 3, 5, 5, 9]), 5);
    assert.equal(countDistinctUnionSorted([1, 2, 3, 4, 5, 6, 7], [], 6), 6);
  });

  it('quantiles interpolate linearly like numpy', () => {
    const s = [1, 2, 3, 4];
    assert.equal(quantileSorted(s, 0.5), 2.5);
    assert.equal(quantileSorted(s, 0), 1);
    assert.equal(quantileSorted(s, 1), 4);
    assert.ok(Math.abs(quantileSorted(s, 0.9) - 3.7) < 1e-12);
  });
});
