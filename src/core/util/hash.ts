import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { throwIfAborted } from '../errors';

export function sha256Hex(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Streams a file through sha256; cancellable between chunks. */
export async function sha256File(
  file: string,
  signal?: AbortSignal,
  onBytes?: (n: number) => void,
): Promise<{ sha256: string; size: number }> {
  const h = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
    throwIfAborted(signal, 'Hashing');
    h.update(chunk as Buffer);
    size += (chunk as Buffer).length;
    onBytes?.(size);
  }
  return { sha256: h.digest('hex'), size };
}

export const SHA256_RE = /^[0-9a-f]{64}$/;
