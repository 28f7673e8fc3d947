import type { MetricComparison, OutputAgreement } from './accuracy';

/**
 * The rule that decides whether a rewritten model is worth keeping, as the user set it:
 * - faster by at least `minSpeedup` (p50 at the serving batch size; default 1.1x), and
 * - accurate enough: with labels, the metric (accuracy / AUC / RMSE) drops by at most `maxAccuracyDrop`
 *   (default 0.005); without labels, for class scores at most that share of top-1 predictions changes
 *   (default 0.01, i.e. agreement >= 99%), for regression values the RMS difference is at most that
 *   share of the outputs' standard deviation (default 0.01).
 * The CLI, the extension and the benchmark all call `decide` rather than re-deriving it.
 */
export interface VerdictRule {
  minSpeedup: number;
  /** Undefined: the default of whichever criterion applies (0.005 for a metric, 0.01 otherwise). */
  maxAccuracyDrop?: number;
}

export const DEFAULT_MIN_SPEEDUP = 1.1;
export const DEFAULT_METRIC_DROP = 0.005;
export const DEFAULT_OUTPUT_CHANGE = 0.01;

export interface Tolerance {
  ok: boolean;
  /** 'metric' | 'top1' | 'rms'. */
  criterion: 'metric' | 'top1' | 'rms';
  /** The measured loss on that criterion (metric drop, share of changed top-1, relative RMS diff). */
  loss: number;
  limit: number;
  /** "top-1 agreement 99.6% (needs >= 99%)". */
  text: string;
}

const pct = (x: number) => `${(x * 100).toFixed(x > 0.999 && x < 1 ? 2 : 1)}%`;

export function tolerance(a: OutputAgreement, metric: MetricComparison | undefined, rule: VerdictRule): Tolerance {
  if (metric) {
    const limit = rule.maxAccuracyDrop ?? DEFAULT_METRIC_DROP;
    const loss = Number.isNaN(metric.drop) ? Infinity : metric.drop;
    const ok = loss <= limit;
    const text = `${metric.name} ${metric.source.toFixed(4)} -> ${metric.candidate.toFixed(4)} (${metric.name === 'rmse' ? 'rise' : 'drop'} ${loss.toFixed(4)}, allowed ${limit})`;
    return { ok, criterion: 'metric', loss, limit, text };
  }
  const limit = rule.maxAccuracyDrop ?? DEFAULT_OUTPUT_CHANGE;
  if (a.top1Agreement !== null) {
    const loss = 1 - a.top1Agreement;
    return {
      ok: loss <= limit + 1e-12,
      criterion: 'top1',
      loss,
      limit,
      text: `top-1 agreement ${pct(a.top1Agreement)} (needs >= ${pct(1 - limit)})`,
    };
  }
  const loss = a.relativeRmsDiff ?? Infinity;
  return {
    ok: loss <= limit,
    criterion: 'rms',
    loss,
    limit,
    text: `output RMS difference ${pct(loss)} of the outputs' spread (allowed ${pct(limit)})`,
  };
}

export interface Verdict {
  keep: boolean;
  /** One sentence: what was decided and why. */
  sentence: string;
  reasons: string[];
  rule: VerdictRule;
}

export interface Judged {
  optimization: string;
  /** p50 speedup at the serving batch size. */
  speedup: number;
  servingBatch: number;
  tolerance: Tolerance;
}

export function decide(c: Judged | undefined, rule: VerdictRule): Verdict {
  if (!c) return { keep: false, sentence: 'Not worth it: no candidate could be measured.', reasons: [], rule };
  const reasons: string[] = [];
  const x = `${c.speedup.toFixed(2)}x`;
  if (!(c.speedup >= rule.minSpeedup))
    reasons.push(`${x} at batch ${c.servingBatch} is below the required ${rule.minSpeedup}x`);
  if (!c.tolerance.ok) reasons.push(`accuracy out of tolerance: ${c.tolerance.text}`);
  if (reasons.length === 0)
    return {
      keep: true,
      sentence: `Worth it: ${c.optimization} is ${c.speedup >= 1 ? `${x} faster` : `slower (${x} the source's speed), which the rule allows,`} at batch ${c.servingBatch} with ${c.tolerance.text}.`,
      reasons,
      rule,
    };
  return { keep: false, sentence: `Not worth it: ${c.optimization}: ${reasons.join('; ')}.`, reasons, rule };
}
