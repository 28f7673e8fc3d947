import { parseNumberText, parseTimestampText } from './tokens';

/**
 * Parsing values straight from bytes, without creating strings, for the common shapes; anything else
 * falls back to the text functions, so results are always the same as parsing the text.
 */

const POW10: number[] = Array.from({ length: 23 }, (_, i) => Number(`1e${i}`));

/**
 * The number in b[s, e), or NaN when the bytes are not a number. Plain decimals with at most 15
 * significant digits and 22 decimals are exact as m / 10^k (both exact doubles, one correctly rounded
 * division: Clinger's fast path); the rest goes through Number().
 */
export function parseNumberBytes(b: Uint8Array, s: number, e: number): number {
  let i = s;
  let neg = false;
  if (i < e && b[i] === 45) {
    neg = true;
    i++;
  }
  let m = 0;
  let digits = 0;
  let scale = 0;
  const start = i;
  while (i < e && b[i] >= 48 && b[i] <= 57) {
    m = m * 10 + (b[i] - 48);
    digits++;
    i++;
  }
  if (i < e && b[i] === 46) {
    i++;
    while (i < e && b[i] >= 48 && b[i] <= 57) {
      m = m * 10 + (b[i] - 48);
      digits++;
      scale++;
      i++;
    }
  }
  if (i === e && digits > 0 && digits <= 15 && scale <= 22 && i > start) {
    const v = scale ? m / POW10[scale] : m;
    return neg ? -v : v;
  }
  return parseNumberText(latin1(b, s, e));
}

function latin1(b: Uint8Array, s: number, e: number): string {
  return Buffer.from(b.buffer, b.byteOffset + s, e - s).toString('latin1');
}

function digitsAt(b: Uint8Array, i: number, n: number): number {
  let v = 0;
  for (let k = 0; k < n; k++) {
    const d = b[i + k] - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

/**
 * Epoch ms of an ISO 8601 date / date-time in b[s, e) (zone-less = UTC), or NaN when it is not one.
 * The common `YYYY-MM-DD[T ]HH:MM:SS[Z]` shapes are decoded from digits; the rest via the text parser.
 */
export function parseTimestampBytes(b: Uint8Array, s: number, e: number): number {
  const len = e - s;
  if ((len === 10 || len === 19 || len === 20) && b[s + 4] === 45 && b[s + 7] === 45) {
    const y = digitsAt(b, s, 4);
    const mo = digitsAt(b, s + 5, 2);
    const d = digitsAt(b, s + 8, 2);
    if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > 31) return NaN;
    if (len === 10) return Date.UTC(y, mo - 1, d);
    const sep = b[s + 10];
    if ((sep === 84 || sep === 32) && b[s + 13] === 58 && b[s + 16] === 58 && (len === 19 || b[s + 19] === 90)) {
      const h = digitsAt(b, s + 11, 2);
      const mi = digitsAt(b, s + 14, 2);
      const se = digitsAt(b, s + 17, 2);
      if (h >= 0 && h < 24 && mi >= 0 && mi < 60 && se >= 0 && se < 61) return Date.UTC(y, mo - 1, d, h, mi, se);
    }
  }
  return parseTimestampText(Buffer.from(b.buffer, b.byteOffset + s, len).toString('utf8'));
}
