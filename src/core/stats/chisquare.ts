import { chi2Sf } from './special';

/**
 * Pearson's chi-squared goodness-of-fit test, as scipy.stats.chisquare(f_obs, f_exp): statistic
 * sum (o - e)^2 / e with k - 1 degrees of freedom. An expected count of 0 with observations gives an
 * infinite statistic (p = 0).
 */
export function chiSquare(
  observed: readonly number[],
  expected: readonly number[],
): { statistic: number; pValue: number; df: number } {
  let stat = 0;
  for (let i = 0; i < observed.length; i++) {
    const o = observed[i];
    const e = expected[i];
    if (e === 0) {
      if (o !== 0) stat = Infinity;
      continue;
    }
    stat += ((o - e) * (o - e)) / e;
  }
  const df = observed.length - 1;
  // One category carries no information: nothing can differ.
  const pValue = df < 1 ? 1 : stat === Infinity ? 0 : chi2Sf(stat, df);
  return { statistic: stat, pValue, df };
}
