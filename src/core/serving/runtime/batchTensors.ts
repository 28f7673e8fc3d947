import type { NumericArray, Tensor, TensorData } from './datatypes';
import type { PreparedRequest } from './prepareRequest';
import { product, toResponseOutput } from './tensorCodec';
import type { ResponseOutput } from '../types';

/**
 * Stacking requests along the first dimension and cutting the batched result back into per-request
 * outputs. Requests are merged only when they share a merge key (same trailing dims, same outputs), so
 * the stacked tensor is exactly their concatenation, row-major.
 */
export function mergeFeeds(requests: PreparedRequest[]): Record<string, Tensor> {
  const first = requests[0].feeds;
  const out: Record<string, Tensor> = {};
  for (const name of Object.keys(first)) {
    const parts = requests.map((r) => r.feeds[name]);
    const rows = parts.reduce((n, t) => n + t.dims[0], 0);
    out[name] = {
      type: first[name].type,
      dims: [rows, ...first[name].dims.slice(1)],
      data: concat(parts.map((t) => t.data)),
    };
  }
  return out;
}

function concat(parts: TensorData[]): TensorData {
  if (Array.isArray(parts[0])) return ([] as string[]).concat(...(parts as string[][]));
  const arrays = parts as NumericArray[];
  const total = arrays.reduce((n, a) => n + a.length, 0);
  const Ctor = arrays[0].constructor as new (n: number) => NumericArray;
  const out = new Ctor(total);
  let at = 0;
  for (const a of arrays) {
    (out as Float64Array).set(a as Float64Array, at);
    at += a.length;
  }
  return out;
}

/** Whether every fetched output has the batch's rows along its first dimension (so it can be split). */
export function splittable(outputs: Record<string, Tensor>, names: string[], rows: number): boolean {
  return names.every((n) => {
    const t = outputs[n];
    return t && t.dims.length > 0 && t.dims[0] === rows && t.data.length === product(t.dims);
  });
}

/** The response outputs of the request owning rows [start, start + rows) of a batched result. */
export function sliceOutputs(
  outputs: Record<string, Tensor>,
  names: string[],
  start: number,
  rows: number,
): ResponseOutput[] {
  return names.map((n) => {
    const t = outputs[n];
    return toResponseOutput(n, t.type, t.dims, t.data, start, start + rows);
  });
}

/** The response outputs of an unbatched run. */
export function wholeOutputs(outputs: Record<string, Tensor>, names: string[]): ResponseOutput[] {
  return names.map((n) => {
    const t = outputs[n];
    return toResponseOutput(n, t.type, t.dims, t.data);
  });
}
