import { isPredictionLog, readPredictionLogDataset } from '../../serving/predlog/dataset';
import { withRegularFile } from '../regularFile';
import type { Dataset, ReadOptions } from '../types';
import { readCsv } from './csv';
import { readJsonl } from './jsonl';
import { formatOf } from './sniff';

/** Reads CSV / JSON Lines / Parquet by extension (and magic bytes) into typed columns. */
export async function readDataset(file: string, opts: ReadOptions = {}): Promise<Dataset> {
  if (await isPredictionLog(file)) return readPredictionLogDataset(file, opts);
  const display = opts.displayName ?? file;
  const head = Buffer.alloc(4);
  await withRegularFile(file, display, (fh) => fh.read(head, 0, 4, 0));
  const format = formatOf(file, head, display);
  if (format === 'parquet') {
    // hyparquet loads only when a Parquet file is actually read (DESIGN: heavy modules load lazily).
    const { readParquet } = await import('./parquet');
    return readParquet(file, opts);
  }
  return format === 'jsonl' ? readJsonl(file, opts) : readCsv(file, opts);
}
