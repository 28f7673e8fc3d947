import type { FileHandle } from 'node:fs/promises';
import { throwIfAborted } from '../../errors';
import { withRegularFile } from '../regularFile';
import type { Column, Dataset, ReadOptions } from '../types';
import { ColumnBuilder, KIND_CATEGORICAL, KIND_NUMERIC, KIND_SKIP } from './builder';
import { charColumn, dataError } from './errors';
import { parseHeader } from './header';
import { assertText, assertTextChunk, bomLength, detectDelimiter } from './sniff';

/**
 * Streaming CSV (RFC 4180) into typed columns. The file is read in chunks; only complete rows are parsed
 * and the unfinished tail is carried into the next chunk, so memory holds the columns plus one chunk,
 * never the text. Unquoted fields are decoded straight from the bytes (numbers without strings,
 * categories by a byte hash); quoted fields are unescaped into a scratch buffer first.
 */

const QUOTE = 34;
const LF = 10;
const CR = 13;
const FNV_OFFSET = 0x811c9dc5 | 0;
const FNV_PRIME = 16777619;
const POW10: number[] = Array.from({ length: 23 }, (_, i) => Number(`1e${i}`));
/** A single row (usually an unterminated quote) larger than this is an error, not a memory hog. */
const MAX_ROW_BYTES = 64 << 20;
const SNIFF_BYTES = 1 << 16;

export async function readCsv(file: string, opts: ReadOptions = {}): Promise<Dataset> {
  const display = opts.displayName ?? file;
  return withRegularFile(file, display, (fh) => new CsvReader(fh, display, opts).read());
}

class CsvReader {
  private buf: Buffer;
  private end = 0; // valid bytes in buf
  private filePos = 0;
  private size = 0;
  private eof = false;
  private delim = 44;
  private builders: ColumnBuilder[] = [];
  private scratch = Buffer.allocUnsafe(4096);
  private scratchLen = 0;
  private row = 0;
  private capacity = 0;
  /** Line of the row being parsed, and where that line starts in buf. */
  private line = 1;
  private lineStart = 0;
  /** Bytes at the front of buf already checked to be UTF-8 without NUL. */
  private checked = 0;

  constructor(
    private readonly fh: FileHandle,
    private readonly display: string,
    private readonly opts: ReadOptions,
  ) {
    this.buf = Buffer.allocUnsafe(Math.max(16, opts.chunkSize ?? 4 << 20));
  }

  async read(): Promise<Dataset> {
    this.size = (await this.fh.stat()).size;
    const head = Buffer.alloc(Math.min(SNIFF_BYTES, this.size));
    if (head.length) await this.fh.read(head, 0, head.length, 0);
    if (this.size === 0 || head.every((c) => c === LF || c === CR || c === 32 || c === 9)) {
      throw dataError(
        this.display,
        { line: 1, column: 1 },
        'the file is empty.',
        'A CSV file needs a header row and at least one data row.',
      );
    }
    assertText(this.display, head);
    const bom = bomLength(head);
    const d = this.opts.delimiter ?? detectDelimiter(head, bom, head.length);
    this.delim = d.charCodeAt(0);
    this.filePos = bom;

    await this.fill();
    const header = await this.readHeader();
    this.setupColumns(header.names, header.line);

    for (;;) {
      throwIfAborted(this.opts.signal, `Reading ${this.display}`);
      let limit = this.eof ? this.end : this.buf.lastIndexOf(LF, this.end - 1) + 1;
      if (this.eof && this.end > 0 && this.buf[this.end - 1] !== LF) {
        this.ensureRoom(1);
        this.buf[this.end++] = LF; // a last line without a line break
        limit = this.end;
      }
      assertTextChunk(this.display, this.buf, this.checked, limit, this.line);
      this.checked = Math.max(this.checked, limit);
      const consumed = limit > 0 ? this.parseRows(0, limit) : 0;
      this.compact(consumed);
      if (this.eof) break;
      if (this.end === this.buf.length) this.growBuffer();
      await this.fill();
    }
    if (this.row === 0) {
      throw dataError(
        this.display,
        { line: header.line + 1 },
        'there is a header but no data rows.',
        'Compare files that hold at least one row of data.',
      );
    }
    return this.finish();
  }

  /** Reads more of the file after the bytes already in buf. */
  private async fill(): Promise<void> {
    if (this.eof) return;
    const want = this.buf.length - this.end;
    const { bytesRead } = await this.fh.read(this.buf, this.end, want, this.filePos);
    this.end += bytesRead;
    this.filePos += bytesRead;
    if (bytesRead === 0 || this.filePos >= this.size) this.eof = true;
    this.opts.onProgress?.(this.filePos, this.size);
  }

  private compact(from: number): void {
    if (from === 0) return;
    this.buf.copy(this.buf, 0, from, this.end);
    this.end -= from;
    this.lineStart = 0;
    this.checked = Math.max(0, this.checked - from);
  }

  private ensureRoom(n: number): void {
    if (this.end + n > this.buf.length) this.growBuffer();
  }

  private growBuffer(): void {
    if (this.buf.length >= MAX_ROW_BYTES) {
      throw dataError(
        this.display,
        { line: this.line },
        `one row is longer than ${MAX_ROW_BYTES >> 20} MB: a closing quote is probably missing.`,
        'Check the quotes on that line; a quote inside a quoted value is written twice ("").',
      );
    }
    const bigger = Buffer.allocUnsafe(this.buf.length * 2);
    this.buf.copy(bigger, 0, 0, this.end);
    this.buf = bigger;
  }

  private async readHeader(): Promise<{ names: string[]; line: number }> {
    for (;;) {
      const h = parseHeader(this.buf, this.end, this.eof, this.delim, this.display);
      if (h) {
        this.compact(h.next);
        this.line = h.line + h.lines;
        return { names: h.names, line: h.line };
      }
      if (this.end === this.buf.length) this.growBuffer();
      await this.fill();
    }
  }

  private setupColumns(names: string[], headerLine: number): void {
    const wanted = this.opts.columns ? new Set(this.opts.columns) : undefined;
    for (const w of wanted ?? []) {
      if (!names.includes(w)) {
        throw dataError(
          this.display,
          { line: headerLine },
          `there is no column "${w}".`,
          `The header lists: ${names.filter(Boolean).join(', ')}.`,
        );
      }
    }
    const seen = new Map<string, number>();
    // Rows are estimated from the first chunk so the typed arrays rarely need to grow.
    const rowsInChunk = Math.max(1, this.countLines());
    this.capacity = this.eof
      ? rowsInChunk + 16
      : Math.ceil((this.size / Math.max(1, this.end)) * rowsInChunk * 1.02) + 16;
    names.forEach((name, i) => {
      if (name !== '' && seen.has(name)) {
        throw dataError(
          this.display,
          { line: headerLine },
          `the header names column "${name}" twice (columns ${seen.get(name)! + 1} and ${i + 1}).`,
          'Give every column a unique name.',
        );
      }
      seen.set(name, i);
      const b = new ColumnBuilder(name, i + 1, this.opts.types?.[name], this.capacity);
      if (name === '' || (wanted && !wanted.has(name))) b.kind = KIND_SKIP;
      this.builders.push(b);
    });
  }

  private countLines(): number {
    let n = 0;
    for (let i = this.buf.indexOf(LF, 0); i >= 0 && i < this.end; i = this.buf.indexOf(LF, i + 1)) n++;
    return n;
  }

  /**
   * Parses complete rows in buf[p, limit) (limit is just past a line break). Returns where the first
   * incomplete row starts (a quoted field running past `limit`), or `limit`.
   */
  private parseRows(p: number, limit: number): number {
    const b = this.buf;
    const end = this.end;
    const delim = this.delim;
    const builders = this.builders;
    const ncols = builders.length;
    const last = ncols - 1;
    let row = this.row;
    while (p < limit) {
      const rowStart = p;
      const c0 = b[p];
      if (c0 === LF || (c0 === CR && b[p + 1] === LF)) {
        p += c0 === LF ? 1 : 2; // blank line
        this.line++;
        this.lineStart = p;
        continue;
      }
      if (row >= this.capacity) this.grow();
      const rowLine = this.line;
      this.lineStart = p;
      let incomplete = false;
      for (let c = 0; c < ncols; c++) {
        const bc = builders[c];
        let ch = b[p];
        if (ch === QUOTE) {
          const after = this.parseQuoted(p, end, limit);
          if (after < 0) {
            incomplete = true;
            break;
          }
          if (bc.kind !== KIND_SKIP) bc.acceptBytes(row, this.scratch, 0, this.scratchLen, this.posFn(p));
          p = after;
          ch = b[p];
          if (ch !== delim && ch !== LF && ch !== CR)
            this.fail(
              p,
              `unexpected "${String.fromCharCode(ch)}" after a closing quote.`,
              'A quote inside a quoted value is written twice (""); a value with quotes in it must be quoted as a whole.',
            );
        } else if (bc.kind === KIND_NUMERIC) {
          const s = p;
          let neg = false;
          if (ch === 45) {
            neg = true;
            ch = b[++p];
          }
          let m = 0;
          let digits = 0;
          let scale = 0;
          while (ch >= 48 && ch <= 57) {
            m = m * 10 + (ch - 48);
            digits++;
            ch = b[++p];
          }
          if (ch === 46) {
            ch = b[++p];
            while (ch >= 48 && ch <= 57) {
              m = m * 10 + (ch - 48);
              digits++;
              scale++;
              ch = b[++p];
            }
          }
          const terminated = ch === delim || ch === LF || ch === CR;
          if (terminated && digits > 0 && digits <= 15 && scale <= 22) {
            const v = scale ? m / POW10[scale] : m;
            bc.values![row] = neg ? -v : v;
          } else if (terminated && p === s) {
            bc.values![row] = NaN; // empty: missing
          } else {
            while (ch !== delim && ch !== LF && ch !== CR) ch = b[++p];
            bc.acceptBytes(row, b, s, p, this.posFn(s));
          }
        } else if (bc.kind === KIND_CATEGORICAL) {
          const s = p;
          let h = FNV_OFFSET;
          while (ch !== delim && ch !== LF && ch !== CR) {
            h = Math.imul(h ^ ch, FNV_PRIME);
            ch = b[++p];
          }
          bc.codes![row] = bc.dict!.lookup(b, s, p, h);
        } else {
          const s = p;
          while (ch !== delim && ch !== LF && ch !== CR) ch = b[++p];
          if (bc.kind !== KIND_SKIP) bc.acceptBytes(row, b, s, p, this.posFn(s));
        }
        if (c < last) {
          if (ch === delim) {
            p++;
            continue;
          }
          this.fail(
            p,
            `this row has ${c + 1} field${c ? 's' : ''} but the header has ${ncols}.`,
            'Every row needs one value per header column: check for a missing delimiter or an unquoted line break.',
          );
        }
        if (ch === LF) p++;
        else if (ch === CR && b[p + 1] === LF) p += 2;
        else if (ch === delim)
          this.fail(
            p,
            `this row has more fields than the ${ncols} in the header.`,
            `Quote values that contain the delimiter "${String.fromCharCode(delim)}", or add the missing column to the header.`,
          );
        else this.fail(p, 'a carriage return without a line feed.', 'Save the file with LF or CRLF line endings.');
      }
      if (incomplete) {
        for (const bc of builders) bc.rollback(row);
        this.line = rowLine;
        this.row = row;
        return rowStart;
      }
      this.line++;
      this.lineStart = p;
      row++;
    }
    this.row = row;
    return p;
  }

  /**
   * A quoted field starting at buf[p]: unescapes it into `scratch` and returns the index just after the
   * closing quote, or -1 when the field (or the row) continues past what has been read.
   */
  private parseQuoted(p: number, end: number, limit: number): number {
    const b = this.buf;
    const quoteLine = this.line;
    const quoteLineStart = this.lineStart;
    let i = p + 1;
    let n = 0;
    for (;;) {
      if (i >= end) {
        if (!this.eof) return -1;
        this.line = quoteLine;
        this.lineStart = quoteLineStart;
        this.fail(
          p,
          'a quoted field starts here but its closing quote is missing.',
          'Close the quote; a quote inside a quoted value is written twice ("").',
        );
      }
      const ch = b[i];
      if (ch === QUOTE) {
        if (i + 1 >= end && !this.eof) return -1;
        if (b[i + 1] === QUOTE) {
          this.putScratch(n++, QUOTE);
          i += 2;
          continue;
        }
        this.scratchLen = n;
        // The row's line break must be in this chunk too, else re-read the row with more data.
        return i + 1 >= limit && !this.eof ? -1 : i + 1;
      }
      if (ch === LF) {
        this.line++;
        this.lineStart = i + 1;
      }
      this.putScratch(n++, ch);
      i++;
    }
  }

  private putScratch(at: number, byte: number): void {
    if (at >= this.scratch.length) {
      const bigger = Buffer.allocUnsafe(this.scratch.length * 2);
      this.scratch.copy(bigger);
      this.scratch = bigger;
    }
    this.scratch[at] = byte;
  }

  private posFn(at: number): () => { line: number; column: number } {
    const line = this.line;
    const lineStart = this.lineStart;
    return () => ({ line, column: charColumn(this.buf, lineStart, at) });
  }

  private fail(at: number, what: string, hint: string): never {
    throw dataError(this.display, { line: this.line, column: charColumn(this.buf, this.lineStart, at) }, what, hint);
  }

  private grow(): void {
    this.capacity = Math.ceil(this.capacity * 1.5);
    for (const bc of this.builders) bc.ensureCapacity(this.capacity);
  }

  private finish(): Dataset {
    const columns: Column[] = [];
    const skipped: Dataset['skipped'] = [];
    for (const bc of this.builders) {
      if (bc.name === '') {
        skipped.push({ name: `(column ${bc.index})`, reason: 'no name in the header (an index column?)' });
        continue;
      }
      if (bc.kind === KIND_SKIP) continue;
      const col = bc.finish(this.row);
      if (col) columns.push(col);
      else skipped.push({ name: bc.name, reason: 'every value is missing', allMissing: true });
    }
    return {
      file: this.display,
      format: 'csv',
      rows: this.row,
      bytes: this.size,
      columns,
      header: this.builders.map((b) => b.name),
      skipped,
    };
  }
}
