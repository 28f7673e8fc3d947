import { hasFields, isArrayOf, isBoolean, isNullableNumber, isNumber, isRecord, isString, oneOf } from './validate';

/**
 * The one contract between the test-serving panel (webview/serving) and its host (src/extension/serving).
 * One discriminated union per direction, validated on receipt by both sides. Handshake as in the drift
 * panel: the webview posts `ready` when its script has started; the host then posts its latest state
 * (and again on every `ready`: a panel hidden and shown again starts a new script). The webview never
 * talks to the endpoint itself: it posts `send` / `loadTest` and the host makes the HTTP calls.
 */
export const SERVING_PROTOCOL = 1;

export const DATATYPES = [
  'BOOL',
  'UINT8',
  'UINT16',
  'UINT32',
  'UINT64',
  'INT8',
  'INT16',
  'INT32',
  'INT64',
  'FP16',
  'FP32',
  'FP64',
  'BYTES',
] as const;
export type TensorDatatype = (typeof DATATYPES)[number];

/** An input or output as the signature declares it; null = a dim of any size. */
export interface TensorSpec {
  name: string;
  datatype: TensorDatatype;
  shape: (number | null)[];
}

/** One input of an OIP v2 request: flat row-major data. */
export interface RequestInput {
  name: string;
  datatype: TensorDatatype;
  shape: number[];
  data: (number | boolean | string)[];
}

export interface InferRequestBody {
  inputs: RequestInput[];
}

/** What the panel shows about its endpoint (the URL already passed through env.asExternalUri). */
export interface EndpointView {
  label: string;
  model: string;
  url: string;
  running: boolean;
  inputs: TensorSpec[];
  outputs: TensorSpec[];
  /** A valid request to pre-fill the form with, and where it came from ("first row of train.csv"). */
  example: InferRequestBody;
  exampleSource: string;
  /** Other versions of the model in the registry, to Compare with (none for a bare .onnx file). */
  versions?: { version: number; label: string }[];
}

export interface OutputTensor {
  name: string;
  datatype: string;
  shape: number[];
  data: (number | boolean | string)[];
}

export type InferOutcome =
  | { id: number; ok: true; status: number; latencyMs: number; modelVersion: string | null; outputs: OutputTensor[] }
  | { id: number; ok: false; status: number | null; latencyMs: number; message: string };

export interface LoadTestParams {
  mode: 'closed' | 'open';
  /** Closed loop: senders; open loop: connections at most. */
  concurrency: number;
  /** Open loop only: requests per second. */
  rate: number | null;
  durationMs: number;
  /** A CSV / JSONL / Parquet file of the workspace (relative path) whose rows make the requests; null = generated. */
  data?: string | null;
}

/** What the panel shows of a comparison (core/serving/compare.ts): latency side by side and output agreement. */
export interface CompareSideView {
  label: string;
  count: number;
  errors: number;
  firstError: string | null;
  p50: number;
  p95: number;
  p99: number;
  mean: number;
  max: number;
}

export interface CompareView {
  a: CompareSideView;
  b: CompareSideView;
  requests: number;
  compared: number;
  /** null when some output differs in shape or exists on one side only (see `mismatched`). */
  maxAbsDiff: number | null;
  top1: { equal: number; rows: number; share: number } | null;
  mismatched: string[];
  cancelled: boolean;
  /** Where the requests came from ("100 generated examples", "250 rows of data/val.csv"). */
  source: string;
}

export interface CompareParams {
  /** The other version of the endpoint's model. */
  version: number;
  requests: number;
  data: string | null;
}

export const COMPARE_REQUESTS = { min: 1, max: 10_000, default: 200 } as const;

/** The part of a load test report the panel draws (nothing more crosses the boundary). */
export interface LoadTestView {
  durationMs: number;
  throughput: number;
  latency: { count: number; p50: number; p90: number; p95: number; p99: number; max: number; mean: number };
  errorCount: number;
  errors: Record<string, number>;
  cancelled: boolean;
  histogram: { le: number; count: number }[];
  perSecond: { t: number; requests: number; errors: number; p50: number; p95: number; p99: number }[];
}

export type HostToWebview =
  | { type: 'endpoint'; endpoint: EndpointView }
  | { type: 'inferResult'; outcome: InferOutcome }
  | { type: 'loadProgress'; fraction: number; completed: number; errors: number; elapsedMs: number }
  | { type: 'loadResult'; report: LoadTestView }
  /** `field: 'data'`: the data file is missing or unusable; shown next to the data field (nothing was sent). */
  | { type: 'loadError'; message: string; field?: 'data' }
  /** The workspace file the user picked for the data field. */
  | { type: 'dataFile'; path: string }
  | { type: 'compareProgress'; done: number; total: number }
  | { type: 'compareResult'; result: CompareView }
  | { type: 'compareError'; message: string; field?: 'data' | 'version' };

export type WebviewToHost =
  | { type: 'ready'; protocol: typeof SERVING_PROTOCOL }
  | { type: 'send'; id: number; request: InferRequestBody }
  | { type: 'copyCurl'; request: InferRequestBody }
  | { type: 'loadTest'; params: LoadTestParams }
  | { type: 'cancelLoadTest' }
  /** Pick a data file of the workspace for the data field (the host answers with `dataFile`). */
  | { type: 'pickDataFile' }
  | { type: 'compare'; params: CompareParams }
  | { type: 'cancelCompare' }
  /** Save the last load test's full report (JSON) or its per-second series (CSV) where the user chooses. */
  | { type: 'exportLoadTest'; format: 'json' | 'csv' }
  /** After drawing: what the webview drew (the host and the integration suite know what the user sees). */
  | { type: 'rendered'; what: 'inference' | 'loadtest' | 'compare'; rows: number; charts: string[] };

/** Bounds the panel enforces on a load test (the engine's PLAN_LIMITS are wider). */
export const LOAD_LIMITS = {
  concurrency: { min: 1, max: 1000 },
  rate: { min: 1, max: 100_000 },
  durationMs: { min: 1000, max: 600_000 },
} as const;

const isDatatype = oneOf(...DATATYPES);
const isDim = (v: unknown): v is number | null => v === null || (isNumber(v) && Number.isInteger(v) && v >= 0);
const isSize = (v: unknown): v is number => isNumber(v) && Number.isInteger(v) && v >= 0;
const isSpec = hasFields<TensorSpec>({ name: isString, datatype: isDatatype, shape: isArrayOf(isDim) as never });
const isValue = (v: unknown): v is number | boolean | string => isNumber(v) || isBoolean(v) || isString(v);
const isInput = hasFields<RequestInput>({
  name: isString,
  datatype: isDatatype,
  shape: isArrayOf(isSize) as never,
  data: isArrayOf(isValue),
});
export const isRequestBody = (v: unknown): v is InferRequestBody =>
  isRecord(v) && Array.isArray(v.inputs) && v.inputs.length > 0 && v.inputs.every(isInput);
const isOutput = hasFields<OutputTensor>({
  name: isString,
  datatype: isString,
  shape: isArrayOf(isSize) as never,
  data: isArrayOf(isValue),
});
const isEndpoint = (v: unknown): v is EndpointView =>
  hasFields<Omit<EndpointView, 'example'>>({
    label: isString,
    model: isString,
    url: isString,
    running: isBoolean,
    inputs: isArrayOf(isSpec),
    outputs: isArrayOf(isSpec),
    exampleSource: isString,
  })(v) &&
  isRequestBody((v as unknown as Record<string, unknown>).example) &&
  (v.versions === undefined || isArrayOf(hasFields({ version: isNumber, label: isString }))(v.versions));
const isOutcome = (v: unknown): v is InferOutcome =>
  isRecord(v) &&
  isNumber(v.id) &&
  isNumber(v.latencyMs) &&
  (v.ok === true
    ? isNumber(v.status) && (v.modelVersion === null || isString(v.modelVersion)) && isArrayOf(isOutput)(v.outputs)
    : v.ok === false && isNullableNumber(v.status) && isString(v.message));
const isSecond = hasFields<LoadTestView['perSecond'][number]>({
  t: isNumber,
  requests: isNumber,
  errors: isNumber,
  p50: isNumber,
  p95: isNumber,
  p99: isNumber,
});
const isLoadTestHead = hasFields<Omit<LoadTestView, 'errors' | 'latency'>>({
  durationMs: isNumber,
  throughput: isNumber,
  errorCount: isNumber,
  cancelled: isBoolean,
  histogram: isArrayOf(hasFields<{ le: number; count: number }>({ le: isNumber, count: isNumber })),
  perSecond: isArrayOf(isSecond),
});
const isLatency = hasFields<LoadTestView['latency']>({
  count: isNumber,
  p50: isNumber,
  p90: isNumber,
  p95: isNumber,
  p99: isNumber,
  max: isNumber,
  mean: isNumber,
});
export function isLoadTestView(v: unknown): v is LoadTestView {
  if (!isRecord(v) || !isLoadTestHead(v)) return false;
  const r = v as unknown as Record<string, unknown>;
  return isRecord(r.errors) && Object.values(r.errors).every(isNumber) && isLatency(r.latency);
}

/** Null when the parameters are within LOAD_LIMITS, else the sentence saying which is not. */
export function loadParamsProblem(p: LoadTestParams): string | null {
  const out = (what: string, v: number, lim: { min: number; max: number }) =>
    !Number.isFinite(v) || v < lim.min || v > lim.max ? `${what} must be between ${lim.min} and ${lim.max}.` : null;
  return (
    out('Concurrency', p.concurrency, LOAD_LIMITS.concurrency) ??
    (p.mode === 'open' ? out('Rate', p.rate ?? NaN, LOAD_LIMITS.rate) : null) ??
    out('Duration (ms)', p.durationMs, LOAD_LIMITS.durationMs)
  );
}

/** A data field's text: a workspace-relative path (no "..", not absolute), or null for generated data. */
export const isDataPath = (v: unknown): v is string | null =>
  v === null ||
  (isString(v) &&
    v.trim() !== '' &&
    v.length <= 1024 &&
    !/^([\\/]|[a-zA-Z]:)/.test(v) &&
    !/(^|[\\/])\.\.([\\/]|$)/.test(v));

const isParams = (v: unknown): v is LoadTestParams =>
  isRecord(v) &&
  (v.mode === 'closed' || v.mode === 'open') &&
  isNumber(v.concurrency) &&
  isNullableNumber(v.rate) &&
  isNumber(v.durationMs) &&
  (v.data === undefined || isDataPath(v.data)) &&
  loadParamsProblem(v as unknown as LoadTestParams) === null;

export function compareParamsProblem(p: CompareParams): string | null {
  if (!Number.isInteger(p.version) || p.version < 1) return 'Choose the version to compare with.';
  if (!Number.isInteger(p.requests) || p.requests < COMPARE_REQUESTS.min || p.requests > COMPARE_REQUESTS.max)
    return `Requests must be between ${COMPARE_REQUESTS.min} and ${COMPARE_REQUESTS.max}.`;
  return null;
}

const isCompareParams = (v: unknown): v is CompareParams =>
  isRecord(v) &&
  isNumber(v.version) &&
  isNumber(v.requests) &&
  isDataPath(v.data) &&
  compareParamsProblem(v as unknown as CompareParams) === null;

const isSideView = hasFields<CompareSideView>({
  label: isString,
  count: isNumber,
  errors: isNumber,
  firstError: (x: unknown): x is string | null => x === null || isString(x),
  p50: isNumber,
  p95: isNumber,
  p99: isNumber,
  mean: isNumber,
  max: isNumber,
});
export const isCompareView = hasFields<CompareView>({
  a: isSideView,
  b: isSideView,
  requests: isNumber,
  compared: isNumber,
  maxAbsDiff: isNullableNumber,
  top1: (x: unknown): x is CompareView['top1'] =>
    x === null || hasFields({ equal: isNumber, rows: isNumber, share: isNumber })(x),
  mismatched: isArrayOf(isString),
  cancelled: isBoolean,
  source: isString,
});

export function parseHostMessage(v: unknown): HostToWebview | undefined {
  if (!isRecord(v)) return undefined;
  switch (v.type) {
    case 'endpoint':
      return isEndpoint(v.endpoint) ? { type: 'endpoint', endpoint: v.endpoint } : undefined;
    case 'inferResult':
      return isOutcome(v.outcome) ? { type: 'inferResult', outcome: v.outcome } : undefined;
    case 'loadProgress':
      return isNumber(v.fraction) && isNumber(v.completed) && isNumber(v.errors) && isNumber(v.elapsedMs)
        ? {
            type: 'loadProgress',
            fraction: v.fraction,
            completed: v.completed,
            errors: v.errors,
            elapsedMs: v.elapsedMs,
          }
        : undefined;
    case 'loadResult':
      return isLoadTestView(v.report) ? { type: 'loadResult', report: v.report } : undefined;
    case 'loadError':
      return isString(v.message) && (v.field === undefined || v.field === 'data')
        ? { type: 'loadError', message: v.message, ...(v.field ? { field: v.field } : {}) }
        : undefined;
    case 'dataFile':
      return isDataPath(v.path) && v.path !== null ? { type: 'dataFile', path: v.path } : undefined;
    case 'compareProgress':
      return isNumber(v.done) && isNumber(v.total)
        ? { type: 'compareProgress', done: v.done, total: v.total }
        : undefined;
    case 'compareResult':
      return isCompareView(v.result) ? { type: 'compareResult', result: v.result } : undefined;
    case 'compareError':
      return isString(v.message) && (v.field === undefined || v.field === 'data' || v.field === 'version')
        ? { type: 'compareError', message: v.message, ...(v.field ? { field: v.field } : {}) }
        : undefined;
    default:
      return undefined;
  }
}

export function parseWebviewMessage(v: unknown): WebviewToHost | undefined {
  if (!isRecord(v)) return undefined;
  switch (v.type) {
    case 'ready':
      return v.protocol === SERVING_PROTOCOL ? { type: 'ready', protocol: SERVING_PROTOCOL } : undefined;
    case 'send':
      return isNumber(v.id) && isRequestBody(v.request) ? { type: 'send', id: v.id, request: v.request } : undefined;
    case 'copyCurl':
      return isRequestBody(v.request) ? { type: 'copyCurl', request: v.request } : undefined;
    case 'loadTest':
      return isParams(v.params) ? { type: 'loadTest', params: v.params } : undefined;
    case 'cancelLoadTest':
      return { type: 'cancelLoadTest' };
    case 'pickDataFile':
      return { type: 'pickDataFile' };
    case 'compare':
      return isCompareParams(v.params) ? { type: 'compare', params: v.params } : undefined;
    case 'cancelCompare':
      return { type: 'cancelCompare' };
    case 'exportLoadTest':
      return v.format === 'json' || v.format === 'csv' ? { type: 'exportLoadTest', format: v.format } : undefined;
    case 'rendered':
      return (v.what === 'inference' || v.what === 'loadtest' || v.what === 'compare') &&
        isSize(v.rows) &&
        isArrayOf(isString)(v.charts)
        ? { type: 'rendered', what: v.what, rows: v.rows as number, charts: v.charts }
        : undefined;
    default:
      return undefined;
  }
}

/** What the webview keeps with setState, so a hidden panel comes back as it was. */
export interface ServingViewState {
  protocol: typeof SERVING_PROTOCOL;
  mode: 'form' | 'json';
  /** The form's field texts by input name, and the JSON editor's text. */
  fields: Record<string, string>;
  json: string;
  history: { at: string; request: InferRequestBody; outcome: InferOutcome }[];
  load: LoadTestParams;
  lastReport: LoadTestView | null;
  /** The Compare form (version chosen, requests) and its last result. */
  compare?: { version: number | null; requests: number };
  lastCompare?: CompareView | null;
}

export const HISTORY_SIZE = 10;

export function parseViewState(v: unknown): ServingViewState | undefined {
  if (!isRecord(v) || v.protocol !== SERVING_PROTOCOL) return undefined;
  const fields =
    isRecord(v.fields) && Object.values(v.fields).every(isString) ? (v.fields as Record<string, string>) : {};
  const history = Array.isArray(v.history)
    ? (v.history as unknown[])
        .filter(
          (h): h is ServingViewState['history'][number] =>
            isRecord(h) && isString(h.at) && isRequestBody(h.request) && isOutcome(h.outcome),
        )
        .slice(0, HISTORY_SIZE)
    : [];
  return {
    protocol: SERVING_PROTOCOL,
    mode: v.mode === 'json' ? 'json' : 'form',
    fields,
    json: isString(v.json) ? v.json : '',
    history,
    load: isParams(v.load) ? v.load : DEFAULT_LOAD,
    lastReport: isLoadTestView(v.lastReport) ? v.lastReport : null,
    compare:
      isRecord(v.compare) && isNullableNumber(v.compare.version) && isNumber(v.compare.requests)
        ? { version: v.compare.version, requests: v.compare.requests }
        : { version: null, requests: COMPARE_REQUESTS.default },
    lastCompare: isCompareView(v.lastCompare) ? v.lastCompare : null,
  };
}

export const DEFAULT_LOAD: LoadTestParams = {
  mode: 'closed',
  concurrency: 8,
  rate: null,
  durationMs: 10_000,
  data: null,
};
