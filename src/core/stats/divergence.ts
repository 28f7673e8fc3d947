/**
 * Distances between two discrete distributions given as counts or shares over the same bins.
 */

/** x log(x/y) with the conventions of scipy.special.rel_entr. */
function relEntr(x: number, y: number): number {
  if (x > 0 && y > 0) return x * Math.log(x / y);
  if (x === 0 && y >= 0) return 0;
  return Infinity;
}

/**
 * Jensen-Shannon distance (natural log), as scipy.spatial.distance.jensenshannon(p, q): both vectors are
 * normalised to sum 1, then sqrt((KL(p||m) + KL(q||m)) / 2) with m the mean of the two.
 */
export function jensenShannon(p: readonly number[], q: readonly number[]): number {
  const sp = p.reduce((a, b) => a + b, 0);
  const sq = q.reduce((a, b) => a + b, 0);
  let left = 0;
  let right = 0;
  for (let i = 0; i < p.length; i++) {
    const a = p[i] / sp;
    const b = q[i] / sq;
    const m = (a + b) / 2;
    left += relEntr(a, m);
    right += relEntr(b, m);
  }
  return Math.sqrt((left + right) / 2);
}

/** Share that replaces an empty bin in PSI, so that log(0) never occurs (the common convention). */
export const PSI_EPSILON = 0.0001;

/**
 * Population Stability Index: sum over bins of (r - c) ln(r / c) where r, c are the shares of the
 * reference and current samples in each bin, an empty bin counting as PSI_EPSILON.
 */
export function psi(referenceShares: readonly number[], currentShares: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < referenceShares.length; i++) {
    const r = referenceShares[i] === 0 ? PSI_EPSILON : referenceShares[i];
    const c = currentShares[i] === 0 ? PSI_EPSILON : currentShares[i];
    s += (r - c) * Math.log(r / c);
  }
  return s;
}
