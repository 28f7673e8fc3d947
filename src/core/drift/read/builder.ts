import type { Column, ColumnType, InvalidValues, SourcePosition } from '../types';
import { parseNumberBytes, parseTimestampBytes } from './bytes';
import { ByteDictionary, hashBytes } from './dictionary';
import {
  classifyText,
  epochToMs,
  parseBooleanText,
  parseNumberText,
  parseTimestampText,
  type TextKind,
} from './tokens';

/** How the CSV fast path treats a column's fields. */
export const KIND_SKIP = 0;
export const KIND_NUMERIC = 1;
export const KIND_CATEGORICAL = 2; // also booleans: normalised when the column is finished
export const KIND_TIMESTAMP = 3;
export const KIND_UNKNOWN = 4; // type not decided yet: values are sampled as text

/** Non-missing values looked at before a column's type is decided (the rest must fit that type). */
export const INFERENCE_SAMPLE = 1000;

interface Sample {
  row: number;
  text: string;
  kind: TextKind;
  pos?: SourcePosition;
}

/**
 * One column being read. Starts untyped (unless the user forced a type), samples the first values,
 * decides numeric / boolean / timestamp / categorical, then stores values in typed arrays that grow with
 * the rows. Values that do not fit the decided type are counted as invalid with their first position.
 * Writes are idempotent per row, so a reader may re-read a row (the CSV reader does at chunk ends).
 */
export class ColumnBuilder {
  kind: number;
  type: ColumnType | undefined;
  values: Float64Array | null = null;
  codes: Int32Array | null = null;
  dict: ByteDictionary | null = null;
  private samples: Sample[] = [];
  private invalidRows: number[] = [];
  private firstInvalid: InvalidValues['example'];
  private overflowRows: number[] = [];
  private firstOverflow: InvalidValues['example'];
  private capacity: number;

  constructor(
    readonly name: string,
    readonly index: number,
    readonly forced: ColumnType | undefined,
    capacity: number,
  ) {
    this.capacity = Math.max(16, capacity);
    this.kind = KIND_UNKNOWN;
    if (forced) this.decide(forced);
  }

  /** Makes room for rows [0, rows). */
  ensureCapacity(rows: number): void {
    if (rows <= this.capacity) return;
    let cap = this.capacity;
    while (cap < rows) cap = Math.ceil(cap * 1.5);
    this.capacity = cap;
    if (this.values) {
      const v = new Float64Array(cap).fill(NaN);
      v.set(this.values);
      this.values = v;
    }
    if (this.codes) {
      const c = new Int32Array(cap).fill(-1);
      c.set(this.codes);
      this.codes = c;
    }
  }

  private decide(type: ColumnType): void {
    this.type = type;
    if (type === 'numeric' || type === 'timestamp') {
      this.values = new Float64Array(this.capacity).fill(NaN);
      this.kind = type === 'numeric' ? KIND_NUMERIC : KIND_TIMESTAMP;
    } else {
      this.codes = new Int32Array(this.capacity).fill(-1);
      this.dict = new ByteDictionary();
      this.kind = KIND_CATEGORICAL;
    }
    const samples = this.samples;
    this.samples = [];
    for (const s of samples) this.store(s.row, s.text, s.kind, s.pos);
  }

  /** Decides from the sampled values: one kind throughout, else categorical. */
  private decideFromSamples(): void {
    const kinds = new Set(this.samples.map((s) => s.kind));
    kinds.delete('missing');
    const only = kinds.size === 1 ? [...kinds][0] : undefined;
    this.decide(
      only === 'number'
        ? 'numeric'
        : only === 'boolean'
          ? 'boolean'
          : only === 'timestamp'
            ? 'timestamp'
            : 'categorical',
    );
  }

  /** A text value (CSV slow path, JSON strings with kind 'text' / 'timestamp' / 'missing'). */
  acceptText(row: number, text: string, kind: TextKind = classifyText(text), pos?: SourcePosition): void {
    if (this.kind === KIND_UNKNOWN) {
      if (kind === 'missing') return;
      this.samples.push({ row, text, kind, pos });
      if (this.samples.length >= INFERENCE_SAMPLE) this.decideFromSamples();
      return;
    }
    this.store(row, text, kind, pos);
  }

  /** A field as raw bytes (CSV): fast for the decided kinds, text otherwise. */
  acceptBytes(row: number, b: Uint8Array, s: number, e: number, pos: () => SourcePosition): void {
    if (this.kind === KIND_NUMERIC) {
      const v = parseNumberBytes(b, s, e);
      if (v === v) {
        this.values![row] = Number.isFinite(v) ? v : NaN;
        if (!Number.isFinite(v)) this.overflowed(row, Buffer.from(b.subarray(s, e)).toString('latin1'), pos());
        return;
      }
    } else if (this.kind === KIND_TIMESTAMP) {
      const t = parseTimestampBytes(b, s, e);
      if (t === t) {
        this.values![row] = t;
        return;
      }
    } else if (this.kind === KIND_CATEGORICAL) {
      this.codes![row] = this.dict!.lookup(b, s, e, hashBytes(b, s, e));
      return;
    } else if (this.kind === KIND_SKIP) {
      return;
    }
    const text = Buffer.from(b.buffer, b.byteOffset + s, e - s).toString('utf8');
    const kind = classifyText(text);
    this.acceptText(row, text, kind, kind === 'missing' || this.kind === KIND_UNKNOWN ? undefined : pos());
  }

  private store(row: number, text: string, kind: TextKind, pos?: SourcePosition): void {
    switch (this.type) {
      case 'numeric': {
        const v = kind === 'missing' ? NaN : parseNumberText(text);
        if (kind !== 'missing' && v !== v) return this.invalid(row, text, pos);
        this.values![row] = Number.isFinite(v) ? v : NaN;
        if (v === Infinity || v === -Infinity) this.overflowed(row, text, pos);
        return;
      }
      case 'timestamp': {
        if (kind === 'missing') return void (this.values![row] = NaN);
        const t = kind === 'number' ? epochToMs(parseNumberText(text)) : parseTimestampText(text);
        if (t !== t) return this.invalid(row, text, pos);
        this.values![row] = t;
        return;
      }
      case 'boolean': {
        if (kind === 'missing') return void (this.codes![row] = -1);
        const b = parseBooleanText(text);
        if (b === undefined) return this.invalid(row, text, pos);
        this.codes![row] = this.dict!.codeOf(b ? 'true' : 'false');
        return;
      }
      default:
        this.codes![row] = kind === 'missing' ? -1 : this.dict!.codeOf(text);
    }
  }

  /** A JSON / Parquet number. */
  acceptNumber(row: number, v: number): void {
    if (this.kind === KIND_UNKNOWN) return this.acceptText(row, String(v), Number.isNaN(v) ? 'missing' : 'number');
    if (this.type === 'numeric') {
      this.values![row] = Number.isFinite(v) ? v : NaN;
      // JSON has no infinity: an infinite JSON number is a literal past the largest double (1e400).
      if (v === Infinity || v === -Infinity) this.overflowed(row, String(v), { row });
    } else if (this.type === 'timestamp') this.values![row] = Number.isFinite(v) ? epochToMs(v) : NaN;
    else this.store(row, String(v), Number.isNaN(v) ? 'missing' : 'number', { row });
  }

  /** A JSON / Parquet boolean. */
  acceptBoolean(row: number, v: boolean): void {
    this.acceptText(row, v ? 'true' : 'false', 'boolean', { row });
  }

  /** A Parquet date / timestamp. */
  acceptTimestamp(row: number, ms: number): void {
    if (this.kind === KIND_UNKNOWN) this.decide('timestamp');
    if (this.type === 'timestamp') this.values![row] = ms;
    else this.store(row, new Date(ms).toISOString(), 'timestamp', { row });
  }

  private invalid(row: number, text: string, pos?: SourcePosition): void {
    if (this.values) this.values[row] = NaN;
    if (this.codes) this.codes[row] = -1;
    if (this.invalidRows.length === 0 || this.invalidRows[this.invalidRows.length - 1] < row)
      this.invalidRows.push(row);
    if (!this.firstInvalid || (this.firstInvalid.row ?? Infinity) > row)
      this.firstInvalid = { value: text.slice(0, 80), ...pos, row };
  }

  /** A number too large for a double, stored as missing (NaN) but counted apart (once per row, like `invalid`). */
  private overflowed(row: number, text: string, pos?: SourcePosition): void {
    if (this.overflowRows.length === 0 || this.overflowRows[this.overflowRows.length - 1] < row)
      this.overflowRows.push(row);
    if (!this.firstOverflow || (this.firstOverflow.row ?? Infinity) > row)
      this.firstOverflow = { value: text.slice(0, 80), ...pos, row };
  }

  /** Forgets what was written for rows >= `row` that is not idempotent (samples, invalid and overflow marks). */
  rollback(row: number): void {
    while (this.samples.length && this.samples[this.samples.length - 1].row >= row) this.samples.pop();
    while (this.invalidRows.length && this.invalidRows[this.invalidRows.length - 1] >= row) this.invalidRows.pop();
    while (this.overflowRows.length && this.overflowRows[this.overflowRows.length - 1] >= row) this.overflowRows.pop();
  }

  /** The finished column over `rows` rows; undefined when no value was ever present. */
  finish(rows: number): Column | undefined {
    if (this.kind === KIND_UNKNOWN) {
      if (this.samples.length === 0) return undefined;
      this.decideFromSamples();
    }
    const invalid: InvalidValues = {
      count: this.invalidRows.length,
      ...(this.firstInvalid ? { example: this.firstInvalid } : {}),
    };
    const base = {
      name: this.name,
      index: this.index,
      invalid,
      typeForced: this.forced !== undefined,
      ...(this.overflowRows.length && this.type === 'numeric'
        ? { overflow: { count: this.overflowRows.length, example: this.firstOverflow } }
        : {}),
    };
    if (this.values) {
      const values = this.values.subarray(0, rows);
      let nan = 0;
      for (let i = 0; i < rows; i++) if (values[i] !== values[i]) nan++;
      return { ...base, type: this.type as 'numeric' | 'timestamp', values, missing: nan - invalid.count };
    }
    const codes = this.codes!.subarray(0, rows);
    let dictionary = this.dict!.dictionary;
    if (this.type === 'boolean') dictionary = normaliseBooleans(codes, dictionary, invalid);
    let missing = 0;
    for (let i = 0; i < rows; i++) if (codes[i] < 0) missing++;
    return {
      ...base,
      type: this.type as 'categorical' | 'boolean',
      codes,
      dictionary,
      missing: missing - invalid.count,
    };
  }
}

/** Boolean columns read through the byte dictionary: fold True/TRUE/true to one code, others invalid. */
function normaliseBooleans(codes: Int32Array, dictionary: string[], invalid: InvalidValues): string[] {
  const map = dictionary.map((t) => {
    const b = parseBooleanText(t);
    return b === undefined ? -2 : b ? 1 : 0;
  });
  if (dictionary.length === 2 && dictionary[0] === 'false' && dictionary[1] === 'true') return dictionary;
  if (dictionary.length === 2 && dictionary[0] === 'true' && dictionary[1] === 'false') {
    for (let i = 0; i < codes.length; i++) if (codes[i] >= 0) codes[i] = 1 - codes[i];
    return ['false', 'true'];
  }
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i];
    if (c < 0) continue;
    const m = map[c];
    if (m === -2) {
      if (!invalid.example) invalid.example = { value: dictionary[c], row: i };
      invalid.count++;
      codes[i] = -1;
    } else codes[i] = m;
  }
  return ['false', 'true'];
}
