import type { Column, Dataset } from '../drift/types';
import { argmax } from '../stats/argmax';

/** Nearest-rank percentile of unsorted values (p in 0..100); null for none. */
export function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

/** A cell of a read column as text (null when missing): ids and labels are compared as text. */
export function cellText(c: Column, row: number): string | null {
  if ('values' in c) {
    const v = c.values[row];
    return Number.isFinite(v) ? String(v) : null;
  }
  const code = c.codes[row];
  return code >= 0 ? c.dictionary[code] : null;
}

export function findColumn(d: Dataset, name: string): Column | undefined {
  return d.columns.find((c) => c.name === name);
}

export type PerformanceMetric = 'accuracy' | 'auc' | 'rmse';

/** One scored prediction: the model's output row and the true label. */
export interface Scored {
  output: number[];
  label: string;
}

/**
 * accuracy: the predicted class (argmax of a multi-column output, else the value rounded at 0.5) equals
 * the label; auc: the positive-class score (column 1 of two or more, else the value) against 0/1 labels
 * (Mann-Whitney, ties counted half); rmse: the value against a numeric label. Null when undefined (no
 * rows, a single class for AUC).
 */
export function scorePerformance(rows: Scored[], metric: PerformanceMetric): number | null {
  if (rows.length === 0) return null;
  if (metric === 'accuracy') {
    let hit = 0;
    for (const r of rows) {
      const pred = r.output.length > 1 ? argmax(r.output) : r.output[0] >= 0.5 ? 1 : 0;
      if (String(pred) === r.label || Number(r.label) === pred) hit++;
    }
    return hit / rows.length;
  }
  if (metric === 'rmse') {
    let sum = 0;
    let n = 0;
    for (const r of rows) {
      const y = Number(r.label);
      if (!Number.isFinite(y)) continue;
      sum += (r.output[0] - y) ** 2;
      n++;
    }
    return n ? Math.sqrt(sum / n) : null;
  }
  const pos: number[] = [];
  const neg: number[] = [];
  for (const r of rows) {
    const s = r.output.length > 1 ? r.output[1] : r.output[0];
    const y = Number(r.label);
    if (y === 1) pos.push(s);
    else if (y === 0) neg.push(s);
  }
  if (!pos.length || !neg.length) return null;
  let wins = 0;
  for (const p of pos) for (const n of neg) wins += p > n ? 1 : p === n ? 0.5 : 0;
  return wins / (pos.length * neg.length);
}
