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

/** The part a version plays on an endpoint (--canary takes a share of the traffic, --shadow a copy of it). */
export type ServingRole = 'primary' | 'canary' | 'shadow';

/** A version in a role: what the endpoint serves (live), or what the log's records show. */
export interface RoleInfo {
  version: number;
  role: ServingRole;
  /** The canary's share of the traffic (0..1): as configured (live) or as answered (log); else null. */
  share: number | null;
}

/** One version's series (one line per version: canary and shadow put a second one beside the first). */
export interface LatencyLine {
  version: number;
  /**
   * The role its requests were answered in: from the log's records, or (live) the role the endpoint gave
   * the version when it was sampled. A shadow only has a line when requests named its version directly:
   * the copies it runs are compared, not timed.
   */
  role: ServingRole;
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
  /** Every version in a role over the span, primary first (the legend and summary name them by it). */
  roles: RoleInfo[];
  totals: LatencyTotals;
  /** What the numbers cannot say (sampled log, skipped lines, estimated percentiles). */
  notes: string[];
}
