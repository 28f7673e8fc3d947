import { constants, type Stats } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { MlopsError } from '../errors';
import { fsError } from '../util/fsx';

/**
 * Opens a data or settings file that is read whole (or by position), refusing anything but a regular
 * file: a directory fails on the first read with EISDIR, a FIFO or a terminal blocks the open (and the
 * CLI) forever, and neither has a size to read up to. The open is non-blocking so a FIFO is refused at
 * once instead of waiting for a writer; O_NONBLOCK changes nothing for a regular file.
 */
export async function withRegularFile<T>(
  file: string,
  display: string,
  fn: (fh: FileHandle, size: number) => Promise<T>,
): Promise<T> {
  let fh: FileHandle;
  try {
    fh = await open(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (e) {
    throw fsError(e, 'read', display);
  }
  try {
    const st = await fh.stat();
    if (!st.isFile())
      throw new MlopsError(
        'INVALID_ARGUMENT',
        `${display} is ${kindOf(st)}, not a regular file.`,
        'Pass a file: save piped or streamed data to a file first.',
      );
    return await fn(fh, st.size);
  } finally {
    await fh.close();
  }
}

function kindOf(st: Stats): string {
  if (st.isDirectory()) return 'a folder';
  if (st.isFIFO()) return 'a pipe (FIFO)';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  return 'not a plain file';
}

/** The whole text of a small regular file, refused past `maxBytes` (a settings file is never large). */
export function readSmallTextFile(file: string, display: string, maxBytes: number): Promise<string> {
  return withRegularFile(file, display, async (fh, size) => {
    if (size > maxBytes)
      throw new MlopsError(
        'INVALID_ARGUMENT',
        `${display} is ${size} bytes, more than a settings file can be (${maxBytes}).`,
        'Check that the path names the project file.',
      );
    const buf = Buffer.alloc(size);
    let at = 0;
    while (at < size) {
      const { bytesRead } = await fh.read(buf, at, size - at, at);
      if (bytesRead === 0) break;
      at += bytesRead;
    }
    return buf.toString('utf8', 0, at);
  });
}
