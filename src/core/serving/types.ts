/**
 * The serving vocabulary, shared by the server, the load tester, the prediction log, the panels (through
 * src/shared) and the quantize-and-compare and monitoring features. Wire shapes follow the Open Inference
 * Protocol v2 (KServe / Triton / MLServer) so their clients work unchanged; times are milliseconds unless
 * a name says otherwise.
 */

/** OIP v2 tensor datatypes. */
export type Datatype =
  | 'BOOL'
  | 'UINT8'
  | 'UINT16'
  | 'UINT32'
  | 'UINT64'
  | 'INT8'
  | 'INT16'
  | 'INT32'
  | 'INT64'
  | 'FP16'
  | 'FP32'
  | 'FP64'
  | 'BYTES';

/** Scalar parameter values OIP v2 allows in `parameters`. */
export type ParameterValue = string | number | boolean;

/** One input tensor of an OIP v2 inference request, as it arrives (data flat or nested, row-major). */
export interface RequestInput {
  name: string;
  shape: number[];
  datatype: Datatype;
  data: unknown;
  parameters?: Record<string, ParameterValue>;
}

/** An OIP v2 inference request. */
export interface InferRequest {
  id?: string;
  inputs: RequestInput[];
  /** Outputs to return; all of them when absent. */
  outputs?: { name: string; parameters?: Record<string, ParameterValue> }[];
  parameters?: Record<string, ParameterValue>;
}

/** One output tensor of an OIP v2 response: `data` is always flat, row-major. */
export interface ResponseOutput {
  name: string;
  shape: number[];
  datatype: Datatype;
  data: number[] | string[] | boolean[];
}

/** An OIP v2 inference response. */
export interface InferResponse {
  model_name: string;
  model_version: string;
  id?: string;
  parameters?: Record<string, ParameterValue>;
  outputs: ResponseOutput[];
}

/** Which model version a server answers for: the registry's name and version, or a bare file's name. */
export interface ServedVersion {
  model: string;
  /** Version number in the registry; 0 for a bare .onnx file served without a registry. */
  version: number;
  sha256: string;
}

/** Where the time of one answered request went (server side). */
export interface RequestTiming {
  /** Arrival to the start of the run that computed it (waiting for a batch and a worker). */
  queueMs: number;
  /** The run itself (the whole batch's run, shared by the requests in it). */
  computeMs: number;
  /** Arrival to the response being written. */
  totalMs: number;
  /** How many requests the run that computed this one held (1 without batching). */
  batchSize: number;
  /** The first request of its run: /metrics counts the run once, on it (unset: every request is a run). */
  firstInRun?: boolean;
}

/**
 * Runs inference for one model version: the HTTP server's engine and the load tester's in-process target
 * implement it, so `mlops loadtest --in-process` and quantize-and-compare measure the model alone through
 * the same code the server uses.
 */
export interface ModelRunner {
  readonly served: ServedVersion;
  infer(request: InferRequest, signal?: AbortSignal): Promise<{ response: InferResponse; timing: RequestTiming }>;
  close(): Promise<void>;
}

/** One line of the prediction log (`.mlops/predictions/<model>/*.jsonl`). */
export interface PredictionRecord {
  /** ISO-8601 time the request arrived. */
  ts: string;
  model: string;
  version: number;
  /** The request's `id` when it had one. */
  id?: string;
  /** HTTP status of the answer. */
  status: number;
  /** Input name -> flat values, with the shape alongside so a reader can make rows. */
  inputs: Record<string, { shape: number[]; data: unknown[] }>;
  /** Output name -> flat values; absent when the request failed. */
  outputs?: Record<string, { shape: number[]; data: unknown[] }>;
  latencyMs: number;
  queueMs: number;
  computeMs: number;
  batchSize: number;
  /** Which route answered: 'oip' (/v2/.../infer) or 'mlflow' (/invocations). */
  protocol: 'oip' | 'mlflow';
  /** Canary / shadow: the role of the version that answered ('primary' when neither is on). */
  role?: 'primary' | 'canary';
  /** Shadow run on a copy of the request: its version and whether its outputs agreed with the answer's. */
  shadow?: { version: number; agreed: boolean; maxAbsDiff: number };
  error?: string;
}

/** Latency percentiles of a set of requests, in milliseconds (from an HDR histogram). */
export interface LatencySummary {
  count: number;
  min: number;
  mean: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  p999: number;
  max: number;
}

/** One second of a load test, for latency-over-time and throughput-over-time charts. */
export interface LoadTestSecond {
  /** Seconds since the measured part of the run began. */
  t: number;
  requests: number;
  errors: number;
  p50: number;
  p95: number;
  p99: number;
}

/** How a load test drove its target. */
export interface LoadTestPlan {
  /** Closed loop: `concurrency` senders, each sending its next request when the last one is answered. */
  mode: 'closed' | 'open';
  concurrency: number;
  /** Open loop: requests per second, latency measured from each request's intended send time. */
  rate?: number;
  /** Stop after this many measured requests, or after `durationMs`, whichever the plan sets. */
  requests?: number;
  durationMs?: number;
  warmupRequests: number;
  /** Rows (first-dimension entries) per request, when the requests are batches; informational. */
  batch?: number;
}

/** The result of `mlops loadtest` and the panel's load test. */
export interface LoadTestReport {
  target: string;
  plan: LoadTestPlan;
  startedAt: string;
  durationMs: number;
  /** Answered requests (successes and errors) per second of the measured part. */
  throughput: number;
  latency: LatencySummary;
  /** Error kind ('http_503', 'http_400', 'timeout', 'connection', ...) -> count. */
  errors: Record<string, number>;
  /** Error kind -> the first message the server or runtime gave for it (absent when none said anything). */
  errorSamples?: Record<string, string>;
  errorCount: number;
  perSecond: LoadTestSecond[];
  /** Log-spaced latency histogram (upper bound in ms -> count), for the panel's histogram. */
  histogram: { le: number; count: number }[];
  /** Whether the run was stopped early (Ctrl-C, Cancel). */
  cancelled: boolean;
  /**
   * Open loop only: requests sent more than 10 ms after their intended time (the generator or its
   * connection limit could not keep up; their latency still counts from the intended time).
   */
  lateSends?: number;
  /** Open loop only: the largest delay between a request's intended and actual send time, ms. */
  maxSendLagMs?: number;
}
