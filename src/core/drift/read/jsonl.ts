import type { FileHandle } from 'node:fs/promises';
import { throwIfAborted } from '../../errors';
import { withRegularFile } from '../regularFile';
import type { Column, Dataset, ReadOptions } from '../types';
import { ColumnBuilder } from './builder';
import { dataError } from './errors';
import { assertText, assertTextChunk } from './sniff';
import { classifyText, type TextKind } from './tokens';

/**
 * JSON Lines: one object per line, streamed in chunks. A key seen for the first time on a later line
 * becomes a column whose earlier rows are missing. Numbers, booleans, strings (ISO dates become
 * timestamps), null = missing; nested values are compared as their JSON text.
 */
export async function readJsonl(file: string, opts: ReadOptions = {}): Promise<Dataset> {
  const display = opts.displayName ?? file;
  return withRegularFile(file, display, (fh) => readOpen(fh, display, opts));
}

/** JSON strings are text: "12" stays a category, but ISO dates are recognised and "" / "NA" are missing. */
function stringKind(s: string): TextKind {
  const k = classifyText(s);
  return k === 'number' || k === 'boolean' ? 'text' : k;
}

async function readOpen(fh: FileHandle, display: string, opts: ReadOptions): Promise<Dataset> {
  const size = (await fh.stat()).size;
  const head = Buffer.alloc(Math.min(size, 1 << 16));
  if (head.length) await fh.read(head, 0, head.length, 0);
  if (size === 0 || head.every((c) => c === 10 || c === 13 || c === 32 || c === 9)) {
    throw dataError(
      display,
      { line: 1, column: 1 },
      'the file is empty.',
      'A JSON Lines file needs at least one line with a JSON object.',
    );
  }
  assertText(display, head);
  const wanted = opts.columns ? new Set(opts.columns) : undefined;
  const builders = new Map<string, ColumnBuilder>();
  const ignored = new Set<string>();
  let capacity = 1024;
  let rows = 0;
  let line = 0;
  let buf = Buffer.allocUnsafe(Math.max(16, opts.chunkSize ?? 4 << 20));
  let end = 0;
  let filePos = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0;
  let eof = false;
  let checked = 0; // bytes at the front of buf known to be UTF-8 without NUL

  const handleLine = (text: string) => {
    line++;
    const t = text.trim();
    if (t === '') return;
    let obj: unknown;
    try {
      obj = JSON.parse(t);
    } catch (e) {
      const m = /position (\d+)/.exec(e instanceof Error ? e.message : '');
      const column = m ? text.indexOf(t) + Number(m[1]) + 1 : undefined;
      throw dataError(
        display,
        { line, column },
        `this line is not valid JSON (${e instanceof Error ? e.message.replace(/ in JSON at position \d+.*$/, '') : String(e)}).`,
        'Each line of a JSON Lines file must be one complete JSON object.',
      );
    }
    if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
      throw dataError(
        display,
        { line, column: text.indexOf(t) + 1 },
        'this line is not a JSON object.',
        'Each line must be an object such as {"feature": 1.5, "country": "DE"}.',
      );
    }
    if (rows >= capacity) {
      capacity = Math.ceil(capacity * 1.5);
      for (const b of builders.values()) b.ensureCapacity(capacity);
    }
    for (const [key, value] of Object.entries(obj)) {
      if (ignored.has(key)) continue;
      let b = builders.get(key);
      if (!b) {
        if (wanted && !wanted.has(key)) {
          ignored.add(key);
          continue;
        }
        b = new ColumnBuilder(key, builders.size + 1, opts.types?.[key], capacity);
        builders.set(key, b);
      }
      if (value === null || value === undefined) continue;
      if (typeof value === 'number') b.acceptNumber(rows, value);
      else if (typeof value === 'boolean') b.acceptBoolean(rows, value);
      else if (typeof value === 'string') b.acceptText(rows, value, stringKind(value), { line });
      else {
        // Nested values are compared as their JSON text; stringifying recurses, so bound the depth first.
        assertDepth(display, text, line);
        b.acceptText(rows, JSON.stringify(value), 'text', { line });
      }
    }
    rows++;
  };

  for (;;) {
    throwIfAborted(opts.signal, `Reading ${display}`);
    if (!eof) {
      if (end === buf.length) {
        if (buf.length >= 64 << 20)
          throw dataError(
            display,
            { line: line + 1 },
            'one line is longer than 64 MB.',
            'Each line must hold one JSON object.',
          );
        const bigger = Buffer.allocUnsafe(buf.length * 2);
        buf.copy(bigger, 0, 0, end);
        buf = bigger;
      }
      const { bytesRead } = await fh.read(buf, end, buf.length - end, filePos);
      end += bytesRead;
      filePos += bytesRead;
      if (bytesRead === 0 || filePos >= size) eof = true;
      opts.onProgress?.(filePos, size);
    }
    const whole = eof ? end : buf.lastIndexOf(10, end - 1) + 1;
    assertTextChunk(display, buf, checked, whole, line + 1);
    checked = Math.max(checked, whole);
    let start = 0;
    for (let nl = buf.indexOf(10, start); nl >= 0 && nl < end; nl = buf.indexOf(10, start)) {
      handleLine(buf.toString('utf8', start, nl));
      start = nl + 1;
    }
    if (eof) {
      if (start < end) handleLine(buf.toString('utf8', start, end));
      break;
    }
    buf.copy(buf, 0, start, end);
    end -= start;
    checked = Math.max(0, checked - start);
  }
  if (rows === 0)
    throw dataError(display, { line: 1 }, 'there are no rows (only blank lines).', 'Each line must be a JSON object.');
  for (const w of wanted ?? []) {
    if (!builders.has(w))
      throw dataError(display, {}, `no row has the key "${w}".`, `Keys found: ${[...builders.keys()].join(', ')}.`);
  }
  const columns: Column[] = [];
  const skipped: Dataset['skipped'] = [];
  for (const b of builders.values()) {
    const c = b.finish(rows);
    if (c) columns.push(c);
    else skipped.push({ name: b.name, reason: 'every value is missing', allMissing: true });
  }
  return {
    file: display,
    format: 'jsonl',
    rows,
    bytes: size,
    columns,
    header: [...builders.keys(), ...ignored],
    skipped,
  };
}

/** Nesting deeper than this in one line is refused (JSON.stringify would overflow the stack). */
export const MAX_JSON_DEPTH = 256;

function assertDepth(display: string, text: string, line: number): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92)
        i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 || c === 123) {
      if (++depth > MAX_JSON_DEPTH)
        throw dataError(
          display,
          { line, column: i + 1 },
          `values are nested more than ${MAX_JSON_DEPTH} levels deep.`,
          'Flatten the record: drift compares top-level values; nested ones only as their JSON text.',
        );
    } else if (c === 93 || c === 125) depth--;
  }
}
