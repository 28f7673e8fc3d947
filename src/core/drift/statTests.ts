import { chiSquare } from '../stats/chisquare';
import { jensenShannon, psi } from '../stats/divergence';
import { histogramCountsSorted, histogramEdges } from '../stats/histogram';
import { ks2Sorted } from '../stats/ks';
import { stdDev } from '../stats/summary';
import { wasserstein1Sorted } from '../stats/wasserstein';
import { twoProportionZTest } from '../stats/ztest';
import type { DriftMethod } from './result';

/**
 * The per-feature tests on either shape of sample: sorted numbers, or counts per category. Numbers
 * become categories (their distinct values) for chi-squared and the Z-test, and bins for Jensen-Shannon
 * and PSI, exactly as the reference implementation does (test/scipy/drift_pandas.py).
 */
export type Sample =
  { kind: 'numeric'; sorted: Float64Array } | { kind: 'categorical'; counts: Map<string, number>; total: number };

export interface TestOutcome {
  statistic: number | null;
  pValue: number | null;
  /** Compared with the threshold. */
  score: number;
}

/** Aligned counts over the union of keys (sorted: numbers numerically, categories as text). */
export function alignedCounts(a: Sample, b: Sample): { keys: string[]; ref: number[]; cur: number[] } {
  if (a.kind === 'numeric' && b.kind === 'numeric') {
    const keys: string[] = [];
    const ref: number[] = [];
    const cur: number[] = [];
    let i = 0;
    let j = 0;
    const u = a.sorted;
    const v = b.sorted;
    while (i < u.length || j < v.length) {
      const x = j >= v.length || (i < u.length && u[i] <= v[j]) ? u[i] : v[j];
      let ci = 0;
      let cj = 0;
      while (i < u.length && u[i] === x) {
        i++;
        ci++;
      }
      while (j < v.length && v[j] === x) {
        j++;
        cj++;
      }
      keys.push(String(x));
      ref.push(ci);
      cur.push(cj);
    }
    return { keys, ref, cur };
  }
  const ca = toCategories(a);
  const cb = toCategories(b);
  const keys = [...new Set([...ca.keys(), ...cb.keys()])].sort(byCodePoint);
  return { keys, ref: keys.map((k) => ca.get(k) ?? 0), cur: keys.map((k) => cb.get(k) ?? 0) };
}

/**
 * Text order by Unicode code point, as Python sorts strings. JavaScript's default sort compares UTF-16
 * code units, which puts characters outside the Basic Multilingual Plane (emoji, U+10000 and up) before
 * U+E000-U+FFFF; the Z-test counts "success" from the first key, so the order decides its sign.
 */
export function byCodePoint(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // Only a surrogate against a code unit in U+E000-U+FFFF sorts differently; code points decide.
    const cx = a.codePointAt(i)!;
    const cy = b.codePointAt(i)!;
    return cx < cy ? -1 : cx > cy ? 1 : 0;
  }
  return a.length - b.length;
}

export function toCategories(s: Sample): Map<string, number> {
  if (s.kind === 'categorical') return s.counts;
  const m = new Map<string, number>();
  for (const v of s.sorted) {
    const k = String(v);
    m.set(k, (m.get(k) ?? 0) + 1);
  }
  return m;
}

export function sizeOf(s: Sample): number {
  return s.kind === 'numeric' ? s.sorted.length : s.total;
}

/** Shares per bin (numeric) or per category over both samples; the first element says which. */
export function binnedShares(
  a: Sample,
  b: Sample,
  bins: number,
): { edges: number[] | null; keys: string[]; ref: number[]; cur: number[] } {
  if (a.kind === 'numeric' && b.kind === 'numeric') {
    const min = Math.min(a.sorted[0], b.sorted[0]);
    const max = Math.max(a.sorted[a.sorted.length - 1], b.sorted[b.sorted.length - 1]);
    const edges = histogramEdges(min, max, bins);
    const ref = histogramCountsSorted(a.sorted, edges).map((c) => c / a.sorted.length);
    const cur = histogramCountsSorted(b.sorted, edges).map((c) => c / b.sorted.length);
    return { edges, keys: [], ref, cur };
  }
  const { keys, ref, cur } = alignedCounts(a, b);
  const na = sizeOf(a);
  const nb = sizeOf(b);
  return { edges: null, keys, ref: ref.map((c) => c / na), cur: cur.map((c) => c / nb) };
}

export function runTest(method: DriftMethod, ref: Sample, cur: Sample, bins: number): TestOutcome {
  switch (method) {
    case 'ks': {
      const r = ks2Sorted(numeric(ref), numeric(cur));
      return { statistic: r.statistic, pValue: r.pValue, score: r.pValue };
    }
    case 'wasserstein': {
      const u = numeric(ref);
      const w = wasserstein1Sorted(u, numeric(cur)) / Math.max(stdDev(u), 0.001);
      return { statistic: w, pValue: null, score: w };
    }
    case 'chisquare': {
      const { ref: r, cur: c } = alignedCounts(ref, cur);
      const k = sizeOf(cur) / sizeOf(ref);
      const res = chiSquare(
        c,
        r.map((x) => x * k),
      );
      return { statistic: res.statistic, pValue: res.pValue, score: res.pValue };
    }
    case 'ztest': {
      const { ref: r, cur: c } = alignedCounts(ref, cur);
      if (r.length < 2) return { statistic: 0, pValue: 1, score: 1 };
      // "Success" = any value but the first key, as the reference implementation counts it.
      const n1 = sizeOf(ref);
      const n2 = sizeOf(cur);
      const z = twoProportionZTest(n1 - r[0], n1, n2 - c[0], n2);
      return { statistic: z.statistic, pValue: z.pValue, score: z.pValue };
    }
    case 'jensenshannon': {
      const s = binnedShares(ref, cur, bins);
      const js = jensenShannon(s.ref, s.cur);
      return { statistic: js, pValue: null, score: js };
    }
    case 'psi': {
      const s = binnedShares(ref, cur, bins);
      const v = psi(s.ref, s.cur);
      return { statistic: v, pValue: null, score: v };
    }
  }
}

function numeric(s: Sample): Float64Array {
  if (s.kind !== 'numeric') throw new Error('numeric test on categories (checked before)');
  return s.sorted;
}
