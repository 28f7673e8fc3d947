import { createReadStream, createWriteStream, fstatSync, promises as fsp, type Stats } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { MlopsError } from '../../core/errors';
import { fsError, isNodeError } from '../../core/util/fsx';

/**
 * Where `mlops pull -o` writes. Only a regular file is ever replaced (atomically, through a temporary
 * file beside it); a character device or a FIFO is written in place, as `cat > dest` would; `-o -` is
 * standard output. A symbolic link is followed: the file it points to is written (and the link kept),
 * or the device or FIFO it points to is written in place. A folder, a block device or a socket is
 * refused.
 */
export type PullTarget =
  | { kind: 'stdout'; display: string }
  /** `path` is where the bytes go (a symlink's target); `exists` asks for --force. */
  | { kind: 'file'; path: string; display: string; exists: boolean }
  | { kind: 'stream'; path: string; display: string };

export async function pullTarget(output: string, cwd: string): Promise<PullTarget> {
  if (output === '-') return { kind: 'stdout', display: 'standard output' };
  const dest = path.resolve(cwd, output);
  let st;
  try {
    st = await fsp.lstat(dest);
  } catch (e) {
    if (isNodeError(e, 'ENOENT')) return { kind: 'file', path: dest, display: dest, exists: false };
    throw fsError(e, 'write', dest);
  }
  if (!st.isSymbolicLink()) return classify(dest, dest, st);
  let target: Stats;
  try {
    target = await fsp.stat(dest); // follows the link (also /dev/stdout -> /proc/self/fd/1 -> a pipe)
  } catch (e) {
    if (!isNodeError(e, 'ENOENT')) throw fsError(e, 'write', dest);
    // A dangling link: create the file it names (the link then works), as `cp` does.
    const named = path.resolve(path.dirname(dest), await fsp.readlink(dest));
    return { kind: 'file', path: named, display: `${dest} (-> ${named})`, exists: false };
  }
  // -o /dev/stdout: standard output may be a socket, which cannot be opened by path; write to it.
  if (isStdout(target)) return { kind: 'stdout', display: dest };
  // A device or FIFO is opened through the link; a regular file is replaced where it really is.
  if (!target.isFile()) return classify(dest, dest, target);
  const real = await fsp.realpath(dest);
  return classify(real, `${dest} (-> ${real})`, target);
}

function isStdout(st: Stats): boolean {
  try {
    const out = fstatSync(1);
    return out.dev === st.dev && out.ino === st.ino && !st.isFile();
  } catch {
    return false;
  }
}

function classify(p: string, display: string, st: Stats): PullTarget {
  if (st.isFile()) return { kind: 'file', path: p, display, exists: true };
  if (st.isCharacterDevice() || st.isFIFO()) return { kind: 'stream', path: p, display };
  const what = st.isDirectory() ? 'a folder' : st.isBlockDevice() ? 'a block device' : 'neither a file nor a pipe';
  throw new MlopsError(
    'INVALID_ARGUMENT',
    `${display} is ${what}; mlops pull writes a model file.`,
    'Give -o a file path (a folder needs a file name inside it), a pipe, or - for standard output.',
  );
}

/**
 * Pulls through `pull` (which verifies the sha256) into a private temporary file, then streams that file
 * to the device, the FIFO or `out`: the reader never sees bytes that failed verification.
 */
export async function pullThroughTemp(
  target: Exclude<PullTarget, { kind: 'file' }>,
  pull: (tmpFile: string) => Promise<void>,
  out: NodeJS.WritableStream,
  signal: AbortSignal,
): Promise<void> {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'mlops-pull-'));
  try {
    const tmp = path.join(dir, 'model.onnx');
    await pull(tmp);
    try {
      if (target.kind === 'stdout') await pipeline(createReadStream(tmp), out, { end: false, signal });
      // 'w' on a device or FIFO neither truncates nor replaces anything: the bytes go through.
      else await pipeline(createReadStream(tmp), createWriteStream(target.path, { flags: 'w' }), { signal });
    } catch (e) {
      if (signal.aborted) throw new MlopsError('CANCELLED', 'Pulling the model was cancelled.');
      throw fsError(e, 'write', target.display);
    }
  } finally {
    await fsp.rm(dir, { recursive: true, force: true });
  }
}
