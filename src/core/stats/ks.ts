import { kolmogorovSf } from './kolmogorov';

/**
 * Two-sample Kolmogorov-Smirnov test, two-sided, with the p-value computed the way scipy's
 * `ks_2samp(a, b)` does in its default mode: exact when both samples have at most 10,000 values,
 * else the asymptotic Kolmogorov distribution with n = round(n1*n2/(n1+n2)).
 */
export interface KsResult {
  statistic: number;
  pValue: number;
  mode: 'exact' | 'asymp';
}

const MAX_EXACT_N = 10000;

/** D = sup |F1 - F2| over two sorted samples (NaN-free), with right-continuous ECDFs. */
export function ksStatisticSorted(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n1 = a.length;
  const n2 = b.length;
  let i = 0;
  let j = 0;
  let maxS = 0;
  let minS = 0;
  while (i < n1 && j < n2) {
    const x = a[i] <= b[j] ? a[i] : b[j];
    while (i < n1 && a[i] <= x) i++;
    while (j < n2 && b[j] <= x) j++;
    const diff = i / n1 - j / n2;
    if (diff > maxS) maxS = diff;
    if (diff < minS) minS = diff;
  }
  // Past the end of one sample the difference only shrinks towards 0.
  return Math.max(maxS, -minS);
}

export function ks2Sorted(a: ArrayLike<number>, b: ArrayLike<number>): KsResult {
  const n1 = a.length;
  const n2 = b.length;
  if (n1 === 0 || n2 === 0) return { statistic: NaN, pValue: NaN, mode: 'exact' };
  const d = ksStatisticSorted(a, b);
  if (Math.max(n1, n2) <= MAX_EXACT_N) {
    const exact = ksExactPValue(n1, n2, d);
    if (exact !== undefined) return { statistic: exact.d, pValue: exact.p, mode: 'exact' };
  }
  const [m, n] = n1 >= n2 ? [n1, n2] : [n2, n1];
  const en = (m * n) / (m + n);
  return { statistic: d, pValue: kolmogorovSf(roundHalfEven(en), d), mode: 'asymp' };
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x - Math.trunc(x)) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * Exact two-sided p-value P(D >= d). d is snapped to the lattice of attainable values h/lcm(n1, n2).
 * Returns undefined when the computation is not trustworthy (then the caller uses the asymptotic form).
 */
export function ksExactPValue(n1: number, n2: number, d: number): { d: number; p: number } | undefined {
  const g = gcd(n1, n2);
  const lcm = (n1 / g) * n2;
  const h = roundHalfEven(d * lcm);
  const snapped = h / lcm;
  if (h === 0) return { d: snapped, p: 1 };
  const p = n1 === n2 ? probOutsideSquare(n1, h) : probOutsideBand(n1, n2, g, h);
  if (!Number.isFinite(p) || p < 0 || p > 1) return undefined;
  return { d: snapped, p };
}

/**
 * n1 == n2 == n: P(D >= h/n) = 2 * sum_{k>=1} (-1)^(k-1) C(2n, n-kh) / C(2n, n). Evaluated as nested
 * products r0 (1 - r1 (1 - r2 (...))) of consecutive term ratios, which avoids the cancellation of the
 * alternating sum.
 */
function probOutsideSquare(n: number, h: number): number {
  let acc = 0;
  for (let k = Math.floor(n / h); k >= 0; k--) {
    let ratio = 1; // C(2n, n-(k+1)h) / C(2n, n-kh)
    for (let j = 0; j < h; j++) ratio = ((n - k * h - j) * ratio) / (n + k * h + j + 1);
    acc = ratio * (1 - acc);
  }
  return 2 * acc;
}

/**
 * n1 != n2: the share of monotone lattice paths from (0,0) to (m,n) that touch or cross the band
 * |x/m - y/n| < h/lcm. B(i,j), the share of paths into (i,j) that have already left the band, obeys
 * B(i,j) = (i B(i-1,j) + j B(i,j-1)) / (i+j) inside the band and is 1 outside it (Hodges 1958 with
 * Viehmann's 2021 recursion for 1 - p, which stays in [0,1] and never cancels). Only the band is updated.
 */
function probOutsideBand(n1: number, n2: number, g: number, h: number): number {
  const m = Math.max(n1, n2);
  const n = Math.min(n1, n2);
  const mg = m / g;
  const ng = n / g;
  // Point (i,j) is inside when |ng*i - mg*j| < h.
  const col = new Float64Array(n + 1).fill(1);
  let lo = 0;
  const firstHi = Math.min(Math.ceil(h / mg), n + 1); // exclusive
  for (let j = 0; j < firstHi; j++) col[j] = 0;
  for (let i = 1; i <= m; i++) {
    const newLo = Math.min(Math.max(Math.floor((ng * i - h) / mg) + 1, 0), n);
    const newHi = Math.min(Math.ceil((ng * i + h) / mg), n + 1);
    if (newHi <= newLo) return 1;
    for (let j = lo; j < newLo; j++) col[j] = 1; // fell below the band
    let below = newLo === 0 ? 0 : 1; // B(i, newLo - 1): outside unless it does not exist
    for (let j = newLo; j < newHi; j++) {
      below = (col[j] * i + below * j) / (i + j);
      col[j] = below;
    }
    lo = newLo;
  }
  return col[n];
}
