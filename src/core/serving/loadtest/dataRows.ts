import { readDataset } from '../../drift/read';
import type { Column, NumericColumn } from '../../drift/types';
import { MlopsError } from '../../errors';

export interface DataRows {
  /** Feature columns used, in the order they fill each row. */
  columns: string[];
  rows: number[][];
  /** Rows left out because a chosen column was missing there (JSON has no NaN to send). */
  skippedRows: number;
}

/**
 * Rows of numbers from a CSV / JSONL / Parquet file (the drift readers), for requests to a model with
 * one 2-D input. `columns` names the features in the model's order; without it every numeric column is
 * used in file order (text, timestamps and empty columns left out), and `width` (the input's feature count, when fixed) must match.
 */
export async function readDataRows(
  file: string,
  opts: { columns?: string[]; width: number | null; displayName?: string; signal?: AbortSignal },
): Promise<DataRows> {
  const label = opts.displayName ?? file;
  const ds = await readDataset(file, { columns: opts.columns, displayName: label, signal: opts.signal });
  let chosen: Column[];
  if (opts.columns) {
    chosen = opts.columns.map((name) => {
      const c = ds.columns.find((x) => x.name === name);
      if (!c)
        throw new MlopsError(
          'INVALID_ARGUMENT',
          `${label} has no column '${name}'.`,
          `Its columns are: ${ds.header.join(', ')}.`,
        );
      return c;
    });
  } else {
    // Every numeric column, in file order: text, timestamps and empty columns are not features to send.
    chosen = ds.columns.filter((c) => c.type === 'numeric');
    if (opts.width !== null && chosen.length !== opts.width) {
      const used = new Set(chosen.map((c) => c.name));
      const why = (name: string) => {
        const col = ds.columns.find((c) => c.name === name);
        if (col) return `${name} (${col.type})`;
        const skipped = ds.skipped.find((x) => x.name === name);
        return skipped ? `${name} (${skipped.reason})` : name;
      };
      const left = ds.header.filter((h) => h && !used.has(h)).map(why);
      throw new MlopsError(
        'INVALID_ARGUMENT',
        `${label} has ${chosen.length} numeric column${chosen.length === 1 ? '' : 's'}${left.length ? ` (left out: ${left.join(', ')})` : ''}, the model's input takes ${opts.width} features.`,
        `Name the feature columns in the model's order with --columns (the file has: ${ds.header.join(', ')}).`,
      );
    }
  }
  const numeric = chosen.map((c) => {
    if (c.type === 'numeric' || c.type === 'timestamp') return c as NumericColumn;
    throw new MlopsError(
      'INVALID_ARGUMENT',
      `Column '${c.name}' of ${label} is ${c.type}, not numeric.`,
      'Choose numeric feature columns with --columns.',
    );
  });
  const rows: number[][] = [];
  let skippedRows = 0;
  for (let r = 0; r < ds.rows; r++) {
    const row = numeric.map((c) => c.values[r]);
    if (row.some((v) => !Number.isFinite(v))) skippedRows++;
    else rows.push(row);
  }
  if (rows.length === 0)
    throw new MlopsError(
      'INVALID_ARGUMENT',
      `${label} has no row with a value in every chosen column (${skippedRows} incomplete).`,
      'Give a file with complete rows, or choose other columns with --columns.',
    );
  return { columns: numeric.map((c) => c.name), rows, skippedRows };
}
