import { MlopsError } from '../../core/errors';
import type { Comparison } from '../../core/serving/compare';
import type { InferRequest } from '../../core/serving/types';
import type { CompareParams, CompareView, InferRequestBody, TensorSpec } from '../../shared/servingProtocol';
import type { Endpoint } from './endpoints';
import { loadServingCore } from './loadServingCore';
import { requestsOrDataProblem } from './panelData';

/** Only what the panel draws crosses the boundary (JSON has no Infinity: outputs of other shapes are null). */
export function compareView(c: Comparison, source: string): CompareView {
  const side = (s: Comparison['a']) => ({
    label: s.label,
    count: s.latency.count,
    errors: s.errors,
    firstError: s.firstError ?? null,
    p50: s.latency.p50,
    p95: s.latency.p95,
    p99: s.latency.p99,
    mean: s.latency.mean,
    max: s.latency.max,
  });
  return {
    a: side(c.a),
    b: side(c.b),
    requests: c.requests,
    compared: c.compared,
    maxAbsDiff: Number.isFinite(c.maxAbsDiff) ? c.maxAbsDiff : null,
    top1: c.top1,
    mismatched: c.mismatched,
    cancelled: c.cancelled,
    source,
  };
}

/**
 * Compare: the endpoint's live version and another version of its model, both loaded beside the endpoint
 * in a one-worker pool of their own (so they run under the same conditions, and the endpoint's traffic
 * is not disturbed), the same requests on both. The pool is closed at the end.
 */
export async function compareWithVersion(
  endpoint: Endpoint,
  other: number,
  requests: InferRequest[],
  o: { signal?: AbortSignal; onProgress?: (done: number, total: number) => void },
): Promise<Comparison> {
  const live = endpoint.liveVersion();
  const registry = endpoint.registry;
  if (!registry || !live)
    throw new MlopsError(
      'INVALID_ARGUMENT',
      `${endpoint.label} is a file, not a registry model: there is no other version to compare with.`,
      'Serve a model version from the registry.',
    );
  if (other === live)
    throw new MlopsError('INVALID_ARGUMENT', `v${live} is the version served.`, 'Choose another version.');
  const core = await loadServingCore();
  const load = async (v: number) => {
    const info = await core.registryTarget(registry, `models:/${endpoint.model}/${v}`).load(v);
    if (!info.signature)
      throw new MlopsError(
        'INVALID_MODEL_FILE',
        `${endpoint.model} v${v} has no signature.`,
        'Push the model again: the signature is read from the ONNX graph.',
      );
    return { served: info.served, modelPath: info.modelPath, signature: info.signature };
  };
  const [a, b] = [await load(live), await load(other)];
  const pool = core.WorkerPool.create({ workers: 1 });
  try {
    const ra = await pool.createRunner(a);
    const rb = await pool.createRunner(b);
    try {
      return await core.compareVersions(
        core.runnerSide(`${endpoint.model} v${live}`, ra),
        core.runnerSide(`${endpoint.model} v${other}`, rb),
        requests,
        o,
      );
    } finally {
      await ra.close();
      await rb.close();
    }
  } finally {
    await pool.close();
  }
}

/**
 * The panel's Compare: its requests (the data file's rows, capped at the count asked for, or generated
 * examples), then the comparison. A data file that cannot give requests comes back as its problem.
 */
export async function panelComparison(
  endpoint: Endpoint,
  sig: { inputs: TensorSpec[]; example: InferRequestBody },
  p: CompareParams,
  o: { signal?: AbortSignal; onProgress?: (done: number, total: number) => void },
): Promise<{ ok: true; comparison: Comparison; view: CompareView } | { ok: false; dataProblem: string }> {
  const prepared = await requestsOrDataProblem(sig.inputs, sig.example as InferRequest, p.data, p.requests, o.signal);
  if (!prepared.ok) return { ok: false, dataProblem: prepared.problem };
  const requests = prepared.requests.slice(0, p.requests);
  const comparison = await compareWithVersion(endpoint, p.version, requests, o);
  const source = p.data ? `${requests.length} rows of ${p.data}` : prepared.description;
  return { ok: true, comparison, view: compareView(comparison, source) };
}
