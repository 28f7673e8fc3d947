/**
 * How far a rewritten model's outputs are from its source's, on the same inputs, and what that does to
 * a metric when labels are known. Outputs are read row by row: [rows, C] with C >= 2 are class scores
 * (top-1 agreement, accuracy, and AUC of class 1 when C = 2); [rows] or [rows, 1] are regression values
 * (RMSE).
 */
import { argmax } from '../stats/argmax';

export type MetricName = 'accuracy' | 'auc' | 'rmse';

export interface OutputAgreement {
  rows: number;
  /** Values per row. */
  columns: number;
  maxAbsDiff: number;
  meanAbsDiff: number;
  /** max |diff| / max |source value|. */
  maxRelError: number;
  /** Classifier outputs (columns >= 2): share of rows whose arg-max is the same; null otherwise. */
  top1Agreement: number | null;
  /** Regression outputs: RMS of the difference over the source outputs' standard deviation; null otherwise. */
  relativeRmsDiff: number | null;
}

export interface MetricComparison {
  name: MetricName;
  source: number;
  candidate: number;
  /** How much worse the candidate is (positive = worse): source − candidate, or candidate − source for RMSE. */
  drop: number;
}

export function argmaxRows(v: ArrayLike<number>, rows: number, cols: number): Int32Array {
  const out = new Int32Array(rows);
  for (let r = 0; r < rows; r++) out[r] = argmax(v, r * cols, cols);
  return out;
}

export function compareOutputs(a: ArrayLike<number>, b: ArrayLike<number>, rows: number): OutputAgreement {
  const columns = rows > 0 ? a.length / rows : 0;
  let maxAbs = 0;
  let sumAbs = 0;
  let maxRef = 0;
  let sumSq = 0;
  let sum = 0;
  let sumRefSq = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (d > maxAbs || Number.isNaN(d)) maxAbs = Number.isNaN(d) ? Infinity : d;
    sumAbs += d;
    sumSq += d * d;
    sum += a[i];
    sumRefSq += a[i] * a[i];
    if (Math.abs(a[i]) > maxRef) maxRef = Math.abs(a[i]);
  }
  const n = Math.max(1, a.length);
  let top1: number | null = null;
  let relRms: number | null = null;
  if (columns >= 2) {
    const ta = argmaxRows(a, rows, columns);
    const tb = argmaxRows(b, rows, columns);
    let same = 0;
    for (let r = 0; r < rows; r++) if (ta[r] === tb[r]) same++;
    top1 = rows > 0 ? same / rows : 1;
  } else {
    const variance = Math.max(0, sumRefSq / n - (sum / n) ** 2);
    const rms = Math.sqrt(sumSq / n);
    relRms = variance > 0 ? rms / Math.sqrt(variance) : rms === 0 ? 0 : Infinity;
  }
  return {
    rows,
    columns,
    maxAbsDiff: maxAbs,
    meanAbsDiff: sumAbs / n,
    maxRelError: maxRef > 0 ? maxAbs / maxRef : maxAbs === 0 ? 0 : Infinity,
    top1Agreement: top1,
    relativeRmsDiff: relRms,
  };
}

/** Area under the ROC curve of `scores` for binary labels (0/1), ties counted half (Mann-Whitney U). */
export function auc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const idx = Array.from({ length: scores.length }, (_, i) => i).sort((i, j) => scores[i] - scores[j]);
  let pos = 0;
  let rankSum = 0;
  for (let i = 0; i < idx.length;) {
    let j = i;
    while (j + 1 < idx.length && scores[idx[j + 1]] === scores[idx[i]]) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) {
      if (labels[idx[k]] !== 1) continue;
      pos++;
      rankSum += rank;
    }
    i = j + 1;
  }
  const neg = idx.length - pos;
  if (pos === 0 || neg === 0) return NaN;
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}

/** The metric a label column gives for this kind of output, for the source and the candidate. */
export function compareMetric(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  rows: number,
  labels: Float64Array,
): MetricComparison {
  const cols = rows > 0 ? a.length / rows : 0;
  if (cols >= 2) {
    const binary = cols === 2 && labels.every((l) => l === 0 || l === 1);
    if (binary) {
      const sa = Float64Array.from({ length: rows }, (_, r) => a[r * 2 + 1]);
      const sb = Float64Array.from({ length: rows }, (_, r) => b[r * 2 + 1]);
      const [x, y] = [auc(sa, labels), auc(sb, labels)];
      return { name: 'auc', source: x, candidate: y, drop: x - y };
    }
    const acc = (v: ArrayLike<number>) => {
      const top = argmaxRows(v, rows, cols);
      let ok = 0;
      for (let r = 0; r < rows; r++) if (top[r] === labels[r]) ok++;
      return ok / Math.max(1, rows);
    };
    const [x, y] = [acc(a), acc(b)];
    return { name: 'accuracy', source: x, candidate: y, drop: x - y };
  }
  const rmse = (v: ArrayLike<number>) => {
    let s = 0;
    for (let r = 0; r < rows; r++) s += (v[r] - labels[r]) ** 2;
    return Math.sqrt(s / Math.max(1, rows));
  };
  const [x, y] = [rmse(a), rmse(b)];
  return { name: 'rmse', source: x, candidate: y, drop: y - x };
}
