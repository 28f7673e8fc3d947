import type { DriftMethod, DriftRule } from './result';

/**
 * Which test a feature gets by default, and how its score calls drift. These are the defaults of the
 * best-known open-source drift tool (Evidently), so results read the same as there:
 *
 *   reference <= 1000 values: numeric with > 5 unique values -> Kolmogorov-Smirnov   (drift when p <= 0.05)
 *                             numeric with 3-5 unique, categorical with > 2 -> chi-squared (p < 0.05)
 *                             two values (binary) -> two-proportion Z-test              (p < 0.05)
 *   reference  > 1000 values: numeric with > 5 unique -> Wasserstein-1 / reference std (drift when >= 0.1)
 *                             otherwise -> Jensen-Shannon distance, natural log         (drift when >= 0.1)
 *
 * Unique values are counted over both datasets. PSI is computed for every feature besides.
 */
export const SMALL_REFERENCE = 1000;

export const DEFAULT_THRESHOLDS: Readonly<Record<DriftMethod, number>> = {
  ks: 0.05,
  chisquare: 0.05,
  ztest: 0.05,
  wasserstein: 0.1,
  jensenshannon: 0.1,
  psi: 0.1,
};

export const METHOD_LABELS: Readonly<Record<DriftMethod, string>> = {
  ks: 'Kolmogorov–Smirnov',
  chisquare: 'chi-squared',
  ztest: 'Z-test (proportions)',
  wasserstein: 'Wasserstein (normed)',
  jensenshannon: 'Jensen–Shannon',
  psi: 'PSI',
};

export function ruleOf(method: DriftMethod): DriftRule {
  if (method === 'ks') return 'p<=';
  if (method === 'chisquare' || method === 'ztest') return 'p<';
  return '>=';
}

export function isPValueMethod(method: DriftMethod): boolean {
  return ruleOf(method) !== '>=';
}

/** Methods that need numbers (the others work on categories or bins). */
export function needsNumeric(method: DriftMethod): boolean {
  return method === 'ks' || method === 'wasserstein';
}

export function isDrifted(rule: DriftRule, score: number, threshold: number): boolean {
  if (rule === 'p<=') return score <= threshold;
  if (rule === 'p<') return score < threshold;
  return score >= threshold;
}

export function chooseMethod(
  kind: 'numeric' | 'categorical',
  referenceCount: number,
  unique: number,
  small = SMALL_REFERENCE,
): { method: DriftMethod; reason: string } {
  const size = referenceCount <= small ? `reference ≤ ${small} values` : `reference > ${small} values`;
  const what =
    kind === 'numeric'
      ? `numeric, ${unique} unique value${unique === 1 ? '' : 's'}`
      : `categorical, ${unique} categor${unique === 1 ? 'y' : 'ies'}`;
  const reason = `${size}; ${what}`;
  if (referenceCount <= small) {
    if (kind === 'numeric' && unique > 5) return { method: 'ks', reason };
    return { method: unique > 2 ? 'chisquare' : 'ztest', reason };
  }
  if (kind === 'numeric' && unique > 5) return { method: 'wasserstein', reason };
  return { method: 'jensenshannon', reason };
}
