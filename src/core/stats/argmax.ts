/**
 * The index of the largest value in data[from, from + n), the first one on a tie (a class index: top-1).
 * Values are read with Number() so tensors of any numeric type and JSON data both work; NaN never wins.
 */
export function argmax(data: ArrayLike<unknown>, from = 0, n = data.length - from): number {
  let best = 0;
  let bestValue = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = Number(data[from + i]);
    if (v > bestValue) {
      bestValue = v;
      best = i;
    }
  }
  return best;
}
