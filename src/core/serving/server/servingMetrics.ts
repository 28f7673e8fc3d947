import type { RequestTiming, ServedVersion } from '../types';
import { type Cell, type Counter, type Gauge, type Histogram, type HistogramValue, MetricRegistry } from './prometheus';

/** Seconds buckets from 0.5 ms to 10 s: CPU inference of small models sits at the low end. */
const SECONDS_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const BATCH_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256];
const DIFF_BUCKETS = [1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1, 10];

/** Why a request failed, as a low-cardinality label (Triton's `reason` label does the same). */
export type FailureReason = 'invalid' | 'overloaded' | 'internal' | 'unavailable' | 'cancelled';

export type ShadowResult = 'agree' | 'disagree' | 'error';

/** Request latencies of one served version over an interval (ServingMetrics.takeRecentLatencies). */
export interface RecentLatencies {
  model: string;
  version: number;
  /** Milliseconds, at most RECENT_CAP of them (a uniform sample of `seen`). */
  ms: number[];
  seen: number;
}

const RECENT_CAP = 20_000;

/** The series a request of one served version updates, looked up once per version instead of per request. */
interface VersionCells {
  success: Cell;
  inferenceCount: Cell;
  execCount: Cell;
  duration: HistogramValue;
  queue: HistogramValue;
  compute: HistogramValue;
  batchSize: HistogramValue;
}

function versionLabels(v: ServedVersion): { model: string; version: string } {
  return { model: v.model, version: String(v.version) };
}

/**
 * The server's Prometheus metrics, named after Triton's (`nv_inference_*`) and Prometheus' conventions
 * (`_total` counters, `_seconds` histograms), labelled by model and version only.
 * Average rows per model run = mlops_inference_count_total / mlops_inference_exec_count_total.
 */
export class ServingMetrics {
  private recent: Map<string, RecentLatencies> | undefined;
  readonly registry = new MetricRegistry();
  private readonly success: Counter;
  private readonly failure: Counter;
  private readonly inferenceCount: Counter;
  private readonly execCount: Counter;
  private readonly duration: Histogram;
  private readonly queue: Histogram;
  private readonly compute: Histogram;
  private readonly batchSize: Histogram;
  private readonly pending: Gauge;
  private readonly shadow: Counter;
  private readonly shadowDiff: Histogram;
  private readonly swaps: Counter;
  private readonly servedVersion: Gauge;
  private readonly http: Counter;
  private readonly logDropped: Counter;
  /** Keyed by the ServedVersion object a runner keeps for its life (WeakMap: retired versions drop out). */
  private readonly cells = new WeakMap<ServedVersion, VersionCells>();
  private readonly pendingCells = new WeakMap<ServedVersion, Cell>();
  /** route -> status code -> series. */
  private readonly httpCells = new Map<string, Map<number, Cell>>();

  constructor() {
    const r = this.registry;
    const mv = ['model', 'version'] as const;
    this.success = r.counter('mlops_inference_request_success_total', 'Inference requests answered successfully.', mv);
    this.failure = r.counter(
      'mlops_inference_request_failure_total',
      'Inference requests that failed, by reason (invalid, overloaded, internal, unavailable, cancelled).',
      [...mv, 'reason'],
    );
    this.inferenceCount = r.counter(
      'mlops_inference_count_total',
      'Inferences computed: rows of the answered requests (a request of batch 4 counts 4).',
      mv,
    );
    this.execCount = r.counter(
      'mlops_inference_exec_count_total',
      'Model runs (batch executions); inference_count / exec_count is the average rows per run.',
      mv,
    );
    this.duration = r.histogram(
      'mlops_inference_request_duration_seconds',
      'Time from a request arriving to its answer being written.',
      mv,
      SECONDS_BUCKETS,
    );
    this.queue = r.histogram(
      'mlops_inference_queue_duration_seconds',
      'Time a request waited for a batch and a worker before its run started.',
      mv,
      SECONDS_BUCKETS,
    );
    this.compute = r.histogram(
      'mlops_inference_compute_duration_seconds',
      'Duration of the model run that computed a request.',
      mv,
      SECONDS_BUCKETS,
    );
    this.batchSize = r.histogram(
      'mlops_inference_batch_size',
      'Requests held by the model run that computed a request.',
      mv,
      BATCH_BUCKETS,
    );
    this.pending = r.gauge('mlops_inference_pending_requests', 'Inference requests received and not yet answered.', mv);
    this.shadow = r.counter(
      'mlops_shadow_requests_total',
      'Copies of requests run on the shadow version, by result (agree, disagree, error).',
      [...mv, 'shadow_version', 'result'],
    );
    this.shadowDiff = r.histogram(
      'mlops_shadow_max_abs_diff',
      'Largest absolute difference between the served and the shadow outputs of a request.',
      [...mv, 'shadow_version'],
      DIFF_BUCKETS,
    );
    this.swaps = r.counter('mlops_model_swaps_total', 'Times a served model switched version (an alias moved).', [
      'model',
      'role',
    ]);
    this.servedVersion = r.gauge(
      'mlops_model_served_version',
      'The version a model serves, per role (primary, canary, shadow).',
      ['model', 'role'],
    );
    this.http = r.counter('mlops_http_requests_total', 'HTTP requests by route and status code.', ['route', 'code']);
    this.logDropped = r.counter(
      'mlops_prediction_log_dropped_total',
      'Prediction records dropped because the log could not keep up or could not be written.',
      ['model'],
    );
  }

  /** The success series of a version (made on its first success, as a label lookup would). */
  private cellsOf(v: ServedVersion): VersionCells {
    let c = this.cells.get(v);
    if (!c) {
      const l = versionLabels(v);
      c = {
        success: this.success.cell(l),
        inferenceCount: this.inferenceCount.cell(l),
        execCount: this.execCount.cell(l),
        duration: this.duration.cell(l),
        queue: this.queue.cell(l),
        compute: this.compute.cell(l),
        batchSize: this.batchSize.cell(l),
      };
      this.cells.set(v, c);
    }
    return c;
  }

  private pendingOf(v: ServedVersion): Cell {
    let c = this.pendingCells.get(v);
    if (!c) this.pendingCells.set(v, (c = this.pending.cell(versionLabels(v))));
    return c;
  }

  started(v: ServedVersion): void {
    this.pendingOf(v).v++;
  }

  finished(v: ServedVersion): void {
    this.pendingOf(v).v--;
  }

  /**
   * Request latencies (ms) per served version since the last call: exact percentiles for a live view (the
   * Latency panel samples every 2 s). Nothing is kept until the first call; then at most RECENT_CAP per
   * version and interval (a uniform sample past that).
   */
  takeRecentLatencies(): RecentLatencies[] {
    const out = [...(this.recent?.values() ?? [])];
    this.recent = new Map();
    return out;
  }

  private remember(v: ServedVersion, ms: number): void {
    if (!this.recent) return;
    const key = `${v.model}\u0000${v.version}`;
    let r = this.recent.get(key);
    if (!r) this.recent.set(key, (r = { model: v.model, version: v.version, ms: [], seen: 0 }));
    r.seen++;
    if (r.ms.length < RECENT_CAP) r.ms.push(ms);
    else {
      const j = Math.floor(Math.random() * r.seen);
      if (j < RECENT_CAP) r.ms[j] = ms;
    }
  }

  /** `rows`: the request's first-dimension size (Triton counts a batch-4 request as 4 inferences). */
  succeeded(v: ServedVersion, t: RequestTiming, rows: number): void {
    this.remember(v, t.totalMs);
    const c = this.cellsOf(v);
    c.success.v++;
    c.inferenceCount.v += rows;
    // A run counts once, on its first request: whole numbers, where adding 1/n per request gave
    // 4196.999999999 (rounding) or 5042.67 (a client gone before its answer was written).
    if (t.firstInRun ?? true) c.execCount.v++;
    this.duration.observeIn(c.duration, t.totalMs / 1000);
    this.queue.observeIn(c.queue, t.queueMs / 1000);
    this.compute.observeIn(c.compute, t.computeMs / 1000);
    this.batchSize.observeIn(c.batchSize, t.batchSize);
  }

  failed(v: ServedVersion, reason: FailureReason, totalMs: number): void {
    this.remember(v, totalMs);
    const l = versionLabels(v);
    this.failure.inc({ ...l, reason });
    this.duration.observe(l, totalMs / 1000);
  }

  shadowed(primary: ServedVersion, shadowVersion: number, result: ShadowResult, maxAbsDiff?: number): void {
    const l = { ...versionLabels(primary), shadow_version: String(shadowVersion) };
    this.shadow.inc({ ...l, result });
    if (maxAbsDiff !== undefined) this.shadowDiff.observe(l, maxAbsDiff);
  }

  swapped(model: string, role: string, version: number, counted: boolean): void {
    if (counted) this.swaps.inc({ model, role });
    this.servedVersion.set({ model, role }, version);
  }

  httpRequest(route: string, code: number): void {
    let byCode = this.httpCells.get(route);
    if (!byCode) this.httpCells.set(route, (byCode = new Map()));
    let cell = byCode.get(code);
    if (!cell) byCode.set(code, (cell = this.http.cell({ route, code: String(code) })));
    cell.v++;
  }

  logDrop(model: string, n = 1): void {
    this.logDropped.inc({ model }, n);
  }

  render(): string {
    return this.registry.render();
  }
}
