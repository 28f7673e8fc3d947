import { randomBytes } from 'node:crypto';
import { type BigIntStats, promises as fsp, watch as fsWatch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import type { Database } from 'sql.js';
import { MlopsError, readOnlyRegistry } from '../../errors';
import { fsError, isNodeError, pidAlive, writeFileAtomic } from '../../util/fsx';
import type { Disposable } from '../registry';
import type { ArtifactStore } from './artifactStore';
import { acquireLock, cleanLockLeftovers, type HeldLock } from './lock';
import { assertWholeDatabase, registryFailure } from './dbFile';
import { assertReadable, migrate, schemaVersion } from './schema';
import { loadSqlJs } from './sqlite';

export const DB_FILE = 'registry.sqlite';
const LOCK_FILE = 'registry.lock';

export interface RegistryFileOptions {
  lockTimeoutMs?: number;
  /** Mutations are refused (untrusted workspaces). */
  readOnly?: boolean;
}

/**
 * The registry's database file, shared by every process that opens the folder. sql.js holds the
 * database in memory, so each mutation takes the lock file, reloads the database if another process
 * changed it, applies one transaction, and replaces the file atomically (temporary file, fsync,
 * rename). Reads never take the lock: they reload when the file's identity changed.
 */
export class RegistryFile {
  readonly dbPath: string;
  private readonly lockPath: string;
  private db: Database | undefined;
  private stamp = '';
  /** Serializes this process's own mutations so they queue here instead of polling the lock file. */
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  private creating = false;
  private diskSchema = 0;

  constructor(
    readonly dir: string,
    /** Its temporary files are cleaned with the database's after each commit. */
    private readonly store: ArtifactStore,
    private readonly opts: RegistryFileOptions,
  ) {
    this.dbPath = path.join(dir, DB_FILE);
    this.lockPath = path.join(dir, LOCK_FILE);
  }

  async exists(): Promise<boolean> {
    try {
      await fsp.lstat(this.dbPath);
      return true;
    } catch (e) {
      // Any other failure (permission...) is reported by the first read, naming the cause.
      return !isNodeError(e, 'ENOENT', 'ENOTDIR');
    }
  }

  /** The file's identity (inode, size, mtime): changes with every commit, by anyone. */
  private async fileStamp(): Promise<string | null> {
    try {
      return stampOf(await fsp.stat(this.dbPath, { bigint: true }));
    } catch (e) {
      if (isNodeError(e, 'ENOENT')) return null;
      throw fsError(e, 'read the registry at', this.dir);
    }
  }

  /**
   * Loads the database from disk when it changed since we last read it. A missing file is an error
   * unless this process is creating the registry (`create`): a registry file that vanished, or that is
   * empty, truncated or not SQLite, is never read as an empty registry (nor written over by one).
   */
  private async fresh(): Promise<Database> {
    if (this.closed) throw new MlopsError('INVALID_STATE', 'The registry was closed.');
    const stamp = await this.fileStamp();
    if (this.db && stamp === this.stamp) return this.db;
    if (stamp === null && !this.creating) {
      throw new MlopsError(
        'NOT_FOUND',
        `The registry database ${this.dbPath} is missing.`,
        'Restore it from a backup; `mlops init` creates a new, empty registry only where none exists.',
      );
    }
    const SQL = await loadSqlJs();
    let bytes: Uint8Array | undefined;
    let newStamp = '';
    if (stamp !== null) {
      let fh: fsp.FileHandle | undefined;
      try {
        // Checked before opening: opening a FIFO for reading would wait for a writer forever.
        const st = await fsp.stat(this.dbPath);
        if (!st.isFile()) throw notAFile(this.dbPath, st.isDirectory() ? 'a folder' : 'not a regular file');
        fh = await fsp.open(this.dbPath, 'r');
        newStamp = stampOf(await fh.stat({ bigint: true }));
        bytes = await fh.readFile();
      } catch (e) {
        if (e instanceof MlopsError) throw e;
        throw fsError(e, 'read the registry at', this.dir);
      } finally {
        await fh?.close();
      }
      assertWholeDatabase(bytes, this.dbPath);
    }
    let db: Database | undefined;
    try {
      db = new SQL.Database(bytes);
      this.diskSchema = assertReadable(db, this.dbPath);
      // Every registry file is written with its schema (creation included): a SQLite file without one
      // is someone else's database, never an empty registry to fill.
      if (bytes !== undefined && this.diskSchema === 0) {
        throw new MlopsError(
          'CORRUPT',
          `${this.dbPath} is a SQLite database but not an MLOps registry (it has no registry schema).`,
          'Restore registry.sqlite from a backup, or point --registry / mlops.registry.uri at a registry folder.',
        );
      }
      migrate(db, this.dbPath); // in memory only; the next mutation writes it
    } catch (e) {
      const err = registryFailure(e, db, this.dbPath);
      db?.close();
      if (err instanceof MlopsError) throw err;
      throw new MlopsError(
        'CORRUPT',
        `${this.dbPath} is not a readable registry database (${e instanceof Error ? e.message : String(e)}).`,
        'Restore it from a backup, or move it away and push the models again. Nothing was changed.',
      );
    }
    this.db?.close();
    this.db = db;
    this.stamp = newStamp;
    return db;
  }

  /**
   * The schema version of the file as last read from disk (0 for a registry being created), before any
   * in-memory migration: `mlops gc` runs only on a registry that already has the current schema.
   */
  async schemaOnDisk(): Promise<number> {
    await this.fresh();
    return this.diskSchema;
  }

  /** Creates the database file (the folder exists); the only path that may start from no file. */
  async create(): Promise<void> {
    this.creating = true;
    try {
      await this.mutate(() => undefined);
    } finally {
      this.creating = false;
    }
  }

  async read<T>(fn: (db: Database) => T): Promise<T> {
    const db = await this.fresh();
    try {
      return fn(db);
    } catch (e) {
      throw registryFailure(e, db, this.dbPath);
    }
  }

  /**
   * One transaction, committed to the file under the lock. `underLock` runs first, holding the lock:
   * file work the transaction depends on (a push re-checks its artifact there).
   */
  mutate<T>(fn: (db: Database, now: number) => T, underLock?: () => Promise<void>): Promise<T> {
    const run = this.locked(async (lock) => {
      await underLock?.();
      return this.commit(lock, fn);
    });
    void run.finally(() => this.cleanLeftovers()).catch(() => undefined);
    return run;
  }

  /** Runs `fn` holding the registry's lock, after this instance's queued mutations. */
  locked<T>(fn: (lock: HeldLock) => Promise<T>): Promise<T> {
    const run = this.queue.then(async () => {
      this.assertWritable();
      const lock = await acquireLock(this.lockPath, { timeoutMs: this.opts.lockTimeoutMs ?? 30_000 });
      try {
        return await fn(lock);
      } finally {
        await lock.release();
      }
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  assertWritable(): void {
    if (this.opts.readOnly) {
      throw readOnlyRegistry(this.dir);
    }
  }

  /** Applies `fn` in a transaction on the freshest database and replaces the file atomically. */
  private async commit<T>(lock: HeldLock, fn: (db: Database, now: number) => T): Promise<T> {
    const db = await this.fresh();
    db.run('PRAGMA foreign_keys = ON');
    let result: T;
    db.run('BEGIN IMMEDIATE');
    try {
      migrate(db, this.dbPath);
      result = fn(db, Date.now());
      db.run('COMMIT');
    } catch (e) {
      db.run('ROLLBACK');
      throw registryFailure(e, db, this.dbPath);
    }
    // Read before the write's awaits: a read in this process that sees the new file meanwhile reloads it
    // and closes this `db` ("Database closed" if touched after the write).
    const written = schemaVersion(db);
    try {
      await lock.assertHeld();
      await writeFileAtomic(this.dbPath, db.export(), `${process.pid}-${randomBytes(4).toString('hex')}`);
    } catch (e) {
      // The memory copy is ahead of the disk: drop it so the next access reads the truth.
      this.db?.close();
      this.db = undefined;
      this.stamp = '';
      if (e instanceof MlopsError) throw e;
      throw fsError(e, 'write the registry at', this.dir);
    }
    this.stamp = (await this.fileStamp()) ?? '';
    this.diskSchema = written;
    return result;
  }

  /** Temporary files of killed processes (db copies, private lock files, artifact uploads). */
  private async cleanLeftovers(): Promise<void> {
    try {
      for (const n of await fsp.readdir(this.dir)) {
        const m = /^registry\.sqlite\.tmp-(\d+)-[0-9a-f]+$/.exec(n);
        if (m && !pidAlive(Number(m[1]))) await fsp.rm(path.join(this.dir, n), { force: true });
      }
      await cleanLockLeftovers(this.dir, LOCK_FILE);
      await this.store.cleanTmp();
    } catch {
      // Best effort: leftovers are harmless.
    }
  }

  /** Calls `listener` (debounced) when the file changes, whoever changed it. */
  watch(listener: () => void): Disposable {
    let last: string | null | undefined;
    let timer: NodeJS.Timeout | undefined;
    let disposed = false;
    const check = async () => {
      if (disposed) return;
      const s = await this.fileStamp().catch(() => null);
      if (last !== undefined && s !== last) listener();
      last = s;
    };
    void check();
    const poke = () => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => void check(), 50);
    };
    let watcher: FSWatcher | undefined;
    try {
      // The commit renames a new file into the folder, which inotify/FSEvents report on the folder.
      watcher = fsWatch(this.dir, { persistent: false }, poke);
      watcher.on('error', () => undefined);
    } catch {
      // Some file systems cannot be watched; the poll below still catches every change.
    }
    const poll = setInterval(() => void check(), 1000);
    poll.unref();
    return {
      dispose: () => {
        disposed = true;
        watcher?.close();
        clearInterval(poll);
        if (timer) clearTimeout(timer);
      },
    };
  }

  async close(): Promise<void> {
    await this.queue;
    this.closed = true;
    this.db?.close();
    this.db = undefined;
  }
}

function notAFile(file: string, what: string): MlopsError {
  return new MlopsError(
    'CORRUPT',
    `${file} is ${what}, not the registry's database file.`,
    'Move it away and restore registry.sqlite from a backup.',
  );
}

/** A file's identity: a commit renames a new file in, so inode, size or mtime change with every one. */
function stampOf(s: BigIntStats): string {
  return `${s.ino}:${s.size}:${s.mtimeNs}`;
}
