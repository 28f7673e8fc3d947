import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { ColumnBuilder } from '../../drift/read/builder';
import type { Column, Dataset, ReadOptions } from '../../drift/types';
import { MlopsError } from '../../errors';
import type { PredictionRecord } from '../types';
import { readFeatureNames, type FeatureNames } from './features';
import { LOG_EXTENSION } from './layout';
import { listLogFiles, type LogReadStats, readPredictionLog } from './reader';

/** The timestamp column: each row's request time, for windows and staleness (not compared as a feature). */
export const TS_COLUMN = 'ts';

/**
 * Is `file` a prediction log (a folder of them, or a .jsonl whose first line is a prediction record)?
 * Lets `mlops drift --current` take a log wherever it takes a data file.
 */
export async function isPredictionLog(file: string): Promise<boolean> {
  const stat = await fsp.stat(file).catch(() => undefined);
  if (!stat) return false;
  // A folder is a log when it holds log files, or is the predictions folder with model folders that do;
  // any other folder is left to the data readers, which refuse it as not a data file.
  if (stat.isDirectory()) return holdsLogFiles(file, 2);
  if (!file.toLowerCase().endsWith(LOG_EXTENSION)) return false;
  const fh = await fsp.open(file, 'r');
  try {
    const head = Buffer.alloc(4096);
    const { bytesRead } = await fh.read(head, 0, head.length, 0);
    const first = head.toString('utf8', 0, bytesRead).split('\n')[0];
    return /^\{"ts":"[^"]*","model":/.test(first) && first.includes('"inputs":');
  } finally {
    await fh.close();
  }
}

async function holdsLogFiles(dir: string, depth: number): Promise<boolean> {
  const entries = await fsp.readdir(dir, { withFileTypes: true }).catch(() => []);
  if (entries.some((e) => e.isFile() && e.name.endsWith(LOG_EXTENSION))) return true;
  if (depth <= 1) return false;
  for (const e of entries) if (e.isDirectory() && (await holdsLogFiles(path.join(dir, e.name), depth - 1))) return true;
  return false;
}

/** Row width and count of one input's tensor: rows along the first dimension, the rest flattened. */
function layout(shape: number[], length: number): { rows: number; width: number } {
  if (shape.length === 0) return { rows: 1, width: 1 };
  const rows = shape[0];
  const width = shape.length === 1 ? 1 : shape.slice(1).reduce((a, b) => a * b, 1);
  return rows * width === length ? { rows, width } : { rows: -1, width: -1 };
}

function columnNames(input: string, width: number, shapeRank: number, named?: string[]): string[] {
  if (named && named.length === width) return named;
  if (shapeRank <= 1) return [input];
  return Array.from({ length: width }, (_, i) => `${input}_${i}`);
}

/**
 * A prediction log as a drift dataset: each answered request gives one row per element of its inputs'
 * first dimension, and each element of a row one feature column, named by the `feature_names` tag of
 * the version that answered (kept in features.json beside the log), else <input>_<i> (<input> for 1-D
 * inputs). Failed requests are left out. The request time is the timestamp column `ts`; it is listed in
 * `columns` but not in `header`, so it serves windows and staleness without being compared.
 */
export async function readPredictionLogDataset(target: string, opts: ReadOptions = {}): Promise<Dataset> {
  const display = opts.displayName ?? target;
  const wanted = opts.columns ? new Set(opts.columns) : undefined;
  const listed = await listLogFiles(target);
  const names: FeatureNames = await readFeatureNames(listed.modelDir);
  const builders = new Map<string, ColumnBuilder>();
  let capacity = 1024;
  let rows = 0;
  let bytes = 0;
  const ts = new ColumnBuilder(TS_COLUMN, 0, 'timestamp', capacity);
  let skippedRecords = 0;

  const builder = (name: string) => {
    let b = builders.get(name);
    if (!b) {
      b = new ColumnBuilder(name, builders.size + 1, opts.types?.[name], capacity);
      builders.set(name, b);
    }
    return b;
  };

  const add = (r: PredictionRecord) => {
    if (r.status !== 200) return;
    const inputs = Object.entries(r.inputs);
    let n = -1;
    const parts: { names: string[]; width: number; data: unknown[] }[] = [];
    for (const [input, t] of inputs) {
      if (!t || !Array.isArray(t.shape) || !Array.isArray(t.data)) return void skippedRecords++;
      const l = layout(t.shape, t.data.length);
      if (l.rows < 0 || (n >= 0 && l.rows !== n)) return void skippedRecords++;
      n = l.rows;
      parts.push({
        names: columnNames(input, l.width, t.shape.length, names[String(r.version)]?.[input]),
        width: l.width,
        data: t.data,
      });
    }
    if (n <= 0) return;
    if (rows + n > capacity) {
      while (capacity < rows + n) capacity = Math.ceil(capacity * 1.5);
      for (const b of builders.values()) b.ensureCapacity(capacity);
      ts.ensureCapacity(capacity);
    }
    const when = Date.parse(r.ts);
    for (let i = 0; i < n; i++) ts.acceptTimestamp(rows + i, when);
    for (const p of parts) {
      for (let c = 0; c < p.width; c++) {
        if (wanted && !wanted.has(p.names[c])) continue;
        const b = builder(p.names[c]);
        for (let i = 0; i < n; i++) {
          const v = p.data[i * p.width + c];
          if (v === null || v === undefined) continue;
          if (typeof v === 'number') b.acceptNumber(rows + i, v);
          else if (typeof v === 'boolean') b.acceptBoolean(rows + i, v);
          else b.acceptText(rows + i, String(v), 'text', { row: rows + i });
        }
      }
    }
    rows += n;
  };

  const stats = await readPredictionLog(listed, add, opts.signal);
  for (const f of stats.files) bytes += (await fsp.stat(f)).size;
  if (rows === 0) {
    throw new MlopsError(
      'INVALID_ARGUMENT',
      `${display}: the prediction log holds no answered request${skippedRecords ? ` (${skippedRecords} records had inputs of mismatched shapes)` : ''}.`,
      'Send the served model some requests first, or check --log-predictions is not off.',
    );
  }
  for (const w of wanted ?? []) {
    if (w !== TS_COLUMN && !builders.has(w))
      throw new MlopsError(
        'INVALID_ARGUMENT',
        `${display}: the prediction log has no feature "${w}".`,
        `Features: ${[...builders.keys()].join(', ')}.`,
      );
  }
  const columns: Column[] = [];
  const skipped: Dataset['skipped'] = [];
  for (const b of builders.values()) {
    const c = b.finish(rows);
    if (c) columns.push(c);
    else skipped.push({ name: b.name, reason: 'every value is missing', allMissing: true });
  }
  const tsColumn = ts.finish(rows);
  if (tsColumn) columns.push(tsColumn);
  const notes = logNotes(display, stats, skippedRecords);
  return {
    file: display,
    format: 'jsonl',
    rows,
    bytes,
    columns,
    header: [...builders.keys()],
    skipped,
    ...(notes.length ? { notes } : {}),
  };
}

/** What the log reader skipped, said in the drift report: a drift run must not drop data silently. */
function logNotes(display: string, stats: LogReadStats, skippedRecords: number): string[] {
  const notes: string[] = [];
  const { badLines, tornLines, firstBad } = stats;
  if (badLines + tornLines > 0) {
    const parts: string[] = [];
    if (badLines > 0)
      parts.push(
        `${badLines} not a prediction record${firstBad ? `, e.g. ${path.basename(firstBad.file)} line ${firstBad.line}: ${firstBad.reason}` : ''}`,
      );
    if (tornLines > 0) parts.push(`${tornLines} cut short at the end of a file (a crash mid-write)`);
    const n = badLines + tornLines;
    notes.push(
      `${display}: ${n} line${n === 1 ? ' was' : 's were'} skipped as corrupt (${parts.join('; ')}); their requests are not in the comparison.`,
    );
  }
  if (skippedRecords > 0)
    notes.push(
      `${display}: ${skippedRecords} request${skippedRecords === 1 ? ' was' : 's were'} skipped: inputs of mismatched shapes.`,
    );
  return notes;
}
