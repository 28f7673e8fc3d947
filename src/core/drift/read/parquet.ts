import type { FileHandle } from 'node:fs/promises';
import { type AsyncBuffer, parquetMetadataAsync, parquetRead, parquetSchema } from 'hyparquet';
import { MlopsError, throwIfAborted } from '../../errors';
import { withRegularFile } from '../regularFile';
import type { Column, Dataset, ReadOptions } from '../types';
import { ColumnBuilder } from './builder';
import { dataError } from './errors';
import { classifyText } from './tokens';

/**
 * Parquet through hyparquet (pure JS, maintained), one row group at a time so memory holds the typed
 * columns plus one decoded row group. Loaded lazily: this module is imported only for .parquet files.
 */
export async function readParquet(file: string, opts: ReadOptions = {}): Promise<Dataset> {
  const display = opts.displayName ?? file;
  return withRegularFile(file, display, async (fh) => readOpen(await fileBuffer(fh), display, opts));
}

/** hyparquet reads byte ranges on demand through this; the file is never loaded whole. */
async function fileBuffer(fh: FileHandle): Promise<AsyncBuffer> {
  const { size } = await fh.stat();
  return {
    byteLength: size,
    async slice(start: number, end?: number): Promise<ArrayBuffer> {
      const stop = end ?? size;
      const out = new Uint8Array(Math.max(0, stop - start));
      if (out.length) await fh.read(out, 0, out.length, start);
      return out.buffer;
    },
  };
}

const NOT_PARQUET_HINT =
  'Check that the file was written completely and really is Parquet; CSV and JSON Lines files need a .csv / .jsonl extension.';
/** "PAR1" + the metadata's 4-byte length + "PAR1": the least a Parquet file holds besides its data. */
const MIN_PARQUET_BYTES = 12;

/** A Parquet file starts and ends with "PAR1"; a file cut short while being written does not end with it. */
async function checkFraming(buf: AsyncBuffer, display: string): Promise<void> {
  const n = buf.byteLength;
  const fail = (why: string) =>
    dataError(display, {}, `the file is not a valid or complete Parquet file (${why}).`, NOT_PARQUET_HINT);
  const magic = (b: ArrayBuffer) => Buffer.from(b).toString('latin1') === 'PAR1';
  if (n < 4 || !magic(await buf.slice(0, 4)))
    throw dataError(
      display,
      {},
      'this is not a readable Parquet file: it does not start with "PAR1", as every Parquet file does.',
      NOT_PARQUET_HINT,
    );
  if (n < MIN_PARQUET_BYTES) throw fail(`it is only ${n} bytes; a Parquet file has at least ${MIN_PARQUET_BYTES}`);
  if (!magic(await buf.slice(n - 4, n))) throw fail('it does not end with "PAR1": cut short while being written?');
}

async function readOpen(asyncBuffer: AsyncBuffer, display: string, opts: ReadOptions): Promise<Dataset> {
  if (asyncBuffer.byteLength === 0)
    throw dataError(display, {}, 'the file is empty.', 'A Parquet file needs at least one row group.');
  await checkFraming(asyncBuffer, display);
  let metadata;
  try {
    metadata = await parquetMetadataAsync(asyncBuffer);
  } catch (e) {
    // hyparquet's own messages name the problem; a TypeError or RangeError from deep inside it
    // ("Offset is outside the bounds of the DataView") only says that the metadata is cut short or garbled.
    const detail =
      e instanceof TypeError || e instanceof RangeError
        ? 'its metadata is cut short or corrupt'
        : e instanceof Error
          ? e.message
          : String(e);
    throw dataError(display, {}, `the file is not a valid or complete Parquet file (${detail}).`, NOT_PARQUET_HINT);
  }
  const rows = Number(metadata.num_rows);
  if (rows === 0)
    throw dataError(display, {}, 'there are no rows.', 'Compare files that hold at least one row of data.');
  const schema = parquetSchema(metadata);
  const wanted = opts.columns ? new Set(opts.columns) : undefined;
  const skipped: Dataset['skipped'] = [];
  const builders = new Map<string, ColumnBuilder>();
  schema.children.forEach((child, i) => {
    const name = child.element.name;
    if (wanted && !wanted.has(name)) return;
    if (child.children.length > 0) {
      skipped.push({ name, reason: 'nested Parquet column (lists, maps and structs are not compared)' });
      return;
    }
    builders.set(name, new ColumnBuilder(name, i + 1, opts.types?.[name], rows));
  });
  for (const w of wanted ?? []) {
    if (!schema.children.some((c) => c.element.name === w)) {
      throw dataError(
        display,
        {},
        `there is no column "${w}".`,
        `The schema lists: ${schema.children.map((c) => c.element.name).join(', ')}.`,
      );
    }
  }
  const columns = [...builders.keys()];
  let groupStart = 0;
  for (const [g, group] of metadata.row_groups.entries()) {
    throwIfAborted(opts.signal, `Reading ${display}`);
    const groupRows = Number(group.num_rows);
    try {
      await parquetRead({
        file: asyncBuffer,
        metadata,
        columns,
        rowStart: groupStart,
        rowEnd: groupStart + groupRows,
        onChunk: ({ columnName, columnData, rowStart, rowEnd }) => {
          const b = builders.get(columnName);
          if (!b) return;
          const from = Math.max(rowStart, groupStart);
          const to = Math.min(rowEnd, groupStart + groupRows);
          for (let r = from; r < to; r++) accept(b, r, columnData[r - rowStart]);
        },
      });
    } catch (e) {
      if (e instanceof MlopsError) throw e;
      throw dataError(
        display,
        {},
        `row group ${g + 1} cannot be decoded (${e instanceof Error ? e.message : String(e)}).`,
        'The file may be truncated or use an unsupported compression codec (plain, snappy, gzip, brotli, zstd and lz4 are read).',
      );
    }
    groupStart += groupRows;
    opts.onProgress?.(Math.round((groupStart / rows) * asyncBuffer.byteLength), asyncBuffer.byteLength);
  }
  const out: Column[] = [];
  for (const b of builders.values()) {
    const c = b.finish(rows);
    if (c) out.push(c);
    else skipped.push({ name: b.name, reason: 'every value is missing', allMissing: true });
  }
  return {
    file: display,
    format: 'parquet',
    rows,
    bytes: asyncBuffer.byteLength,
    columns: out,
    header: schema.children.map((c) => c.element.name),
    skipped,
  };
}

function accept(b: ColumnBuilder, row: number, v: unknown): void {
  if (v === null || v === undefined) return;
  switch (typeof v) {
    case 'number':
      return b.acceptNumber(row, v);
    case 'bigint':
      return b.acceptNumber(row, Number(v));
    case 'boolean':
      return b.acceptBoolean(row, v);
    case 'string': {
      const k = classifyText(v);
      return b.acceptText(row, v, k === 'number' || k === 'boolean' ? 'text' : k, { row });
    }
    default:
      if (v instanceof Date) return b.acceptTimestamp(row, v.getTime());
      return b.acceptText(
        row,
        v instanceof Uint8Array ? Buffer.from(v).toString('base64') : JSON.stringify(v),
        'text',
        { row },
      );
  }
}
