import type { Registry } from '../registry/registry';
import type { ModelVersion } from '../registry/types';
import { datatypeOf, WorkerPool } from '../serving/runtime/index';
import type { InferRequest, PredictionRecord } from '../serving/types';
import { type Replay, replayFromFile } from './replay';
import { performanceOf } from './checks';
import { percentile } from './metrics';
import type { CheckSpec } from './types';

/** How one version did on the current data. */
export interface VersionScore {
  version: number;
  requests: number;
  errors: number;
  /** Compute time per request (in-process runner), milliseconds. */
  latencyP50: number | null;
  latencyP95: number | null;
  /** The performance check's metric when labels exist. */
  metric: { name: string; value: number | null } | null;
}

export interface Comparison {
  compared: boolean;
  /** Why not, when not compared. */
  reason?: string;
  production?: VersionScore;
  challenger?: VersionScore;
  /** true: better on the deciding metric; false: worse; null: cannot tell (no labels). */
  challengerWins: boolean | null;
  verdict: string;
}

/** At most this many logged requests are replayed (enough for p95 and a metric, quick on a laptop). */
const MAX_REPLAY = 500;

/**
 * Replays the logged requests of the current window through both versions with the serving runtime's
 * in-process runner: errors, compute latency and, with a performance check, its metric on the labels.
 * The deciding metric is the performance check's; without labels the result cannot say who wins.
 */
export async function compareVersions(o: {
  registry: Registry;
  production: ModelVersion;
  challenger: ModelVersion;
  records: PredictionRecord[] | undefined;
  /** The current data file, replayed when there is no prediction log (one [batch, features] input). */
  currentFile?: string;
  performance?: CheckSpec;
  dir: string;
  signal?: AbortSignal;
}): Promise<Comparison> {
  let records: Replay[] = (o.records ?? []).filter((r) => r.status === 200).slice(-MAX_REPLAY);
  let reason = 'no logged request to replay';
  if (records.length === 0 && o.currentFile) {
    const fromFile = await replayFromFile(o.currentFile, o.production.signature, MAX_REPLAY, o.signal);
    records = fromFile.replays;
    if (fromFile.reason) reason = fromFile.reason;
  }
  if (records.length === 0)
    return { compared: false, reason, challengerWins: null, verdict: `Not compared: ${reason}.` };
  const pool = WorkerPool.create({ workers: 1 });
  try {
    const production = await score(pool, o, o.production, records);
    const challenger = await score(pool, o, o.challenger, records);
    const decided = decide(production, challenger);
    return { compared: true, production, challenger, ...decided };
  } finally {
    await pool.close();
  }
}

async function score(
  pool: WorkerPool,
  o: { registry: Registry; performance?: CheckSpec; dir: string; signal?: AbortSignal },
  v: ModelVersion,
  records: Replay[],
): Promise<VersionScore> {
  const modelPath = await o.registry.localArtifactPath(v.model, v.version, { signal: o.signal });
  const signature = v.signature ?? { inputs: [], outputs: [] };
  const runner = await pool.createRunner({
    served: { model: v.model, version: v.version, sha256: v.artifact.sha256 ?? '' },
    modelPath,
    signature,
  });
  const latencies: number[] = [];
  const preds = new Map<string, number[]>();
  let errors = 0;
  const outputName = o.performance?.options.output as string | undefined;
  try {
    for (const r of records) {
      const request: InferRequest = {
        inputs: Object.entries(r.inputs).map(([name, t]) => ({
          name,
          shape: t.shape,
          datatype: datatypeOf(signature.inputs.find((i) => i.name === name)?.elemType ?? 'float32') ?? 'FP32',
          data: t.data,
        })),
      };
      try {
        const { response, timing } = await runner.infer(request, o.signal);
        latencies.push(timing.computeMs);
        const out =
          (outputName ? response.outputs.find((x) => x.name === outputName) : undefined) ?? response.outputs[0];
        if (r.id !== undefined && out) {
          const width = out.shape.length > 1 ? out.shape.slice(1).reduce((a, b) => a * b, 1) : 1;
          preds.set(r.id, (out.data as number[]).slice(0, width).map(Number));
        }
      } catch {
        errors++;
      }
    }
  } finally {
    await runner.close();
  }
  let metric: VersionScore['metric'] = null;
  if (o.performance) {
    const m = await performanceOf(o.performance, o.dir, preds, o.signal);
    metric = { name: String(o.performance.options.metric), value: m.value };
  }
  return {
    version: v.version,
    requests: records.length,
    errors,
    latencyP50: percentile(latencies, 50),
    latencyP95: percentile(latencies, 95),
    metric,
  };
}

/** The value a promotion gate names, for one version (higher is better after the sign). */
export function gateValue(s: VersionScore, metric: string): number | null {
  if (metric === 'latency_p95') return s.latencyP95 === null ? null : -s.latencyP95;
  if (!s.metric || s.metric.name !== metric || s.metric.value === null) return null;
  return metric === 'rmse' ? -s.metric.value : s.metric.value;
}

function decide(p: VersionScore, c: VersionScore): { challengerWins: boolean | null; verdict: string } {
  if (c.errors > p.errors)
    return { challengerWins: false, verdict: `The challenger failed ${c.errors} requests, production ${p.errors}.` };
  const metric = p.metric?.name;
  const pv = metric ? gateValue(p, metric) : null;
  const cv = metric ? gateValue(c, metric) : null;
  const lat = `p95 compute ${fmt(c.latencyP95)} ms vs ${fmt(p.latencyP95)} ms`;
  if (metric && pv !== null && cv !== null) {
    const wins = cv >= pv;
    return {
      challengerWins: wins,
      verdict: `The challenger ${wins ? 'wins' : 'loses'}: ${metric} ${fmt(c.metric!.value)} vs ${fmt(p.metric!.value)} (production); ${lat}.`,
    };
  }
  return { challengerWins: null, verdict: `No labels to decide: ${lat}. The decision is yours.` };
}

function fmt(v: number | null | undefined): string {
  return v === null || v === undefined ? 'n/a' : v.toFixed(3);
}
