import { MlopsError } from '../../core/errors';

/**
 * Metrics typed in one line: `auc=0.94 accuracy=0.91` (spaces, commas or semicolons between pairs).
 * Same meaning as the CLI's repeated `--metric k=v`; the core validates names and values again.
 */
export function parseMetricsText(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const pair of text.split(/[\s,;]+/).filter(Boolean)) {
    const eq = pair.indexOf('=');
    if (eq <= 0)
      throw new MlopsError('INVALID_ARGUMENT', `"${pair}" is not a metric: write name=value, e.g. auc=0.94.`);
    const name = pair.slice(0, eq);
    const raw = pair.slice(eq + 1);
    const value = Number(raw);
    if (raw === '' || !Number.isFinite(value))
      throw new MlopsError('INVALID_ARGUMENT', `The metric "${name}" needs a number, not "${raw}".`);
    if (name in out) throw new MlopsError('INVALID_ARGUMENT', `The metric "${name}" is given twice.`);
    out[name] = value;
  }
  return out;
}

/**
 * Params or tags typed in one line: `lr=0.01 depth=6` (spaces, commas or semicolons between pairs); the
 * values stay strings. Same meaning as the CLI's repeated `--param k=v` / `--tag k=v`.
 */
export function parseKeyValueText(text: string, what = 'param'): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of text.split(/[\s,;]+/).filter(Boolean)) {
    const eq = pair.indexOf('=');
    if (eq <= 0)
      throw new MlopsError('INVALID_ARGUMENT', `"${pair}" is not a ${what}: write name=value, e.g. lr=0.01.`);
    const name = pair.slice(0, eq);
    if (name in out) throw new MlopsError('INVALID_ARGUMENT', `The ${what} "${name}" is given twice.`);
    out[name] = pair.slice(eq + 1);
  }
  return out;
}
