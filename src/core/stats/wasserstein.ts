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

/**
 * One reference sample against many small ones (drift per window): W1 in about O(m log(n/m)) per
 * window instead of O(n + m). Between two consecutive values of the window its ECDF is a constant c,
 * and the reference ECDF, being monotone, crosses c at most once there, at a known order statistic; the
 * integral of F_u on each side is read from prefix sums of the sorted reference. The reference is
 * centred first so the prefix sums stay small and the differences of them keep their precision.
 */
export class WassersteinReference {
  private readonly n: number;
  private readonly centre: number;
  private readonly u: Float64Array;
  /** prefix[k] = sum of the k smallest centred reference values. */
  private readonly prefix: Float64Array;

  /** `sorted` must be sorted and NaN-free. */
  constructor(sorted: ArrayLike<number>) {
    this.n = sorted.length;
    this.centre = this.n ? sorted[this.n >> 1] : 0;
    this.u = new Float64Array(this.n);
    this.prefix = new Float64Array(this.n + 1);
    for (let i = 0; i < this.n; i++) {
      this.u[i] = sorted[i] - this.centre;
      this.prefix[i + 1] = this.prefix[i] + this.u[i];
    }
  }

  /** W1 between the reference and `v` (sorted, NaN-free), as wasserstein1Sorted(reference, v). */
  distanceTo(v: ArrayLike<number>): number {
    const { n, u, prefix } = this;
    const m = v.length;
    if (n === 0 || m === 0) return NaN;
    // G(x) = ∫_{-∞}^{x} F_u = Σ max(0, x - u_i) / n = (k x - prefix[k]) / n for k = #{u_i < x}; any k
    // splitting the values at x gives the same sum (values equal to x add 0), which the crossing uses.
    let k = 0;
    const areaBelow = (x: number) => {
      k = this.seek(x, k);
      return (k * x - prefix[k]) / n;
    };
    let a = v[0] - this.centre;
    let ga = areaBelow(a);
    let sum = ga; // left of the window's first value F_v = 0: the area under F_u
    let j = 0;
    while (j < m && v[j] - this.centre <= a) j++;
    while (j < m) {
      // On [a, b) the window's ECDF is c = j / m, and F_u reaches c at its r-th smallest value.
      const b = v[j] - this.centre;
      const gb = areaBelow(b);
      const c = j / m;
      const r = Math.ceil((j * n) / m); // in integers first, so the ceiling is exact; 1 <= r <= n
      const cross = u[r - 1];
      let t = cross;
      let gt = ((r - 1) * cross - prefix[r - 1]) / n;
      if (cross <= a) {
        t = a;
        gt = ga;
      } else if (cross >= b) {
        t = b;
        gt = gb;
      }
      sum += c * (t - a) - (gt - ga) + (gb - gt) - c * (b - t);
      a = b;
      ga = gb;
      while (j < m && v[j] - this.centre <= a) j++;
    }
    // Right of the last value F_v = 1: the area above F_u, Σ max(0, u_i - a) / n.
    return sum + (prefix[n] - prefix[k] - (n - k) * a) / n;
  }

  /**
   * #{u_i < x}, searching forward from `from` (the answer for a smaller x): the window's values come
   * sorted, so a gallop then a bisection over the gap stays near the last answer.
   */
  private seek(x: number, from: number): number {
    const { u, n } = this;
    if (from >= n || u[from] >= x) return from;
    let lo = from + 1; // u[lo - 1] < x
    let hi = lo;
    let step = 1;
    while (hi < n && u[hi] < x) {
      lo = hi + 1;
      hi = lo + step;
      step *= 2;
    }
    if (hi > n) hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (u[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
