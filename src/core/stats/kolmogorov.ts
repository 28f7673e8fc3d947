import { logGamma } from './special';

/**
 * Survival function of the two-sided one-sample Kolmogorov statistic D_n, P(D_n >= x), which the
 * two-sample KS test uses in its asymptotic mode (n = round(n1*n2/(n1+n2))). The choice of algorithm per
 * region follows Simard & L'Ecuyer (2011), the same regions scipy's `kstwo.sf` uses, so the two agree
 * where an approximation (not the exact value) is what both return.
 */
export function kolmogorovSf(n: number, x: number): number {
  if (!(n >= 1) || Number.isNaN(x)) return NaN;
  if (x >= 1) return 0;
  if (x <= 0) return 1;
  const t = n * x;
  if (t <= 1) {
    // Ruben-Gambino: exact for 1/2n <= x <= 1/n.
    if (t <= 0.5) return 1;
    const cdf = n <= 140 ? productCdf(n, t) : Math.exp(logFactorialOverPower(n) + n * Math.log(2 * t - 1));
    return clip(1 - cdf);
  }
  if (t >= n - 1) return clip(2 * Math.pow(1 - x, n));
  if (x >= 0.5) return clip(2 * smirnovSf(n, x));
  const nx2 = t * x;
  if (n <= 140) {
    // Exact (Durbin matrix) below n x^2 = 4, where scipy uses Pomeranz's equally exact recursion.
    if (nx2 <= 4) return clip(1 - durbinCdf(n, x));
    return clip(2 * smirnovSf(n, x));
  }
  if (nx2 >= 370) return 0;
  if (nx2 >= 2.2) return clip(2 * smirnovSf(n, x));
  let cdf: number;
  if (nx2 >= 18) cdf = 1;
  else if (n <= 100000 && n * Math.pow(x, 1.5) <= 1.4) cdf = durbinCdf(n, x);
  else cdf = pelzGoodCdf(n, x);
  return clip(1 - cdf);
}

function clip(p: number): number {
  return p < 0 ? 0 : p > 1 ? 1 : p;
}

function productCdf(n: number, t: number): number {
  let p = 1;
  for (let i = 1; i <= n; i++) p *= (i / n) * (2 * t - 1);
  return p;
}

/** log(n! / n^n). */
function logFactorialOverPower(n: number): number {
  return logGamma(n + 1) - n * Math.log(n);
}

/**
 * One-sided exact Smirnov tail P(D_n^+ >= x) by the Birnbaum-Tingey sum. All terms are positive, so a
 * log-space sum keeps full relative accuracy even for tiny tails.
 */
export function smirnovSf(n: number, x: number): number {
  if (x <= 0) return 1;
  if (x >= 1) return 0;
  const last = Math.floor(n * (1 - x));
  const logs = new Float64Array(last + 1);
  let logBinom = 0; // log C(n, v)
  let max = -Infinity;
  for (let v = 0; v <= last; v++) {
    const a = x + v / n;
    const b = (n - v) / n - x;
    let term = logBinom + (v - 1) * Math.log(a);
    if (n - v > 0) term = b > 0 ? term + (n - v) * Math.log(b) : -Infinity;
    logs[v] = term;
    if (term > max) max = term;
    logBinom += Math.log((n - v) / (v + 1));
  }
  if (max === -Infinity) return 0;
  let sum = 0;
  for (let v = 0; v <= last; v++) sum += Math.exp(logs[v] - max);
  return x * Math.exp(max) * sum;
}

const SCALE_EXP = 256;
const SCALE = Math.pow(2, SCALE_EXP);

/**
 * Exact P(D_n < x) by the Durbin matrix method as arranged by Marsaglia, Tsang & Wang (2003): the k-th
 * diagonal entry of H^n times n!/n^n, with H of order 2k-1. Powers are rescaled to stay finite and the
 * scale is carried as a power-of-two exponent.
 */
export function durbinCdf(n: number, x: number): number {
  if (x >= 1) return 1;
  const nd = n * x;
  if (nd <= 0.5) return 0;
  const k = Math.ceil(nd);
  const h = k - nd;
  const m = 2 * k - 1;
  const H = new Float64Array(m * m);
  const invFact = new Float64Array(m + 1); // 1/j!
  invFact[0] = 1;
  for (let j = 1; j <= m; j++) invFact[j] = invFact[j - 1] / j;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < m; j++) if (i - j + 1 >= 0) H[i * m + j] = invFact[i - j + 1];
  }
  for (let i = 0; i < m; i++) {
    H[i * m] = (1 - Math.pow(h, i + 1)) * invFact[i + 1]; // first column
    H[(m - 1) * m + (m - 1 - i)] = H[i * m]; // last row mirrors the first column
  }
  const corner = (1 - 2 * Math.pow(h, m) + Math.pow(Math.max(0, 2 * h - 1), m)) * invFact[m];
  H[(m - 1) * m] = corner;

  // Binary powering with rescaling.
  let result: Float64Array | undefined;
  let resultExp = 0;
  let base: Float64Array = H;
  let baseExp = 0;
  let e = n;
  while (e > 0) {
    if (e & 1) {
      result = result ? matMul(result, base, m) : base.slice();
      resultExp += baseExp;
      const s = rescale(result, m, k);
      resultExp += s;
    }
    e >>>= 1;
    if (e > 0) {
      base = matMul(base, base, m);
      baseExp *= 2;
      baseExp += rescale(base, m, k);
    }
  }
  let p = result![(k - 1) * m + (k - 1)];
  // Multiply by n!/n^n, keeping p in range.
  for (let i = 1; i <= n; i++) {
    p = (i * p) / n;
    if (p !== 0 && Math.abs(p) < 1 / SCALE) {
      p *= SCALE;
      resultExp -= SCALE_EXP;
    }
  }
  return clip(p * Math.pow(2, resultExp));
}

function rescale(a: Float64Array, m: number, k: number): number {
  if (Math.abs(a[(k - 1) * m + (k - 1)]) > SCALE) {
    for (let i = 0; i < a.length; i++) a[i] /= SCALE;
    return SCALE_EXP;
  }
  return 0;
}

function matMul(a: Float64Array, b: Float64Array, m: number): Float64Array {
  const out = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    for (let l = 0; l < m; l++) {
      const ail = a[i * m + l];
      if (ail === 0) continue;
      const rowB = l * m;
      const rowO = i * m;
      for (let j = 0; j < m; j++) out[rowO + j] += ail * b[rowB + j];
    }
  }
  return out;
}

/**
 * Pelz-Good (1976) asymptotic expansion of P(D_n <= x): K0 + K1/sqrt(n) + K2/n + K3/n^1.5 with the
 * theta-function forms that suit small z = x sqrt(n).
 */
export function pelzGoodCdf(n: number, x: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const z = Math.sqrt(n) * x;
  const z2 = z * z;
  const z4 = z2 * z2;
  const z6 = z4 * z2;
  const pi2 = Math.PI * Math.PI;
  const pi4 = pi2 * pi2;
  const pi6 = pi4 * pi2;
  const expScale = -pi2 / 8 / z2;
  if (expScale < -708) return 0;
  const maxk = Math.ceil((16 * z) / Math.PI);
  const K = [0, 0, 0, 0];
  const c1a = -z2;
  const c1b = pi2 / 4;
  const c2a = 6 * z6 + 2 * z4;
  const c2b = ((2 * z4 - 5 * z2) * pi2) / 4;
  const c2c = (pi4 * (1 - 2 * z2)) / 16;
  const c3d = (pi6 * (5 - 30 * z2)) / 64;
  const c3c = (pi4 * (-60 * z2 + 212 * z4)) / 16;
  const c3b = (pi2 * (135 * z4 - 96 * z6)) / 4;
  const c3a = -30 * z6 - 90 * z4 * z4;
  for (let k = maxk; k >= 1; k--) {
    const odd = 2 * k - 1;
    const o2 = odd * odd;
    const o4 = o2 * o2;
    const w = Math.exp(expScale * o2);
    K[0] += w;
    K[1] += (c1a + c1b * o2) * w;
    K[2] += (c2a + c2b * o2 + c2c * o4) * w;
    K[3] += (c3a + c3b * o2 + c3c * o4 + c3d * o4 * o2) * w;
  }
  const sqrt2pi = Math.sqrt(2 * Math.PI);
  K[0] *= sqrt2pi / z;
  K[1] *= sqrt2pi / (6 * z4);
  K[2] *= sqrt2pi / (72 * z6 * z);
  K[3] *= sqrt2pi / (6480 * z6 * z4);
  // The second family of terms, summed over all k.
  const q = -pi2 / 2 / z2;
  let s2 = 0;
  let s3 = 0;
  for (let k = maxk; k >= 1; k--) {
    const kk = k * k;
    const w = Math.exp(q * kk);
    s2 += kk * w;
    s3 += (3 * z2 - pi2 * kk) * kk * w;
  }
  K[2] += (s2 * pi2 * sqrt2pi) / (-36 * z2 * z);
  K[3] += (s3 * pi2 * sqrt2pi) / (216 * z6);
  return K[0] + K[1] / Math.sqrt(n) + K[2] / n + K[3] / (n * Math.sqrt(n));
}
