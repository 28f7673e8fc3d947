import { MlopsError } from '../errors';

/** Opaque page tokens for the embedded backend (keyset positions, base64url JSON). */
export function encodePageToken(pos: unknown): string {
  return Buffer.from(JSON.stringify(pos)).toString('base64url');
}

export function decodePageToken<T>(token: string, check: (v: unknown) => v is T): T {
  try {
    const v: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (check(v)) return v;
  } catch {
    // fall through
  }
  throw new MlopsError('INVALID_ARGUMENT', 'The page token is not valid.', 'Start again from the first page.');
}

export function clampPageSize(n: number | undefined, dflt = 100, max = 1000): number {
  if (n === undefined) return dflt;
  if (!Number.isInteger(n) || n < 1)
    throw new MlopsError('INVALID_ARGUMENT', `The page size ${n} is not a positive whole number.`, 'Use e.g. 50.');
  return Math.min(n, max);
}
