import { UsageError } from '../args';
import type { OptionValues } from '../context';

/** `--flag` as a whole number within [min, max]; a clear usage error (exit 2) otherwise. */
export function boundedInt(flag: string, v: unknown, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  const s = String(v).trim();
  if (!/^\d+$/.test(s) || Number(s) < min || Number(s) > max)
    throw new UsageError(`--${flag} expects a whole number from ${min} to ${max}, got "${String(v)}".`, 'serve');
  return Number(s);
}

/** `--flag` as a number within [min, max] (decimals allowed). */
export function boundedNumber(flag: string, v: unknown, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  const s = String(v).trim();
  const n = s === '' ? NaN : Number(s);
  if (!Number.isFinite(n) || n < min || n > max)
    throw new UsageError(`--${flag} expects a number from ${min} to ${max}, got "${String(v)}".`, 'serve');
  return n;
}

const UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1024,
  kb: 1000,
  kib: 1024,
  m: 1 << 20,
  mb: 1e6,
  mib: 1 << 20,
  g: 1 << 30,
  gb: 1e9,
  gib: 1 << 30,
};

/** Sizes such as 64MiB, 10m, 1048576 (bytes), within [min, max]. */
export function boundedBytes(flag: string, v: unknown, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(String(v).trim());
  const unit = m ? UNITS[m[2].toLowerCase()] : undefined;
  const n = m && unit ? Math.floor(Number(m[1]) * unit) : NaN;
  if (!Number.isFinite(n) || n < min || n > max)
    throw new UsageError(
      `--${flag} expects a size from ${min} to ${max} bytes (e.g. 64MiB, 512k), got "${String(v)}".`,
      'serve',
    );
  return n;
}

/** A share written 10%, 0.1 or 10 (percent when above 1): strictly between 0 and 1. */
export function parseShare(flag: string, text: string): number {
  const s = text.trim();
  const pct = s.endsWith('%');
  const n = Number(pct ? s.slice(0, -1) : s);
  const share = pct || n > 1 ? n / 100 : n;
  if (s === '' || !Number.isFinite(share) || share <= 0 || share >= 1)
    throw new UsageError(`--${flag} share must be between 0% and 100% (exclusive), got "${text}".`, 'serve');
  return share;
}

/** --canary models:/fraud@challenger=10% -> { uri, share }. */
export function parseCanary(text: string): { uri: string; share: number } {
  const eq = text.lastIndexOf('=');
  if (eq <= 0)
    throw new UsageError(
      `--canary expects <model URI>=<share>, e.g. models:/fraud@challenger=10%, got "${text}".`,
      'serve',
    );
  return { uri: text.slice(0, eq).trim(), share: parseShare('canary', text.slice(eq + 1)) };
}

/** --log-predictions 1 | 0.1 | 10% | off -> a rate in [0, 1]. */
export function parseLogRate(v: unknown): number {
  if (v === undefined) return 1;
  const s = String(v).trim().toLowerCase();
  if (s === 'off' || s === 'false' || s === 'no') return 0;
  if (s === 'on' || s === 'all') return 1;
  const pct = s.endsWith('%');
  const n = Number(pct ? s.slice(0, -1) : s);
  const rate = pct ? n / 100 : n;
  if (s === '' || !Number.isFinite(rate) || rate < 0 || rate > 1)
    throw new UsageError(
      `--log-predictions expects a rate from 0 to 1 (or 0%..100%, or off), got "${String(v)}".`,
      'serve',
    );
  return rate;
}

export function list(v: OptionValues[string]): string[] {
  return Array.isArray(v) ? v.map(String) : v === undefined ? [] : [String(v)];
}

/** Addresses that only this machine can reach. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
