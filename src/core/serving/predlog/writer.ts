import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { errorMessage } from '../../errors';
import type { PredictionRecord } from '../types';
import { LOG_EXTENSION, logFileName, modelLogDir } from './layout';
import { recordJson } from './recordJson';

export interface PredictionLogOptions {
  /** The folder holding one sub-folder per model. */
  root: string;
  /** Share of answered requests logged, in [0, 1]. Default 1. */
  sampleRate?: number;
  /** A file past this size is closed and a new one started. Default 16 MiB. */
  maxFileBytes?: number;
  /** Per model: the oldest files are removed while the folder holds more. Default 256 MiB. */
  maxTotalBytes?: number;
  /** Buffered records are written at this interval. Default 1000 ms. */
  flushMs?: number;
  /** Records waiting past this many bytes are dropped (and counted) rather than held in memory. Default 32 MiB. */
  maxBufferBytes?: number;
  onDrop?: (model: string, records: number) => void;
  onError?: (message: string) => void;
  /** Clock for file names (tests pin it). */
  now?: () => number;
}

/** Buffered bytes of one model that trigger a write before the timer. */
const EARLY_FLUSH_BYTES = 1 << 20;

interface OpenFile {
  file: string;
  handle: fsp.FileHandle;
  size: number;
}

/** One model's folder: its buffer, its current file, rotation and the total cap. */
class ModelLog {
  /**
   * Lines already encoded, so a flush only concatenates them. Kept as strings, each flush measured every
   * line, joined them into one string and encoded that again: with a big model's 20 KB records this took
   * ~150 us of the HTTP thread per record (measured), and held the strings on the JS heap meanwhile.
   */
  private lines: Buffer[] = [];
  private bytes = 0;
  private current: OpenFile | undefined;
  private seq = 0;

  constructor(
    readonly model: string,
    readonly dir: string,
    private readonly o: Required<Omit<PredictionLogOptions, 'onDrop' | 'onError'>> & PredictionLogOptions,
  ) {}

  get buffered(): number {
    return this.bytes;
  }

  push(line: Buffer): boolean {
    if (this.bytes > 0 && this.bytes + line.length > this.o.maxBufferBytes) return false;
    this.lines.push(line);
    this.bytes += line.length;
    return true;
  }

  /**
   * Writes what is buffered as whole lines, one append per file: a crash can cut the last line short,
   * never interleave two, and a reader skips a cut last line. Lines that would take the file past its
   * size go to the next file. A failed write says how many records it lost (`lost`).
   */
  async flush(): Promise<void> {
    if (this.lines.length === 0) return;
    const lines = this.lines;
    this.lines = [];
    this.bytes = 0;
    let i = 0;
    try {
      while (i < lines.length) {
        let f = this.current;
        if (f && f.size > 0 && f.size + lines[i].length > this.o.maxFileBytes) {
          await f.handle.close();
          this.current = f = undefined;
        }
        if (!f) f = await this.open();
        // As many lines as fit in this file (at least one, so a record larger than a file is still written).
        let room = this.o.maxFileBytes - f.size;
        let j = i;
        let bytes = 0;
        while (j < lines.length) {
          const n = lines[j].length;
          if (j > i && n > room) break;
          bytes += n;
          room -= n;
          j++;
        }
        await this.append(f, j === i + 1 ? lines[i] : Buffer.concat(lines.slice(i, j), bytes));
        i = j;
      }
    } catch (e) {
      throw Object.assign(e instanceof Error ? e : new Error(String(e)), { lost: lines.length - i });
    }
  }

  private async append(f: OpenFile, data: Buffer): Promise<void> {
    let off = 0;
    while (off < data.length) {
      const { bytesWritten } = await f.handle.write(data, off, data.length - off);
      off += bytesWritten;
    }
    f.size += data.length;
  }

  private async open(): Promise<OpenFile> {
    await fsp.mkdir(this.dir, { recursive: true });
    const file = path.join(this.dir, logFileName(this.o.now(), process.pid, this.seq++));
    const handle = await fsp.open(file, 'a', 0o644);
    this.current = { file, handle, size: 0 };
    await this.enforceCap(file);
    return this.current;
  }

  /** Removes the oldest files while the folder holds more than the cap (never the file being written). */
  private async enforceCap(keep: string): Promise<void> {
    const names = (await fsp.readdir(this.dir)).filter((n) => n.endsWith(LOG_EXTENSION)).sort();
    const sizes = await Promise.all(
      names.map((n) =>
        fsp.stat(path.join(this.dir, n)).then(
          (s) => s.size,
          () => 0,
        ),
      ),
    );
    let total = sizes.reduce((a, b) => a + b, 0);
    for (let i = 0; i < names.length && total > this.o.maxTotalBytes; i++) {
      const file = path.join(this.dir, names[i]);
      if (file === keep) continue;
      await fsp.rm(file, { force: true });
      total -= sizes[i];
    }
  }

  async close(): Promise<void> {
    await this.flush();
    await this.current?.handle.close();
    this.current = undefined;
  }
}

/**
 * The prediction log: records are serialized (recordJson.ts) when appended and kept in memory, then written per model
 * on a timer (and on close), off the request path. Files rotate past a size and the oldest go past a
 * total; a full buffer drops records rather than growing without bound, and says how many.
 */
export class PredictionLog {
  readonly sampleRate: number;
  private readonly o: Required<Omit<PredictionLogOptions, 'onDrop' | 'onError'>> & PredictionLogOptions;
  private readonly models = new Map<string, ModelLog>();
  private readonly timer: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(opts: PredictionLogOptions) {
    this.o = {
      sampleRate: 1,
      maxFileBytes: 16 << 20,
      maxTotalBytes: 256 << 20,
      flushMs: 1000,
      maxBufferBytes: 32 << 20,
      now: Date.now,
      ...opts,
    };
    this.sampleRate = this.o.sampleRate;
    this.timer = setInterval(() => void this.flush(), this.o.flushMs);
    this.timer.unref();
  }

  get root(): string {
    return this.o.root;
  }

  /** Whether this request is one of the sampled ones. */
  sampled(): boolean {
    return this.sampleRate >= 1 || (this.sampleRate > 0 && Math.random() < this.sampleRate);
  }

  append(record: PredictionRecord): void {
    if (this.closed) return;
    let m = this.models.get(record.model);
    if (!m) {
      m = new ModelLog(record.model, modelLogDir(this.o.root, record.model), this.o);
      this.models.set(record.model, m);
    }
    if (!m.push(Buffer.from(recordJson(record) + '\n', 'utf8'))) this.o.onDrop?.(record.model, 1);
    // A burst fills the buffer faster than the timer empties it: write early rather than drop.
    else if (m.buffered >= EARLY_FLUSH_BYTES) void this.flush();
  }

  /** Writes everything buffered so far; flushes never overlap. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      for (const m of this.models.values()) {
        try {
          await m.flush();
        } catch (e) {
          const lost = (e as { lost?: number }).lost ?? 0;
          if (lost > 0) this.o.onDrop?.(m.model, lost);
          this.o.onError?.(`Could not write the prediction log of "${m.model}" in ${m.dir}: ${errorMessage(e)}`);
        }
      }
    });
    return this.flushing;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    await this.flush();
    for (const m of this.models.values()) await m.close().catch(() => undefined);
  }
}
