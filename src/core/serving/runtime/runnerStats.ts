/**
 * A runner's counters, read by the server's /metrics (names follow Triton's: inference count = rows,
 * execution count = runs, so average batch rows = inferenceCount / executionCount). Counters only grow;
 * `queued`, `inFlight` and `pending` are gauges read at the time of the call. Times are milliseconds.
 */
export interface RunnerStats {
  /** Requests answered with outputs. */
  requestSuccess: number;
  /** Accepted requests that then failed: runtime error, worker crash, cancellation. */
  requestFailure: number;
  /** Requests refused before queueing because they did not match the signature (INVALID_ARGUMENT). */
  requestInvalid: number;
  /** Requests refused because the queue was full (OVERLOADED). */
  requestOverloaded: number;
  /** Rows computed (first-dimension sizes of the answered requests; 1 per request for unbatchable models). */
  inferenceCount: number;
  /** Runs of the model (one per batch). */
  executionCount: number;
  /** Requests per run -> number of runs of that size (the batch-size distribution). */
  batchSizes: Record<number, number>;
  /** Sum over answered requests of arrival -> start of the run that computed them. */
  queueMsTotal: number;
  /** Sum over answered requests of their run's duration (each request counts its whole batch's run). */
  computeMsTotal: number;
  /** Sum over runs of the run's duration (dispatch to result, including the transfer to the worker). */
  executionMsTotal: number;
  /** Requests waiting in the queue. */
  queued: number;
  /** Requests in runs that have not finished. */
  inFlight: number;
  /** queued + inFlight (Triton's pending request count). */
  pending: number;
}

export type RunnerCounters = Omit<RunnerStats, 'queued' | 'inFlight' | 'pending'>;

export function newCounters(): RunnerCounters {
  return {
    requestSuccess: 0,
    requestFailure: 0,
    requestInvalid: 0,
    requestOverloaded: 0,
    inferenceCount: 0,
    executionCount: 0,
    batchSizes: {},
    queueMsTotal: 0,
    computeMsTotal: 0,
    executionMsTotal: 0,
  };
}
