/**
 * Datasets as typed columns: numbers (and timestamps, as epoch milliseconds) in Float64Array with NaN
 * for a missing value; categories (and booleans) as Int32Array codes into a dictionary, -1 for missing.
 * Missing and invalid values are counted per column, never dropped or turned into zeros.
 */
export type ColumnType = 'numeric' | 'categorical' | 'boolean' | 'timestamp';
export const COLUMN_TYPES: readonly ColumnType[] = ['numeric', 'categorical', 'boolean', 'timestamp'];

export type DataFormat = 'csv' | 'jsonl' | 'parquet';

/** Where a value sits in its file: 1-based line and column (characters) for text formats. */
export interface SourcePosition {
  line?: number;
  column?: number;
  /** Parquet and JSONL: the 0-based row. */
  row?: number;
}

/** Values that are present but not of the column's type ("abc" in a numeric column). */
export interface InvalidValues {
  count: number;
  example?: { value: string } & SourcePosition;
}

interface ColumnBase {
  name: string;
  /** 1-based position in the file's header / schema. */
  index: number;
  /** Missing values (empty, NA, null, NaN, non-finite ...), not counting invalid ones. */
  missing: number;
  invalid: InvalidValues;
  /** True when the type was given by the user rather than inferred. */
  typeForced: boolean;
  /**
   * Numbers too large for a double (1e400, or infinite): stored as missing and counted among `missing`
   * too, but named apart so a report says they overflow rather than that they are missing.
   */
  overflow?: InvalidValues;
}

export interface NumericColumn extends ColumnBase {
  type: 'numeric' | 'timestamp';
  values: Float64Array;
}

export interface CategoricalColumn extends ColumnBase {
  type: 'categorical' | 'boolean';
  codes: Int32Array;
  dictionary: string[];
}

export type Column = NumericColumn | CategoricalColumn;

export interface Dataset {
  file: string;
  format: DataFormat;
  rows: number;
  bytes: number;
  columns: Column[];
  /** Every column name in the file (header / keys / schema), in order, read or not. */
  header: string[];
  /**
   * Columns present in the file but not read, with the reason (no header name, not selected ...).
   * `allMissing`: the column has no value at all, so it cannot be compared (the drift gate fails on it).
   */
  skipped: { name: string; reason: string; allMissing?: boolean }[];
  /** What the reader left out and a report should say (corrupt lines of a prediction log ...). */
  notes?: string[];
}

export interface ReadOptions {
  /** Only these columns (by name) are read; all when undefined. */
  columns?: readonly string[];
  /** Types given by the user; others are inferred. */
  types?: Readonly<Record<string, ColumnType>>;
  /** CSV: the delimiter; detected among , ; tab | when undefined. */
  delimiter?: string;
  /** How the file is named in messages (default: the path as given). */
  displayName?: string;
  /** Bytes read per chunk (tests use small chunks to cross chunk boundaries). */
  chunkSize?: number;
  signal?: AbortSignal;
  onProgress?: (bytesRead: number, totalBytes: number) => void;
}
