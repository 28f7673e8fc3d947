import type { LiveRunner } from '../deploy/liveRunner';
import { compareOutputs } from '../deploy/agreement';
import type { ModelSet } from '../deploy/modelSet';
import type { ServedModel } from '../deploy/servedModel';
import type { PredictionLog } from '../predlog/writer';
import type { InferRequest, InferResponse, PredictionRecord, RequestTiming } from '../types';
import { failureReason, HttpError, toHttpError } from './httpError';
import type { ServingMetrics } from './servingMetrics';
import type { WindowStats } from './windowStats';

export interface Answered {
  response: InferResponse;
  timing: RequestTiming;
  live: LiveRunner;
  role: 'primary' | 'canary';
  model: ServedModel;
}

export interface RequestMeta {
  protocol: 'oip' | 'mlflow';
  /** Epoch ms the request arrived, and performance.now() then. */
  arrivedAt: number;
  arrivedPerf: number;
}

/** The model (and version) a request names: 404 when it is not served. */
export function findModel(
  models: ModelSet,
  name: string,
  version?: string,
): { model: ServedModel; live?: LiveRunner; role?: 'primary' | 'canary' } {
  const model = models.get(name);
  if (!model) {
    const served = [...models.models.keys()].join(', ');
    throw new HttpError(404, `Model "${name}" is not served here (served: ${served}).`);
  }
  if (version === undefined || version === '') return { model };
  const n = /^\d+$/.test(version) ? Number(version) : NaN;
  const hit = Number.isNaN(n) ? undefined : model.byVersion(n);
  if (!hit) {
    throw new HttpError(
      404,
      `Version ${version} of model "${name}" is not served here (served versions: ${model.versions().join(', ')}).`,
    );
  }
  return { model, ...hit };
}

/**
 * Flat values of a tensor given flat or nested (row-major), for the prediction log. Binary tensor data
 * arrives as typed arrays: the log holds plain JSON values (BOOL bytes as booleans, 64-bit integers as
 * numbers) so its readers see the same record whichever way the client sent it.
 */
function flat(data: unknown, datatype: unknown): unknown[] {
  if (ArrayBuffer.isView(data)) {
    const values = data as unknown as ArrayLike<number | bigint>;
    return datatype === 'BOOL' ? Array.from(values, (v) => v !== 0) : Array.from(values, Number);
  }
  if (!Array.isArray(data)) return data === undefined ? [] : [data];
  return data.some(Array.isArray) ? (data.flat(Infinity) as unknown[]) : data;
}

/**
 * Runs requests on the served models and accounts for them: metrics, the CLI's window, the prediction
 * log and shadow comparisons. The accounting happens after the answer is written (`answered` /
 * `failed`), so it never delays a response.
 */
export class InferenceService {
  constructor(
    readonly models: ModelSet,
    readonly metrics: ServingMetrics,
    readonly window: WindowStats,
    readonly log?: PredictionLog,
  ) {}

  /** Runs a request on the named model (a version when given, else the primary or the canary). */
  infer(name: string, version: string | undefined, request: InferRequest, signal?: AbortSignal): Promise<Answered> {
    const found = findModel(this.models, name, version);
    const picked = found.live && found.role ? { live: found.live, role: found.role } : found.model.pick();
    return this.run(found.model, picked.live, picked.role, request, signal);
  }

  /**
   * Runs a request on a runner already picked; failures are HttpErrors naming the version that failed.
   * Written with `then` rather than async/await: one promise and no extra turns per request.
   */
  run(
    model: ServedModel,
    live: LiveRunner,
    role: 'primary' | 'canary',
    request: InferRequest,
    signal?: AbortSignal,
  ): Promise<Answered> {
    const served = live.served;
    this.metrics.started(served);
    const failed = (e: unknown): never => {
      this.metrics.finished(served);
      const err = toHttpError(e);
      err.served = served;
      throw err;
    };
    let running: ReturnType<LiveRunner['infer']>;
    try {
      running = live.infer(request, signal);
    } catch (e) {
      running = Promise.reject(e);
    }
    return running.then(({ response, timing }) => {
      this.metrics.finished(served);
      return { response, timing, live, role, model };
    }, failed);
  }

  /** After a success was written: metrics, window, shadow copy, log. */
  answered(a: Answered, request: InferRequest, meta: RequestMeta): void {
    const totalMs = performance.now() - meta.arrivedPerf;
    const timing: RequestTiming = { ...a.timing, totalMs };
    const first = a.response.outputs[0];
    this.metrics.succeeded(a.live.served, timing, first && first.shape.length > 0 ? first.shape[0] : 1);
    this.window.observe(totalMs, true);
    const logged = this.log?.sampled() ?? false;
    const shadow = a.model.shadowFor(a.live);
    if (!shadow && !logged) return;
    const record = (shadowResult?: PredictionRecord['shadow']) => {
      if (!logged) return;
      // Members added in place, in the order readers see them (no spread copies per logged request).
      const r = this.baseRecord(a.live.served.model, a.live.served.version, request, meta, 200, timing);
      const outputs: NonNullable<PredictionRecord['outputs']> = {};
      for (const o of a.response.outputs) outputs[o.name] = { shape: o.shape, data: o.data };
      r.outputs = outputs;
      r.role = a.role;
      if (shadowResult) r.shadow = shadowResult;
      this.log?.append(r);
    };
    if (!shadow) return record();
    const copy: InferRequest = { inputs: request.inputs, outputs: request.outputs, parameters: request.parameters };
    shadow.infer(copy).then(
      ({ response }) => {
        const { agreed, maxAbsDiff } = compareOutputs(a.response.outputs, response.outputs);
        this.metrics.shadowed(a.live.served, shadow.served.version, agreed ? 'agree' : 'disagree', maxAbsDiff);
        record({ version: shadow.served.version, agreed, maxAbsDiff });
      },
      () => {
        this.metrics.shadowed(a.live.served, shadow.served.version, 'error');
        record({ version: shadow.served.version, agreed: false, maxAbsDiff: Infinity });
      },
    );
  }

  /** After a failure was written (only failures of a request that reached a model are logged). */
  failed(err: HttpError, request: InferRequest | undefined, meta: RequestMeta): void {
    const totalMs = performance.now() - meta.arrivedPerf;
    this.window.observe(totalMs, false);
    const served = err.served;
    if (!served) return;
    this.metrics.failed(served, failureReason(err), totalMs);
    if (request && this.log?.sampled()) {
      const r = this.baseRecord(served.model, served.version, request, meta, err.status, {
        totalMs,
        queueMs: 0,
        computeMs: 0,
        batchSize: 0,
      });
      r.error = err.message;
      this.log.append(r);
    }
  }

  private baseRecord(
    model: string,
    version: number,
    request: InferRequest,
    meta: RequestMeta,
    status: number,
    t: RequestTiming,
  ): PredictionRecord {
    const inputs: PredictionRecord['inputs'] = {};
    for (const i of Array.isArray(request.inputs) ? request.inputs : []) {
      if (i && typeof i.name === 'string')
        inputs[i.name] = { shape: Array.isArray(i.shape) ? i.shape : [], data: flat(i.data, i.datatype) };
    }
    // "ts" and "model" lead every line: readers recognise a prediction log by them.
    return {
      ts: new Date(meta.arrivedAt).toISOString(),
      model,
      version,
      ...(request.id !== undefined ? { id: request.id } : {}),
      status,
      inputs,
      latencyMs: round3(t.totalMs),
      queueMs: round3(t.queueMs),
      computeMs: round3(t.computeMs),
      batchSize: t.batchSize,
      protocol: meta.protocol,
    };
  }
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
