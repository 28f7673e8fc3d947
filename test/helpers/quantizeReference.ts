import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { inspectOnnx } from '../../src/core/onnx/inspect';
import { DATA_TYPE, modelType } from '../../src/core/onnx/onnxSchema';
import type { WorkerPool } from '../../src/core/serving/runtime';

/**
 * Reference formulas written out directly from the ONNX operator definitions (quantization.md), to
 * check what onnxruntime computes on our rewritten graphs. Deliberately simple loops, no shared code
 * with src/core/onnx/quantize.
 */
export function rint(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/** ONNX DynamicQuantizeLinear: uint8 over [min(0, min x), max(0, max x)]. */
export function dynamicQuantizeLinear(x: Float32Array): { q: Uint8Array; scale: number; zp: number } {
  let lo = 0;
  let hi = 0;
  for (const v of x) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  // onnxruntime computes in float32: (max - min) rounded first, then divided.
  const scale = Math.fround(Math.fround(hi - lo) / 255);
  const zp = Math.min(255, Math.max(0, rint(Math.fround(0 - lo / scale))));
  const q = new Uint8Array(x.length);
  for (let i = 0; i < x.length; i++) q[i] = Math.min(255, Math.max(0, rint(Math.fround(x[i] / scale)) + zp));
  return { q, scale, zp };
}

/** Weight quantization as onnxruntime's quantize_dynamic does it, for a [K, N] row-major weight. */
export function referenceWeight(
  w: Float32Array,
  K: number,
  N: number,
  o: { signed: boolean; perChannel: boolean; reduceRange: boolean },
): { q: Int32Array; scale: Float32Array; zp: Int32Array } {
  const [qmin, qmax] = o.signed ? (o.reduceRange ? [-64, 64] : [-127, 127]) : o.reduceRange ? [0, 127] : [0, 255];
  const groups = o.perChannel ? N : 1;
  const scale = new Float32Array(groups);
  const zp = new Int32Array(groups);
  for (let g = 0; g < groups; g++) {
    let lo = 0;
    let hi = 0;
    for (let k = 0; k < K; k++)
      for (let n = 0; n < N; n++) {
        if (o.perChannel && n !== g) continue;
        lo = Math.min(lo, w[k * N + n]);
        hi = Math.max(hi, w[k * N + n]);
      }
    if (o.signed) {
      const m = Math.max(-lo, hi);
      scale[g] = Math.fround((2 * m) / (qmax - qmin));
      zp[g] = 0;
    } else {
      scale[g] = Math.fround((hi - lo) / (qmax - qmin));
      zp[g] = rint(qmin - lo / scale[g]);
    }
  }
  const q = new Int32Array(K * N);
  for (let k = 0; k < K; k++)
    for (let n = 0; n < N; n++) {
      const g = o.perChannel ? n : 0;
      q[k * N + n] = Math.min(qmax, Math.max(qmin, rint(Math.fround(w[k * N + n] / scale[g])) + zp[g]));
    }
  return { q, scale, zp };
}

/** ONNX MatMulInteger: int32 sums of (a − a_zp)(b − b_zp), b_zp per column when given per column. */
export function matMulInteger(
  a: ArrayLike<number>,
  aZp: number,
  b: ArrayLike<number>,
  bZp: ArrayLike<number>,
  M: number,
  K: number,
  N: number,
): Int32Array {
  const out = new Int32Array(M * N);
  for (let m = 0; m < M; m++)
    for (let n = 0; n < N; n++) {
      let s = 0;
      const z = bZp.length === 1 ? bZp[0] : bZp[n];
      for (let k = 0; k < K; k++) s += (a[m * K + k] - aZp) * (b[k * N + n] - z);
      out[m * N + n] = s;
    }
  return out;
}

/** Adds graph outputs for intermediate values (so onnxruntime returns them, unfused). */
export function exposeOutputs(bytes: Uint8Array, outputs: { name: string; elemType: number }[]): Uint8Array {
  const T = modelType('full');
  const m = T.toObject(T.decode(bytes)) as { graph: { output: object[] } };
  for (const o of outputs) m.graph.output.push({ name: o.name, type: { tensorType: { elemType: o.elemType } } });
  return T.encode(T.fromObject(m)).finish();
}

export const ELEM = { FLOAT: DATA_TYPE.FLOAT, UINT8: DATA_TYPE.UINT8, INT32: DATA_TYPE.INT32 };

/** Runs a model once through the serving runtime (a worker thread); outputs by name as flat numbers. */
export async function runOnce(
  pool: WorkerPool,
  dir: string,
  bytes: Uint8Array,
  inputs: Record<string, { data: Float32Array; shape: number[] }>,
): Promise<Record<string, number[]>> {
  const file = path.join(dir, `m-${Math.random().toString(36).slice(2)}.onnx`);
  writeFileSync(file, bytes);
  const { signature } = inspectOnnx(bytes);
  const runner = await pool.createRunner({
    served: { model: 'test', version: 1, sha256: '' },
    modelPath: file,
    signature,
    batching: { enabled: false },
  });
  try {
    const { response } = await runner.infer({
      inputs: Object.entries(inputs).map(([name, t]) => ({ name, shape: t.shape, datatype: 'FP32', data: t.data })),
    });
    return Object.fromEntries(response.outputs.map((o) => [o.name, o.data as number[]]));
  } finally {
    await runner.close();
  }
}
