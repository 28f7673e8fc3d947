import { searchSorted } from './sort';

/**
 * Equal-width histograms that put every value in the same bin as numpy does: `np.histogram_bin_edges`
 * (linspace from min to max, widened by 0.5 each side when min == max) and bins closed on the left, the
 * last bin closed on both sides.
 */
export function histogramEdges(min: number, max: number, bins: number): number[] {
  let first = min;
  let last = max;
  if (first === last) {
    first -= 0.5;
    last += 0.5;
  }
  const step = (last - first) / bins;
  const edges: number[] = [];
  for (let i = 0; i < bins; i++) edges.push(i * step + first);
  edges.push(last);
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
