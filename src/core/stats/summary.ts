/** Summaries shared by drift (reference spread) and latency (percentiles). */

/** Mean of the non-NaN values. */
export function mean(values: ArrayLike<number>): number {
  let s = 0;
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === v) {
      s += v;
      n++;
    }
  }
  return n ? s / n : NaN;
}

/** Population standard deviation (ddof = 0, numpy's default) of the non-NaN values, two-pass. */
export function stdDev(values: ArrayLike<number>): number {
  const m = mean(values);
  if (Number.isNaN(m)) return NaN;
  let s = 0;
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === v) {
      s += (v - m) * (v - m);
      n++;
    }
  }
  return Math.sqrt(s / n);
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
