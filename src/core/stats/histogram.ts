import { searchSorted } from './sort';

/**
 * Equal-width histograms that put every value in the same bin as numpy does: `np.histogram_bin_edges`
 * (linspace from min to max, widened by 0.5 each side when min == max) and bins closed on the left, the
 * last bin closed on both sides. `max - min` must be finite (the caller reports a spread that is not).
 */
export function histogramEdges(min: number, max: number, bins: number): number[] {
  let first = min;
  let last = max;
  if (first === last) {
    first -= 0.5;
    last += 0.5;
  }
  const delta = last - first;
  const step = delta / bins;
  const edges: number[] = [];
  // As numpy's linspace: i * step + first, or (i / bins) * delta when the step underflows to 0.
  for (let i = 0; i < bins; i++) edges.push((step === 0 ? (i / bins) * delta : i * step) + first);
  edges.push(last);
  // With subnormal values the rounded step can carry the inner edges past `last` (numpy's would too):
  // clamp so the edges never decrease. For normal values this changes nothing.
  for (let i = 1; i <= bins; i++) edges[i] = Math.min(Math.max(edges[i], edges[i - 1]), last);
  return edges;
}

/** Counts of a sorted sample in the bins given by `edges` (values outside the edges are not counted). */
export function histogramCountsSorted(sorted: ArrayLike<number>, edges: readonly number[]): number[] {
  const counts: number[] = [];
  const bins = edges.length - 1;
  let prev = searchSorted(sorted, edges[0], 'left');
  for (let b = 0; b < bins; b++) {
    const upTo =
      b === bins - 1 ? searchSorted(sorted, edges[b + 1], 'right') : searchSorted(sorted, edges[b + 1], 'left');
    counts.push(upTo - prev);
    prev = upTo;
  }
  return counts;
}

/** Counts of an unsorted sample (NaN skipped), same bin rule as `histogramCountsSorted`. */
export function histogramCounts(values: ArrayLike<number>, edges: readonly number[]): number[] {
  const bins = edges.length - 1;
  const counts = new Array<number>(bins).fill(0);
  const first = edges[0];
  const last = edges[bins];
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!(v >= first && v <= last)) continue;
    // Find the last edge <= v, but the right-most edge belongs to the last bin.
    let b = searchSorted(edges, v, 'right') - 1;
    if (b >= bins) b = bins - 1;
    counts[b]++;
  }
  return counts;
}
