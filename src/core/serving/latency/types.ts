/**
 * Latency over time of one endpoint or one model's prediction log, per version: what the Latency panel
 * draws. Times are milliseconds; `t` is epoch ms at the start of a point's interval.
 */
export interface LatencyPoint {
  t: number;
  /** Requests answered in the interval (successes and errors). */
  requests: number;
  errors: number;
  p50: number;
  p95: number;
  p99: number;
  /** Means over the interval's successes: waiting for a batch and a worker, and the model run. */
  queueMs: number;
  computeMs: number;
  /** Mean requests per model run that computed the interval's successes. */
  batchSize: number;
}

/** One version's series (one line per version: canary and shadow put a second one beside the first). */
export interface LatencyLine {
  version: number;
  /** 'canary' when the log says this version answered as a canary; else 'primary'. */
  role: 'primary' | 'canary';
  points: LatencyPoint[];
}

export interface LatencyTotals {
  requests: number;
  errors: number;
  /** Requests per second over the whole span. */
  perSecond: number;
  p50: number;
  p95: number;
  p99: number;
}

export interface LatencySnapshot {
  /** 'live': the running server's metrics and request latencies; 'log': the prediction log. */
  source: 'live' | 'log';
  /** The span drawn [from, to) and each point's width. */
  from: number;
  to: number;
  bucketMs: number;
  lines: LatencyLine[];
  totals: LatencyTotals;
  /** What the numbers cannot say (sampled log, skipped lines, estimated percentiles). */
  notes: string[];
}
