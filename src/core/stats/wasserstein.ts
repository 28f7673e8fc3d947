/**
 * First Wasserstein (earth mover's) distance between two samples, the integral of |F_u - F_v| over the
 * merged support, as scipy's `wasserstein_distance(u, v)` with equal weights. Samples must be sorted and
 * NaN-free. Summed with Neumaier compensation, so 2M terms lose nothing measurable.
 */
export function wasserstein1Sorted(u: ArrayLike<number>, v: ArrayLike<number>): number {
  const nu = u.length;
  const nv = v.length;
  if (nu === 0 || nv === 0) return NaN;
  let i = 0;
  let j = 0;
  let x = u[0] < v[0] ? u[0] : v[0];
  let sum = 0;
  let comp = 0;
  for (;;) {
    while (i < nu && u[i] <= x) i++;
    while (j < nv && v[j] <= x) j++;
    const next = i < nu ? (j < nv && v[j] < u[i] ? v[j] : u[i]) : j < nv ? v[j] : NaN;
    if (next !== next) break;
    const term = Math.abs(i / nu - j / nv) * (next - x);
    const t = sum + term;
    comp += Math.abs(sum) >= Math.abs(term) ? sum - t + term : term - t + sum;
    sum = t;
    x = next;
  }
  return sum + comp;
}
