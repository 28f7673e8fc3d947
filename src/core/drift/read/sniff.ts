import { isUtf8 } from 'node:buffer';
import path from 'node:path';
import { MlopsError } from '../../errors';
import type { DataFormat } from '../types';
import { dataError } from './errors';

/** Format from the extension; magic bytes catch a Parquet or compressed file under the wrong name. */
export function formatOf(file: string, head: Uint8Array, display: string): DataFormat {
  const ext = path.extname(file).toLowerCase();
  const isParquet = head.length >= 4 && head[0] === 0x50 && head[1] === 0x41 && head[2] === 0x52 && head[3] === 0x31; // PAR1
  if (ext === '.parquet' || ext === '.pq') return 'parquet';
  if (isParquet) {
    throw dataError(
      display,
      {},
      'this is a Parquet file, not text.',
      'Give it a .parquet extension so it is read as Parquet.',
    );
  }
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) {
    throw dataError(
      display,
      {},
      'this file is gzip-compressed.',
      'Decompress it first (gunzip), then compare the plain CSV / JSON Lines file.',
    );
  }
  if (ext === '.jsonl' || ext === '.ndjson') return 'jsonl';
  if (ext === '.csv' || ext === '.tsv' || ext === '.txt' || ext === '') return 'csv';
  throw new MlopsError(
    'INVALID_ARGUMENT',
    `${display}: unsupported file type "${ext}".`,
    'Use a .csv (or .tsv), .jsonl or .parquet file.',
  );
}

/**
 * Text files must not contain NUL bytes and must be UTF-8: a binary file fails here with the position
 * of the first offending byte, instead of being read as garbage.
 */
export function assertText(display: string, head: Uint8Array): void {
  const nul = head.indexOf(0);
  if (nul >= 0) {
    const { line, column } = lineColumnAt(head, nul);
    throw dataError(
      display,
      { line, column },
      'the file is binary (it contains a NUL byte), not text.',
      'Pass a CSV, JSON Lines or Parquet file.',
    );
  }
  // Cut at the last complete line so a multi-byte character split by the sample end is not an error.
  const lastNl = head.lastIndexOf(10);
  const sample = lastNl > 0 && head.length >= 65536 ? head.subarray(0, lastNl) : head;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(sample);
  } catch {
    const bad = firstInvalidUtf8(sample);
    const { line, column } = lineColumnAt(head, bad);
    throw dataError(
      display,
      { line, column },
      'the file is not valid UTF-8 text (binary data or another encoding).',
      'Save it as UTF-8 (e.g. `iconv -t UTF-8`), or pass a Parquet file.',
    );
  }
}

/**
 * The same check on a later chunk of a streamed text file: b[from, to) must hold whole lines (`to` just
 * past a line break), and b[0] starts line `firstLine` of the file. Without it a NUL byte or a stray
 * Latin-1 byte past the first 64 KB would be read silently (as U+FFFD or a NUL inside a category).
 */
export function assertTextChunk(display: string, b: Uint8Array, from: number, to: number, firstLine: number): void {
  if (to <= from) return;
  const part = b.subarray(from, to);
  const nul = part.indexOf(0);
  const bad = nul >= 0 ? from + nul : isUtf8(part) ? -1 : from + firstInvalidUtf8(part);
  if (bad < 0) return;
  const { line, column } = lineColumnAt(b, bad);
  throw dataError(
    display,
    { line: firstLine + line - 1, column },
    nul >= 0
      ? 'the file contains a NUL byte here: it is binary or corrupt, not text.'
      : 'this byte is not valid UTF-8 (binary data or another encoding).',
    nul >= 0 ? 'Pass a CSV, JSON Lines or Parquet file.' : 'Save the file as UTF-8 (e.g. `iconv -t UTF-8`).',
  );
}

function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i];
    const n = c < 0x80 ? 1 : c >= 0xc2 && c < 0xe0 ? 2 : c >= 0xe0 && c < 0xf0 ? 3 : c >= 0xf0 && c < 0xf5 ? 4 : 0;
    if (n === 0) return i;
    for (let k = 1; k < n; k++) if (i + k >= b.length || (b[i + k] & 0xc0) !== 0x80) return i;
    i += n;
  }
  return b.length;
}

export function lineColumnAt(b: Uint8Array, at: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < at; i++) {
    if (b[i] === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  let column = 1;
  for (let i = lineStart; i < at; i++) if ((b[i] & 0xc0) !== 0x80) column++;
  return { line, column };
}

export function bomLength(b: Uint8Array): number {
  return b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf ? 3 : 0;
}

const CANDIDATES = [',', ';', '\t', '|'];

/**
 * The delimiter that splits the first lines (outside quotes) into the same number of fields, preferring
 * the one giving the most fields; a single-column file falls back to ','.
 */
export function detectDelimiter(b: Uint8Array, start: number, end: number, maxLines = 30): string {
  const counts = CANDIDATES.map(() => [] as number[]);
  let inQuotes = false;
  let current = CANDIDATES.map(() => 0);
  let lines = 0;
  for (let i = start; i < end && lines < maxLines; i++) {
    const c = b[i];
    if (c === 34) inQuotes = !inQuotes;
    else if (!inQuotes && c === 10) {
      CANDIDATES.forEach((_, k) => counts[k].push(current[k]));
      current = CANDIDATES.map(() => 0);
      lines++;
    } else if (!inQuotes) {
      for (let k = 0; k < CANDIDATES.length; k++) if (c === CANDIDATES[k].charCodeAt(0)) current[k]++;
    }
  }
  if (lines === 0) CANDIDATES.forEach((_, k) => counts[k].push(current[k]));
  let best = ',';
  let bestScore = 0;
  CANDIDATES.forEach((d, k) => {
    const c = counts[k];
    const consistent = c.length > 0 && c[0] > 0 && c.every((x) => x === c[0]);
    const score = consistent ? c[0] * 2 + 1 : 0;
    if (score > bestScore) {
      best = d;
      bestScore = score;
    }
  });
  if (bestScore === 0) {
    // Not consistent anywhere (ragged file): the one most frequent in the header, so the error names the row.
    let max = 0;
    CANDIDATES.forEach((d, k) => {
      if ((counts[k][0] ?? 0) > max) {
        max = counts[k][0];
        best = d;
      }
    });
  }
  return best;
}
