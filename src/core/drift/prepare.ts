import { sortFloat64 } from '../stats/sort';
import type { Column, Dataset, InvalidValues } from './types';

/**
 * A dataset reduced to what the tests need: numeric columns as sorted non-missing values, categorical
 * columns as counts per code. Raw (row-ordered) values are kept only where windows need them; without
 * windows the sort happens in place, so a column is never held twice. Everything here is typed arrays
 * and plain data, so it crosses worker_threads by transfer, without copying.
 */
interface PreparedBase {
  name: string;
  index: number;
  rows: number;
  missing: number;
  invalid: InvalidValues;
  typeForced: boolean;
  overflow?: InvalidValues;
}

export interface PreparedNumeric extends PreparedBase {
  type: 'numeric';
  sorted: Float64Array;
  raw: Float64Array | null;
}

export interface PreparedTimestamp extends PreparedBase {
  type: 'timestamp';
  min: number;
  max: number;
  raw: Float64Array | null;
}

export interface PreparedCategorical extends PreparedBase {
  type: 'categorical' | 'boolean';
  dictionary: string[];
  counts: Float64Array;
  codes: Int32Array | null;
}

export type PreparedColumn = PreparedNumeric | PreparedTimestamp | PreparedCategorical;

export interface PreparedDataset {
  file: string;
  format: Dataset['format'];
  rows: number;
  bytes: number;
  skipped: Dataset['skipped'];
  header: string[];
  columns: PreparedColumn[];
  notes?: string[];
}

export interface PrepareOptions {
  /** Keep row-ordered values (for windows over the current data). */
  keepRaw: boolean;
  /** The timestamp column keeps its values even without windows (staleness). */
  timestamp?: string;
}

export function prepareDataset(ds: Dataset, opts: PrepareOptions): PreparedDataset {
  return {
    file: ds.file,
    format: ds.format,
    rows: ds.rows,
    bytes: ds.bytes,
    skipped: ds.skipped,
    header: ds.header,
    columns: ds.columns.map((c) => prepareColumn(c, ds.rows, opts)),
    ...(ds.notes?.length ? { notes: ds.notes } : {}),
  };
}

function prepareColumn(c: Column, rows: number, opts: PrepareOptions): PreparedColumn {
  const base = {
    name: c.name,
    index: c.index,
    rows,
    missing: c.missing,
    invalid: c.invalid,
    typeForced: c.typeForced,
    ...(c.overflow ? { overflow: c.overflow } : {}),
  };
  if (!('values' in c)) {
    const counts = new Float64Array(c.dictionary.length);
    for (const code of c.codes) if (code >= 0) counts[code]++;
    return { ...base, type: c.type, dictionary: c.dictionary, counts, codes: opts.keepRaw ? c.codes : null };
  }
  const values = c.values;
  if (c.type === 'timestamp') {
    let min = Infinity;
    let max = -Infinity;
    for (const v of values) {
      if (v < min) min = v;
      if (v > max) max = v;
    }
    const keep = opts.keepRaw || c.name === opts.timestamp;
    return { ...base, type: 'timestamp', min, max, raw: keep ? values : null };
  }
  if (opts.keepRaw) {
    const sorted = new Float64Array(count(values));
    let k = 0;
    for (const v of values) if (v === v) sorted[k++] = v;
    return { ...base, type: 'numeric', sorted: sortFloat64(sorted), raw: values };
  }
  // Compact the non-missing values to the front and sort that part in place.
  let k = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === v) values[k++] = v;
  }
  return { ...base, type: 'numeric', sorted: sortFloat64(values.subarray(0, k)), raw: null };
}

function count(values: Float64Array): number {
  let n = 0;
  for (const v of values) if (v === v) n++;
  return n;
}

/** The ArrayBuffers to transfer when posting a prepared dataset to another thread. */
export function transferables(ds: PreparedDataset): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  for (const c of ds.columns) {
    const arrays = 'counts' in c ? [c.counts, c.codes] : 'sorted' in c ? [c.sorted, c.raw] : [c.raw];
    for (const a of arrays) {
      if (a && a.buffer instanceof ArrayBuffer) out.add(a.buffer);
    }
  }
  return [...out];
}
