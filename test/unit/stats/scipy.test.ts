import assert from 'node:assert/strict';
import { chiSquare } from '../../../src/core/stats/chisquare';
import { jensenShannon, psi } from '../../../src/core/stats/divergence';
import { histogramCounts, histogramCountsSorted, histogramEdges } from '../../../src/core/stats/histogram';
import { kolmogorovSf } from '../../../src/core/stats/kolmogorov';
import { ks2Sorted } from '../../../src/core/stats/ks';
import { sortedFinite } from '../../../src/core/stats/sort';
import { chi2Sf, normalSf } from '../../../src/core/stats/special';
import { stdDev } from '../../../src/core/stats/summary';
import { wasserstein1Sorted } from '../../../src/core/stats/wasserstein';
import { assertClose, readJson } from '../drift/fixtures';

/** Agreement with scipy on the committed vectors (test/scipy/generate_vectors.py), to 1e-6 relative. */

interface Sample {
  a: number[];
  b: number[];
  scale: number;
}
interface Vectors {
  ks_2samp: (Sample & { statistic: number; pvalue: number })[];
  kstwo_sf: { n: number; d: number; sf: number }[];
  chisquare: { observed: number[]; expected: number[]; statistic: number; pvalue: number }[];
  chi2_sf: { x: number; df: number; sf: number }[];
  norm_sf: { z: number; sf: number }[];
  wasserstein: (Sample & { distance: number; normed: number })[];
  jensenshannon: { p: number[]; q: number[]; distance: number }[];
  histogram: (Sample & {
    edges: number[];
    countsA: number[];
    countsB: number[];
    psi: number | null;
    js: number | null;
  })[];
}

const V = readJson<Vectors>('scipy-vectors.json');
const vals = (ints: number[], scale: number) => Float64Array.from(ints, (i) => i / scale);

describe('stats vs scipy', () => {
  it('ks_2samp: statistic and p-value (exact and asymptotic modes)', () => {
    for (const [i, c] of V.ks_2samp.entries()) {
      const r = ks2Sorted(sortedFinite(vals(c.a, c.scale)), sortedFinite(vals(c.b, c.scale)));
      const what = `ks case ${i} (n1=${c.a.length}, n2=${c.b.length}, ${r.mode})`;
      assertClose(r.statistic, c.statistic, 1e-12, `${what} statistic`);
      assertClose(r.pValue, c.pvalue, 1e-6, `${what} p-value`);
    }
  });

  it('kstwo.sf in every region of the Kolmogorov distribution', () => {
    for (const c of V.kstwo_sf) assertClose(kolmogorovSf(c.n, c.d), c.sf, 1e-6, `kstwo.sf(${c.d}, ${c.n})`);
  });

  it('chisquare', () => {
    for (const [i, c] of V.chisquare.entries()) {
      const r = chiSquare(c.observed, c.expected);
      assertClose(r.statistic, c.statistic, 1e-9, `chisquare ${i} statistic`);
      assertClose(r.pValue, c.pvalue, 1e-6, `chisquare ${i} p-value`);
    }
  });

  it('chi2.sf and norm.sf, including far tails', () => {
    for (const c of V.chi2_sf) assertClose(chi2Sf(c.x, c.df), c.sf, 1e-6, `chi2.sf(${c.x}, ${c.df})`);
    for (const c of V.norm_sf) assertClose(normalSf(c.z), c.sf, 1e-6, `norm.sf(${c.z})`);
  });

  it('wasserstein_distance and its version normed by the reference std', () => {
    for (const [i, c] of V.wasserstein.entries()) {
      const a = vals(c.a, c.scale);
      const w = wasserstein1Sorted(sortedFinite(a), sortedFinite(vals(c.b, c.scale)));
      assertClose(w, c.distance, 1e-6, `wasserstein ${i}`);
      assertClose(w / Math.max(stdDev(a), 0.001), c.normed, 1e-6, `wasserstein normed ${i}`);
    }
  });

  it('jensenshannon (natural log)', () => {
    for (const [i, c] of V.jensenshannon.entries())
      assertClose(jensenShannon(c.p, c.q), c.distance, 1e-6, `jensenshannon ${i}`);
  });

  it('histogram bins as numpy, and PSI / JS over them', () => {
    for (const [i, c] of V.histogram.entries()) {
      const a = vals(c.a, c.scale);
      const b = vals(c.b, c.scale);
      const all = [...a, ...b];
      const edges = histogramEdges(Math.min(...all), Math.max(...all), 30);
      assert.deepEqual(edges, c.edges, `edges ${i}`);
      assert.deepEqual(histogramCountsSorted(sortedFinite(a), edges), c.countsA, `counts A ${i}`);
      assert.deepEqual(histogramCounts(a, edges), c.countsA, `unsorted counts A ${i}`);
      assert.deepEqual(histogramCountsSorted(sortedFinite(b), edges), c.countsB, `counts B ${i}`);
      if (c.psi === null || c.js === null) continue;
      const ra = c.countsA.map((x) => x / a.length);
      const rb = c.countsB.map((x) => x / b.length);
      assertClose(psi(ra, rb), c.psi, 1e-6, `psi ${i}`);
      assertClose(jensenShannon(ra, rb), c.js, 1e-6, `js ${i}`);
    }
  });
});
