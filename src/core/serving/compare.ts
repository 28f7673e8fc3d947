import { errorMessage, MlopsError } from '../errors';
import { LatencyRecorder } from '../stats/latency';
import type { InferRequest, InferResponse, LatencySummary, ModelRunner, ResponseOutput } from './types';
import { argmax } from '../stats/argmax';

/**
 * Compare two versions: the same requests on both (production vs challenger, fp32 vs its int8 child),
 * latency side by side and how far their outputs agree. A side is anything that answers an OIP v2
 * request: an in-process runner (`runnerSide`) or an endpoint over HTTP (the adapter's).
 */
export interface CompareSide {
  /** "fraud v3", "fraud v4 (int8)". */
  label: string;
  infer(request: InferRequest, signal?: AbortSignal): Promise<InferResponse>;
}

export interface SideResult {
  label: string;
  /** Latency of the requests this side answered, in ms (client side: what a caller waits). */
  latency: LatencySummary;
  errors: number;
  /** The first error's sentence, when there was one. */
  firstError?: string;
}

export interface Comparison {
  a: SideResult;
  b: SideResult;
  requests: number;
  /** Requests both sides answered: the agreement is over these. */
  compared: number;
  /** Largest absolute difference over every numeric output element; Infinity when outputs differ in shape. */
  maxAbsDiff: number;
  /** Rows of classifier outputs (rank >= 2, last dim > 1) whose top-1 class is the same; null without such outputs. */
  top1: { equal: number; rows: number; share: number } | null;
  /** Outputs (by name) one side gives and the other does not, or with other shapes. */
  mismatched: string[];
  cancelled: boolean;
}

export interface CompareOptions {
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

export const COMPARE_LIMITS = { minRequests: 1, maxRequests: 10_000 } as const;

/** A side running on an in-process runner (onnxruntime in worker threads, batching as the server does it). */
export function runnerSide(label: string, runner: ModelRunner): CompareSide {
  return { label, infer: async (r, signal) => (await runner.infer(r, signal)).response };
}

interface Agreement {
  maxAbsDiff: number;
  equal: number;
  rows: number;
  mismatched: string[];
}

/** Outputs compared by name: the largest absolute difference, and top-1 agreement per classifier row. */
export function outputAgreement(a: ResponseOutput[], b: ResponseOutput[]): Agreement {
  const out: Agreement = { maxAbsDiff: 0, equal: 0, rows: 0, mismatched: [] };
  const byName = new Map(b.map((o) => [o.name, o]));
  for (const x of a) {
    const y = byName.get(x.name);
    byName.delete(x.name);
    if (!y || y.data.length !== x.data.length || y.shape.join(',') !== x.shape.join(',')) {
      out.mismatched.push(x.name);
      out.maxAbsDiff = Infinity;
      continue;
    }
    if (x.data.length > 0 && typeof x.data[0] !== 'number') continue;
    for (let i = 0; i < x.data.length; i++) {
      const d = Math.abs(Number(x.data[i]) - Number(y.data[i]));
      if (d > out.maxAbsDiff || Number.isNaN(d)) out.maxAbsDiff = Number.isNaN(d) ? Infinity : d;
    }
    const classes = x.shape.length >= 2 ? x.shape[x.shape.length - 1] : 0;
    if (classes > 1) {
      for (let row = 0; row < x.data.length; row += classes) {
        out.rows++;
        if (argmax(x.data, row, classes) === argmax(y.data, row, classes)) out.equal++;
      }
    }
  }
  for (const name of byName.keys()) {
    out.mismatched.push(name);
    out.maxAbsDiff = Infinity;
  }
  return out;
}

async function timed(
  side: CompareSide,
  request: InferRequest,
  rec: LatencyRecorder,
  res: { errors: number; firstError?: string },
  signal: AbortSignal | undefined,
): Promise<InferResponse | undefined> {
  const t0 = performance.now();
  try {
    const r = await side.infer(request, signal);
    rec.record(performance.now() - t0);
    return r;
  } catch (e) {
    if (signal?.aborted) return undefined;
    res.errors++;
    res.firstError ??= errorMessage(e);
    return undefined;
  }
}

/**
 * Runs each request on both sides, one at a time so neither slows the other, and alternates which goes
 * first (a warm cache or a CPU boost then favours neither). Cancelling returns what was measured so far.
 */
export async function compareVersions(
  a: CompareSide,
  b: CompareSide,
  requests: InferRequest[],
  o: CompareOptions = {},
): Promise<Comparison> {
  const n = requests.length;
  if (n < COMPARE_LIMITS.minRequests || n > COMPARE_LIMITS.maxRequests)
    throw new MlopsError(
      'INVALID_ARGUMENT',
      `A comparison takes ${COMPARE_LIMITS.minRequests} to ${COMPARE_LIMITS.maxRequests} requests, not ${n}.`,
      'Give fewer requests, or split the data.',
    );
  const recA = new LatencyRecorder();
  const recB = new LatencyRecorder();
  const resA: { errors: number; firstError?: string } = { errors: 0 };
  const resB: { errors: number; firstError?: string } = { errors: 0 };
  const mismatched = new Set<string>();
  let compared = 0;
  let maxAbsDiff = 0;
  let equal = 0;
  let rows = 0;
  let done = 0;
  let cancelled = false;
  for (const request of requests) {
    if (o.signal?.aborted) {
      cancelled = true;
      break;
    }
    let ra: InferResponse | undefined;
    let rb: InferResponse | undefined;
    if (done % 2 === 0) {
      ra = await timed(a, request, recA, resA, o.signal);
      rb = await timed(b, request, recB, resB, o.signal);
    } else {
      rb = await timed(b, request, recB, resB, o.signal);
      ra = await timed(a, request, recA, resA, o.signal);
    }
    if (o.signal?.aborted) {
      cancelled = true;
      break;
    }
    done++;
    o.onProgress?.(done, n);
    if (!ra || !rb) continue;
    compared++;
    const g = outputAgreement(ra.outputs, rb.outputs);
    maxAbsDiff = Math.max(maxAbsDiff, g.maxAbsDiff);
    equal += g.equal;
    rows += g.rows;
    for (const m of g.mismatched) mismatched.add(m);
  }
  return {
    a: { label: a.label, latency: recA.summary(), ...resA },
    b: { label: b.label, latency: recB.summary(), ...resB },
    requests: done,
    compared,
    maxAbsDiff: compared ? maxAbsDiff : 0,
    top1: rows > 0 ? { equal, rows, share: equal / rows } : null,
    mismatched: [...mismatched],
    cancelled,
  };
}
