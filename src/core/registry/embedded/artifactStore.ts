import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, promises as fsp } from 'node:fs';
import path from 'node:path';
import { MlopsError, throwIfAborted } from '../../errors';
import { fsError, fsyncDir, isNodeError, pidAlive } from '../../util/fsx';
import { SHA256_RE, sha256File } from '../../util/hash';
import type { OperationOptions } from '../types';

const CHUNK = 4 << 20;

/**
 * Content-addressed files: artifacts/sha256/<2 hex>/<64 hex>. A file is written to tmp/, fsynced and
 * renamed into place before any database row refers to it, so a crash leaves at worst an orphan.
 */
export class ArtifactStore {
  constructor(readonly root: string) {}

  pathOf(sha256: string): string {
    if (!SHA256_RE.test(sha256))
      throw new MlopsError('CORRUPT', `"${sha256}" is not a sha256 digest.`, 'Run `mlops verify`.');
    return path.join(this.root, 'sha256', sha256.slice(0, 2), sha256);
  }

  /** Stores `data` under its sha256 (already computed by the caller) and returns the path. */
  async put(data: Uint8Array, sha256: string, opts: OperationOptions = {}): Promise<string> {
    const final = this.pathOf(sha256);
    const tmpDir = path.join(this.root, 'tmp');
    const tmp = path.join(tmpDir, `${process.pid}-${randomBytes(6).toString('hex')}`);
    try {
      await fsp.mkdir(tmpDir, { recursive: true });
      await fsp.mkdir(path.dirname(final), { recursive: true });
    } catch (e) {
      throw await this.failure(e, 'write to the artifact store', final);
    }
    let fh: fsp.FileHandle | undefined;
    try {
      fh = await fsp.open(tmp, 'w', 0o444);
      for (let off = 0; off < data.length; off += CHUNK) {
        throwIfAborted(opts.signal, 'Storing the model file');
        const end = Math.min(off + CHUNK, data.length);
        await fh.write(data, off, end - off);
        opts.onProgress?.({ stage: 'Storing', done: end, total: data.length });
      }
      await fh.sync();
      await fh.close();
      fh = undefined;
      // Renaming over an existing copy is harmless (same content) and repairs a corrupted one.
      await fsp.rename(tmp, final);
      await fsyncDir(path.dirname(final));
      return final;
    } catch (e) {
      await fh?.close().catch(() => undefined);
      await fsp.rm(tmp, { force: true });
      throw await this.failure(e, 'write to the artifact store', final);
    }
  }

  async exists(sha256: string): Promise<boolean> {
    try {
      await fsp.access(this.pathOf(sha256));
      return true;
    } catch {
      return false;
    }
  }

  /** Hashes the stored file; null when it is missing. */
  async check(sha256: string, signal?: AbortSignal): Promise<{ sha256: string; size: number } | null> {
    const file = this.pathOf(sha256);
    try {
      await this.assertRegularFile(file);
      return await sha256File(file, signal);
    } catch (e) {
      if (isNodeError(e, 'ENOENT')) return null;
      throw await this.failure(e, 'read the artifact store at', file);
    }
  }

  /** A stored artifact must be a regular file: reading a FIFO would block, a folder cannot be read. */
  private async assertRegularFile(file: string): Promise<void> {
    const st = await fsp.stat(file);
    if (!st.isFile()) {
      throw new MlopsError(
        'CORRUPT',
        `${file} is ${st.isDirectory() ? 'a folder' : 'not a regular file'}, not a stored model file.`,
        'Move it away (MLOps Studio never creates it) and push the original model file again, or restore it from a backup.',
      );
    }
  }

  /**
   * A file-system failure as a sentence. ENOTDIR/EEXIST/EISDIR mostly mean that a part of the store's
   * layout (artifacts/, sha256/, a prefix folder) is a file: name that part rather than the errno.
   */
  private async failure(e: unknown, action: string, target: string): Promise<MlopsError> {
    if (e instanceof MlopsError) return e;
    if (isNodeError(e, 'ENOTDIR', 'EEXIST', 'EISDIR')) {
      const odd = await firstNonFolder(path.dirname(this.root), path.dirname(target));
      if (odd) {
        return new MlopsError(
          'CORRUPT',
          `${odd} is a file, but the registry keeps its model files in a folder there.`,
          'Move that file away (MLOps Studio never creates it); restore the folder from a backup if it held model files.',
          { cause: e },
        );
      }
    }
    return fsError(e, action, target);
  }

  /**
   * Copies the artifact to `dest` through a temporary file, hashing on the way; `dest` appears only if the
   * content matches `sha256`. `describe` names the version in errors.
   */
  async copyVerified(sha256: string, dest: string, describe: string, opts: OperationOptions = {}): Promise<void> {
    const src = this.pathOf(sha256);
    const tmp = `${dest}.part-${process.pid}-${randomBytes(4).toString('hex')}`;
    const h = createHash('sha256');
    let fh: fsp.FileHandle | undefined;
    let total = 0;
    try {
      await this.assertRegularFile(src);
      total = (await fsp.stat(src)).size;
    } catch (e) {
      if (isNodeError(e, 'ENOENT')) throw missingArtifact(describe, sha256);
      throw await this.failure(e, 'read the artifact of', src);
    }
    try {
      fh = await fsp.open(tmp, 'w');
      let done = 0;
      for await (const chunk of createReadStream(src, { highWaterMark: 1 << 20 })) {
        throwIfAborted(opts.signal, 'Pulling the model');
        h.update(chunk as Buffer);
        await fh.write(chunk as Buffer);
        done += (chunk as Buffer).length;
        opts.onProgress?.({ stage: 'Copying', done, total });
      }
      await fh.sync();
      await fh.close();
      fh = undefined;
      const got = h.digest('hex');
      if (got !== sha256) throw corruptArtifact(describe, sha256, got);
      await fsp.rename(tmp, dest);
    } catch (e) {
      await fh?.close().catch(() => undefined);
      await fsp.rm(tmp, { force: true });
      if (e instanceof MlopsError) throw e;
      throw fsError(e, 'write', dest);
    }
  }

  /** Deletes temporary files left by processes that no longer run. */
  async cleanTmp(): Promise<void> {
    const tmpDir = path.join(this.root, 'tmp');
    let names: string[] = [];
    try {
      names = await fsp.readdir(tmpDir);
    } catch {
      return;
    }
    for (const n of names) {
      const pid = Number(n.split('-')[0]);
      if (!pidAlive(pid)) await fsp.rm(path.join(tmpDir, n), { force: true });
    }
  }

  /** Size and last change of a stored artifact, or null when it is not stored. */
  async stat(sha256: string): Promise<{ size: number; mtimeMs: number } | null> {
    try {
      const s = await fsp.stat(this.pathOf(sha256));
      return { size: s.size, mtimeMs: s.mtimeMs };
    } catch (e) {
      if (isNodeError(e, 'ENOENT')) return null;
      throw await this.failure(e, 'read the artifact store at', this.pathOf(sha256));
    }
  }

  /**
   * Removes an artifact last written before `cutoffMs`. A push writes a fresh copy (new mtime) before
   * its row, so the file is first renamed aside and its age checked again there: a copy a push put in
   * place since the first look goes back (same bytes, so putting it back can only restore content).
   * Returns the bytes freed, or null when the file was too young or already gone.
   */
  async removeIfOlderThan(sha256: string, cutoffMs: number): Promise<number | null> {
    const first = await this.stat(sha256);
    if (!first || first.mtimeMs >= cutoffMs) return null;
    const final = this.pathOf(sha256);
    const tmpDir = path.join(this.root, 'tmp');
    // Named like the store's other temporary files (pid first) so a killed gc's leftover is cleaned.
    const aside = path.join(tmpDir, `${process.pid}-gc-${randomBytes(6).toString('hex')}`);
    try {
      await fsp.mkdir(tmpDir, { recursive: true });
      await fsp.rename(final, aside);
    } catch (e) {
      if (isNodeError(e, 'ENOENT')) return null;
      throw fsError(e, 'clean the artifact store at', this.root);
    }
    try {
      const s = await fsp.stat(aside);
      if (s.mtimeMs >= cutoffMs) {
        await fsp.rename(aside, final);
        return null;
      }
      await fsp.rm(aside, { force: true });
      await fsyncDir(path.dirname(final));
      return s.size;
    } catch (e) {
      // Never leave a referenced-looking file stranded aside: put it back if anything went wrong.
      await fsp.rename(aside, final).catch(() => undefined);
      throw fsError(e, 'clean the artifact store at', this.root);
    }
  }

  /** Every digest present in the store (for verify's orphan count). */
  async list(): Promise<string[]> {
    const out: string[] = [];
    const base = path.join(this.root, 'sha256');
    let prefixes: string[] = [];
    try {
      prefixes = await fsp.readdir(base);
    } catch {
      return out;
    }
    for (const p of prefixes) {
      for (const n of await fsp.readdir(path.join(base, p)).catch(() => [] as string[]))
        if (SHA256_RE.test(n)) out.push(n);
    }
    return out;
  }
}

/** The first of `from`'s descendants on the way to `to` (inclusive) that exists and is not a folder. */
async function firstNonFolder(from: string, to: string): Promise<string | null> {
  const rel = path.relative(from, to);
  if (rel.startsWith('..') || path.isAbsolute(rel)) return null;
  let cur = from;
  for (const part of rel.split(path.sep).filter(Boolean)) {
    cur = path.join(cur, part);
    try {
      if (!(await fsp.stat(cur)).isDirectory()) return cur;
    } catch {
      return null;
    }
  }
  return null;
}

export function corruptArtifact(describe: string, expected: string, got: string): MlopsError {
  return new MlopsError(
    'CORRUPT',
    `The artifact of ${describe} is corrupt: its sha256 is ${got.slice(0, 12)}… but the registry recorded ${expected.slice(0, 12)}….`,
    'Push the original model file again (it is stored under its hash and repairs the copy), or restore .mlops/artifacts from a backup.',
  );
}

export function missingArtifact(describe: string, expected: string): MlopsError {
  return new MlopsError(
    'CORRUPT',
    `The artifact of ${describe} (sha256 ${expected.slice(0, 12)}…) is missing from the store.`,
    'Push the original model file again, or restore .mlops/artifacts from a backup.',
  );
}
