import { throwIfAborted } from '../errors';
import type { Runner } from '../serving/runtime';
import type { InferRequest } from '../serving/types';
import type { EvalData, InputSpec } from './inputs';

/** p50/p99 of the model's own run time (onnxruntime's session.run in the worker), in milliseconds. */
export interface LatencyStats {
  p50: number;
  p99: number;
  mean: number;
  samples: number;
}

export interface MeasureOptions {
  /** Runs per model at most (default 200). */
  rounds?: number;
  /** Stop earlier once a batch size has taken this long (default 4 s). */
  budgetMs?: number;
  /** Unmeasured runs per model first (default 5). */
  warmup?: number;
  signal?: AbortSignal;
}

/** The first `batch` rows of the data (repeated when it has fewer) as one request. */
export function batchRequest(spec: InputSpec, data: EvalData, batch: number, offset = 0): InferRequest {
  const x = new Float32Array(batch * spec.features);
  for (let r = 0; r < batch; r++) {
    const src = ((offset + r) % data.rows) * spec.features;
    x.set(data.x.subarray(src, src + spec.features), r * spec.features);
  }
  return { inputs: [{ name: spec.name, shape: [batch, spec.features], datatype: 'FP32', data: x }] };
}

export function latencyStats(samples: number[]): LatencyStats {
  const s = [...samples].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))] ?? NaN;
  return { p50: q(0.5), p99: q(0.99), mean: s.reduce((a, b) => a + b, 0) / Math.max(1, s.length), samples: s.length };
}

/**
 * Interleaved runs on one warm worker: each round runs every model once on the same request, the
 * starting model rotating from round to round, so machine noise (other processes, frequency changes)
 * falls on all of them alike. Returns one LatencyStats per runner, in order.
 */
export async function measureInterleaved(
  runners: Runner[],
  request: InferRequest,
  o: MeasureOptions = {},
): Promise<LatencyStats[]> {
  const rounds = o.rounds ?? 200;
  const budget = o.budgetMs ?? 4000;
  for (let w = 0; w < (o.warmup ?? 5); w++) for (const r of runners) await r.infer(request, o.signal);
  const samples: number[][] = runners.map(() => []);
  const t0 = performance.now();
  for (let round = 0; round < rounds; round++) {
    throwIfAborted(o.signal, 'Measuring latency');
    for (let k = 0; k < runners.length; k++) {
      const i = (round + k) % runners.length;
      const { timing } = await runners[i].infer(request, o.signal);
      samples[i].push(timing.computeMs);
    }
    if (round >= 20 && performance.now() - t0 > budget) break;
  }
  return samples.map(latencyStats);
}
