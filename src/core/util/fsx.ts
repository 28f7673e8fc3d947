import { existsSync, promises as fsp } from 'node:fs';
import path from 'node:path';
import { MlopsError } from '../errors';

/** fsync a directory so a rename inside it survives a crash (no-op where directories can't be opened). */
export async function fsyncDir(dir: string): Promise<void> {
  let fh: fsp.FileHandle | undefined;
  try {
    fh = await fsp.open(dir, 'r');
    await fh.sync();
  } catch {
    // Windows cannot open directories; rename is already durable enough there.
  } finally {
    await fh?.close();
  }
}

/**
 * Replaces `file` with `data` so that a crash at any point leaves either the old or the new content:
 * write a temporary file beside it, fsync, rename over, fsync the directory.
 */
export async function writeFileAtomic(file: string, data: Uint8Array, tmpSuffix: string): Promise<void> {
  const tmp = `${file}.tmp-${tmpSuffix}`;
  const fh = await fsp.open(tmp, 'w', 0o644);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await fsp.rename(tmp, file);
  } catch (e) {
    await fsp.rm(tmp, { force: true });
    throw e;
  }
  await fsyncDir(path.dirname(file));
}

export function isNodeError(e: unknown, ...codes: string[]): e is NodeJS.ErrnoException {
  return (
    e instanceof Error &&
    'code' in e &&
    (codes.length === 0 || codes.includes(String((e as NodeJS.ErrnoException).code)))
  );
}

/** Turns a file-system error into a sentence naming the path and what to do. */
export function fsError(e: unknown, action: string, target: string): MlopsError {
  if (isNodeError(e, 'EACCES', 'EPERM', 'EROFS')) {
    return new MlopsError(
      'PERMISSION_DENIED',
      `Cannot ${action} ${target}: permission denied.`,
      "Check the folder's permissions, or choose another registry with --registry / mlops.registry.uri.",
      { cause: e },
    );
  }
  if (isNodeError(e, 'ENOSPC', 'EDQUOT')) {
    return new MlopsError('IO', `Cannot ${action} ${target}: the disk is full.`, 'Free some space and try again.', {
      cause: e,
    });
  }
  if (isNodeError(e, 'ENOENT')) {
    // Writing a file into a missing folder also fails with ENOENT: "it does not exist" would blame the file.
    const folder = missingFolder(e, target);
    return folder === undefined
      ? new MlopsError('NOT_FOUND', `Cannot ${action} ${target}: it does not exist.`, 'Check the path.', { cause: e })
      : new MlopsError(
          'NOT_FOUND',
          `Cannot ${action} ${target}: the folder ${folder} does not exist.`,
          'Create the folder first, or give a path in an existing folder.',
          { cause: e },
        );
  }
  if (isNodeError(e, 'EISDIR')) {
    return new MlopsError(
      'INVALID_ARGUMENT',
      `Cannot ${action} ${target}: it is a folder, not a file.`,
      'Give the path of a file, not of a folder.',
      { cause: e },
    );
  }
  const code = isNodeError(e) ? ` (${e.code})` : '';
  return new MlopsError(
    'IO',
    `Cannot ${action} ${target}${code}: ${e instanceof Error ? e.message : String(e)}.`,
    undefined,
    { cause: e },
  );
}

/**
 * The folder of a path that failed with ENOENT, as the user named it, when that folder is missing
 * (undefined when the folder exists, so the path itself is what is missing).
 */
function missingFolder(e: NodeJS.ErrnoException, target: string): string | undefined {
  if (!e.path) return undefined;
  const dir = path.dirname(e.path);
  if (dir === e.path || existsSync(dir)) return undefined;
  // `target` is the path as the user wrote it when it names the same file; else show the folder as is.
  return path.basename(target) === path.basename(e.path) ? path.dirname(target) : dir;
}

/** Is this process alive? EPERM means it exists but belongs to someone else. */
export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return isNodeError(e, 'EPERM');
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Opens `file` for reading, runs `fn` on the handle and always closes it. A failure to open becomes the
 * usual sentence naming `display`; errors from `fn` pass through unchanged.
 */
export async function withFileForReading<T>(
  file: string,
  display: string,
  fn: (fh: fsp.FileHandle) => Promise<T>,
): Promise<T> {
  let fh: fsp.FileHandle;
  try {
    fh = await fsp.open(file, 'r');
  } catch (e) {
    throw fsError(e, 'read', display);
  }
  try {
    return await fn(fh);
  } finally {
    await fh.close();
  }
}
