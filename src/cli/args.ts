import { MlopsError } from '../core/errors';
import { parseModelUri, type ModelRef } from '../core/registry/uri';

/** A mistake in how the command was typed: exit code 2 with the command's usage. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly command?: string,
    /** What to write instead, when the message alone does not say. */
    readonly hint?: string,
  ) {
    super(message);
  }
}

/**
 * Runs a parser of command-line text (a model URI, a registry URI): what it refuses as INVALID_ARGUMENT
 * does not parse, which is a usage error (exit 2) as the README says, not a failed operation (exit 1).
 */
export function asUsage<T>(parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    if (e instanceof MlopsError && e.code === 'INVALID_ARGUMENT') throw new UsageError(e.message, undefined, e.hint);
    throw e;
  }
}

/** A model URI argument (models:/name/3, models:/name@alias, models:/name/latest). */
export function parseModelRefArg(uri: string): ModelRef {
  return asUsage(() => parseModelUri(uri));
}

/** `--metric auc=0.9 --metric f1=0.8` -> { auc: 0.9, f1: 0.8 } */
export function parseKeyValues(flag: string, items: string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of items ?? []) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new UsageError(`--${flag} expects key=value, got "${item}".`);
    const key = item.slice(0, eq).trim();
    if (key in out) throw new UsageError(`--${flag} ${key} is given twice.`);
    out[key] = item.slice(eq + 1);
  }
  return out;
}

export function parseMetrics(items: string[] | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(parseKeyValues('metric', items))) {
    const n = v.trim() === '' ? NaN : Number(v);
    if (!Number.isFinite(n)) throw new UsageError(`--metric ${k}=${v}: "${v}" is not a number.`);
    out[k] = n;
  }
  return out;
}

export function parseIntOption(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v.trim())) throw new UsageError(`--${flag} expects a whole number, got "${v}".`);
  return Number(v);
}

/** Version numbers from the command line; wrong ones are the user's input error, not usage. */
export function parseVersionArg(v: string): number {
  if (!/^\d+$/.test(v) || Number(v) < 1) {
    throw new MlopsError(
      'INVALID_ARGUMENT',
      `"${v}" is not a version number.`,
      'Versions are whole numbers starting at 1; run `mlops versions <model>` to list them.',
    );
  }
  return Number(v);
}
