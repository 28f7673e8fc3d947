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
 * One reference sample against many small ones (drift per window): W1 in O(m log n) per window
 * instead of O(n + m). Between two consecutive values of the window its ECDF is a constant c, and the
 * reference ECDF, being monotone, crosses c at most once there, at a known order statistic; the
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
    const m = v.length;
    if (this.n === 0 || m === 0) return NaN;
    const x0 = v[0] - this.centre;
    // Left of the window's first value F_v = 0: the area under F_u.
    let sum = this.areaBelow(x0);
    let a = x0;
    let j = 0;
    while (j < m && v[j] - this.centre <= a) j++;
    while (j < m) {
      const b = v[j] - this.centre;
      sum += this.absArea(a, b, j, m);
      a = b;
      while (j < m && v[j] - this.centre <= a) j++;
    }
    // Right of the last value F_v = 1: the area above F_u.
    return sum + this.areaAbove(a);
  }

  /** ∫_{-∞}^{x} F_u = Σ max(0, x - u_i) / n. */
  private areaBelow(x: number): number {
    const k = this.countBelow(x);
    return (k * x - this.prefix[k]) / this.n;
  }

  /** ∫_{x}^{∞} (1 - F_u) = Σ max(0, u_i - x) / n. */
  private areaAbove(x: number): number {
    const k = this.countBelow(x);
    return (this.prefix[this.n] - this.prefix[k] - (this.n - k) * x) / this.n;
  }

  /** ∫_a^b |F_u - c| for a < b, where c = j / m (the window's ECDF there). */
  private absArea(a: number, b: number, j: number, m: number): number {
    const c = j / m;
    // F_u(t) >= c from the ceil(c n)-th smallest value on; j n / m in integers first, so ceil is exact.
    const r = Math.ceil((j * this.n) / m);
    const cross = r <= 0 ? -Infinity : r > this.n ? Infinity : this.u[r - 1];
    const t = Math.min(Math.max(cross, a), b);
    const g = (x: number) => this.areaBelow(x);
    const ga = g(a);
    const gt = g(t);
    const gb = g(b);
    return c * (t - a) - (gt - ga) + (gb - gt) - c * (b - t);
  }

  /** How many reference values are below x (binary search). */
  private countBelow(x: number): number {
    let lo = 0;
    let hi = this.n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.u[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
