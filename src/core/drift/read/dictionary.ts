import { isMissingText } from './tokens';

/**
 * Category codes keyed by the raw UTF-8 bytes of a value, so the CSV reader maps a field to its code
 * without creating a string per field. Keys live in one growing byte arena; missing tokens ("", NA,
 * null ...) are remembered with code -1 so they are recognised as fast as any other value.
 */
export class ByteDictionary {
  private arena = new Uint8Array(1 << 16);
  private arenaUsed = 0;
  private offsets = new Int32Array(64);
  private lengths = new Int32Array(64);
  private hashes = new Int32Array(64);
  private entryCodes = new Int32Array(64);
  private entries = 0;
  private table = new Int32Array(256); // entry index + 1; 0 = empty
  private readonly byString = new Map<string, number>();
  private readonly names: string[] = [];
  private readonly decoder = new TextDecoder();

  /** Number of distinct non-missing values. */
  get size(): number {
    return this.names.length;
  }

  /** The values, indexed by code. */
  get dictionary(): string[] {
    return this.names;
  }

  /** Code of bytes b[s, e) whose FNV-1a hash is `h` (see `hashBytes`). */
  lookup(b: Uint8Array, s: number, e: number, h: number): number {
    const table = this.table;
    const mask = table.length - 1;
    const len = e - s;
    let i = h & mask;
    for (;;) {
      const slot = table[i];
      if (slot === 0) return this.insert(b, s, e, h, i);
      const entry = slot - 1;
      if (this.hashes[entry] === h && this.lengths[entry] === len) {
        const off = this.offsets[entry];
        const arena = this.arena;
        let k = 0;
        while (k < len && arena[off + k] === b[s + k]) k++;
        if (k === len) return this.entryCodes[entry];
      }
      i = (i + 1) & mask;
    }
  }

  /** Code of a string (JSON Lines, Parquet, conversions). */
  codeOf(text: string): number {
    const known = this.byString.get(text);
    if (known !== undefined) return known;
    const bytes = Buffer.from(text, 'utf8');
    const code = this.lookup(bytes, 0, bytes.length, hashBytes(bytes, 0, bytes.length));
    this.byString.set(text, code);
    return code;
  }

  private insert(b: Uint8Array, s: number, e: number, h: number, slotIndex: number): number {
    const len = e - s;
    const text = this.decoder.decode(b.subarray(s, e));
    const code = isMissingText(text) ? -1 : this.names.push(text) - 1;
    if (this.arenaUsed + len > this.arena.length) {
      const bigger = new Uint8Array(Math.max(this.arena.length * 2, this.arenaUsed + len));
      bigger.set(this.arena.subarray(0, this.arenaUsed));
      this.arena = bigger;
    }
    this.arena.set(b.subarray(s, e), this.arenaUsed);
    if (this.entries === this.offsets.length) this.growEntries();
    const entry = this.entries++;
    this.offsets[entry] = this.arenaUsed;
    this.lengths[entry] = len;
    this.hashes[entry] = h;
    this.entryCodes[entry] = code;
    this.arenaUsed += len;
    this.table[slotIndex] = entry + 1;
    if (this.entries * 2 > this.table.length) this.rehash();
    return code;
  }

  private growEntries(): void {
    const n = this.offsets.length * 2;
    const grow = (a: Int32Array) => {
      const g = new Int32Array(n);
      g.set(a);
      return g;
    };
    this.offsets = grow(this.offsets);
    this.lengths = grow(this.lengths);
    this.hashes = grow(this.hashes);
    this.entryCodes = grow(this.entryCodes);
  }

  private rehash(): void {
    const table = new Int32Array(this.table.length * 2);
    const mask = table.length - 1;
    for (let entry = 0; entry < this.entries; entry++) {
      let i = this.hashes[entry] & mask;
      while (table[i] !== 0) i = (i + 1) & mask;
      table[i] = entry + 1;
    }
    this.table = table;
  }
}

/** FNV-1a over bytes, the same hash the CSV reader computes inline while it scans a field. */
export function hashBytes(b: Uint8Array, s: number, e: number): number {
  let h = 0x811c9dc5 | 0;
  for (let i = s; i < e; i++) h = Math.imul(h ^ b[i], 16777619);
  return h;
}
