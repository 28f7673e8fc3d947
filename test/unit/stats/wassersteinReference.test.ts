import assert from 'node:assert/strict';
import { seededRandom } from '../../builders/mlpBuilder';
import { wasserstein1Sorted, WassersteinReference } from '../../../src/core/stats/wasserstein';

const sorted = (xs: number[]) => Float64Array.from(xs).sort();

/** The per-window W1 (prefix sums) must give what the merge over both samples gives, scipy-checked. */
describe('WassersteinReference (W1 of one reference against many windows)', () => {
  const rand = seededRandom(11);
  const normal = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());

  it('agrees with the merge algorithm to 1e-9 relative on continuous, tied, shifted and offset samples', () => {
    const cases: [string, number[], number[]][] = [];
    for (const [n, m] of [
      [1, 1],
      [5, 3],
      [1000, 17],
      [20_000, 1000],
      [3, 500],
    ]) {
      cases.push([
        `normal ${n} vs ${m}`,
        Array.from({ length: n }, normal),
        Array.from({ length: m }, () => normal() + 0.3),
      ]);
    }
    cases.push([
      'heavy ties',
      Array.from({ length: 5000 }, () => Math.floor(rand() * 4)),
      Array.from({ length: 300 }, () => Math.floor(rand() * 5)),
    ]);
    cases.push([
      'window outside the reference',
      Array.from({ length: 800 }, normal),
      Array.from({ length: 40 }, () => 50 + normal()),
    ]);
    cases.push([
      'large offset (timestamps)',
      Array.from({ length: 4000 }, () => 1.7e9 + 1e4 * normal()),
      Array.from({ length: 200 }, () => 1.7e9 + 1e4 * normal() + 3e3),
    ]);
    cases.push(['identical', [1, 2, 3, 4], [1, 2, 3, 4]]);
    for (const [name, u, v] of cases) {
      const ref = sorted(u);
      const win = sorted(v);
      const want = wasserstein1Sorted(ref, win);
      const got = new WassersteinReference(ref).distanceTo(win);
      assert.ok(Math.abs(got - want) <= 1e-9 * Math.max(Math.abs(want), 1e-12), `${name}: ${got} vs ${want}`);
    }
  });

  it('agrees on 300 random pairs of sizes 1..3000, with and without ties', () => {
    for (let i = 0; i < 300; i++) {
      const n = 1 + Math.floor(rand() ** 2 * 3000);
      const m = 1 + Math.floor(rand() ** 2 * 500);
      const ties = i % 3 === 0;
      const draw = (shift: number) => (ties ? Math.round(normal() * 3 + shift) : normal() + shift);
      const ref = sorted(Array.from({ length: n }, () => draw(0)));
      const win = sorted(Array.from({ length: m }, () => draw(rand() - 0.5)));
      const want = wasserstein1Sorted(ref, win);
      const got = new WassersteinReference(ref).distanceTo(win);
      assert.ok(
        Math.abs(got - want) <= 1e-9 * Math.max(Math.abs(want), 1e-12),
        `case ${i} (n ${n}, m ${m}, ties ${ties}): ${got} vs ${want}`,
      );
    }
  });

  it('is NaN for an empty side, as the merge is', () => {
    assert.ok(Number.isNaN(new WassersteinReference(new Float64Array(0)).distanceTo(sorted([1]))));
    assert.ok(Number.isNaN(new WassersteinReference(sorted([1])).distanceTo(new Float64Array(0))));
  });
});
