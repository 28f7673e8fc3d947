/**
 * A quantile from histogram bucket counts, the way Prometheus' histogram_quantile does: find the bucket
 * holding the rank and interpolate linearly inside it (from 0 for the first bucket). A rank in the last,
 * unbounded bucket gives the highest finite bound. `bounds` ascend; `counts` are per bucket (not
 * cumulative) and have one more entry than `bounds` (the +Inf bucket).
 */
export function bucketQuantile(q: number, bounds: readonly number[], counts: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < counts.length; i++) total += counts[i];
  if (total <= 0) return 0;
  const rank = q * total;
  let acc = 0;
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i];
    if (c > 0 && acc + c >= rank) {
      if (i >= bounds.length) return bounds[bounds.length - 1];
      const lo = i === 0 ? 0 : bounds[i - 1];
      return lo + (bounds[i] - lo) * Math.max(0, Math.min(1, (rank - acc) / c));
    }
    acc += c;
  }
  return bounds[bounds.length - 1];
}
