import { MlopsError } from '../errors';

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** "90s", "30m", "24h", "7d", "1w" -> milliseconds (a positive amount; `what` names the flag or key). */
export function parseDuration(text: string, what: string): { ms: number; label: string } {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d|w)\s*$/.exec(text);
  if (m && Number(m[1]) <= 0) {
    throw new MlopsError(
      'INVALID_ARGUMENT',
      `${what} "${text}" is zero.`,
      'Give a duration longer than zero, e.g. 1s or 30m.',
    );
  }
  if (!m) {
    throw new MlopsError(
      'INVALID_ARGUMENT',
      `${what} "${text}" is not a duration.`,
      'Write a number and a unit: 30m, 6h, 1d or 1w (s, m, h, d, w).',
    );
  }
  return { ms: Number(m[1]) * UNIT_MS[m[2]], label: `${m[1]}${m[2]}` };
}
