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
