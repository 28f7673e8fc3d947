/** Summaries shared by drift (reference spread) and latency (percentiles). */

/**
 * Mean of the non-NaN values. The sum is taken of the differences from the first value (a shift that
 * keeps the terms small when the values are large and close together, e.g. 1e15 plus noise) with
 * Neumaier compensation, so the result is as exact as the data allows.
 */
export function mean(values: ArrayLike<number>): number {
  let shift = NaN;
  let sum = 0;
  let comp = 0;
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v !== v) continue;
    if (n === 0) shift = v;
    const d = v - shift;
    const t = sum + d;
    comp += Math.abs(sum) >= Math.abs(d) ? sum - t + d : d - t + sum;
    sum = t;
    n++;
  }
  return n ? shift + (sum + comp) / n : NaN;
}

/**
 * Population standard deviation (ddof = 0, numpy's default) of the non-NaN values: two passes around
 * the stable mean, the squares scaled by the largest deviation so they overflow only when the spread
 * itself does (then the result is Infinity), plus the usual correction for the mean's own rounding.
 */
export function stdDev(values: ArrayLike<number>): number {
  const m = mean(values);
  if (Number.isNaN(m)) return NaN;
  let scale = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === v) scale = Math.max(scale, Math.abs(v - m));
  }
  if (scale === 0) return 0;
  if (!Number.isFinite(scale)) return Infinity;
  let sq = 0;
  let dev = 0;
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v !== v) continue;
    const d = (v - m) / scale;
    sq += d * d;
    dev += d;
    n++;
  }
  const variance = Math.max(0, (sq - (dev * dev) / n) / n);
  return scale * Math.sqrt(variance);
}

/**
 * Quantile q in [0, 1] of a sorted sample with linear interpolation between order statistics
 * (numpy's default `method='linear'`).
 */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const pos = (n - 1) * Math.min(1, Math.max(0, q));
  const lo = Math.floor(pos);
  const hi = Math.min(n - 1, lo + 1);
  const frac = pos - lo;
  return frac === 0 ? sorted[lo] : sorted[lo] + (sorted[hi] - sorted[lo]) * frac;
}
