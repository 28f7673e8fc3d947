import type { Int8Options } from './types';

/**
 * Weight quantization with onnxruntime's formulas (quantization.md): real = scale · (q − zero_point).
 * - s8: symmetric, zero point 0, scale = max|w| / 127 (range [−127, 127]; reduced: [−64, 64]).
 * - u8: asymmetric over [min(0, min w), max(0, max w)], scale = (rmax − rmin) / 255 (reduced: / 127),
 *   zero point = round(−rmin / scale), so real 0 is exactly representable.
 * Values round half to even (numpy's rint), then saturate. Scales are float32, as stored.
 * Per channel means per output column of a [K, N] weight (MatMulInteger takes a [N] zero point).
 */
export interface QuantizedWeight {
  data: Int8Array | Uint8Array;
  /** [1] per tensor, [N] per channel. */
  scale: Float32Array;
  zeroPoint: Int8Array | Uint8Array;
}

export function qRange(o: Pick<Int8Options, 'weightType' | 'reduceRange'>): [number, number] {
  if (o.weightType === 's8') return o.reduceRange ? [-64, 64] : [-127, 127];
  return o.reduceRange ? [0, 127] : [0, 255];
}

/** Round half to even, as numpy.rint and ONNX's QuantizeLinear do. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Scale and zero point for values in [lo, hi] (lo <= 0 <= hi after widening). */
export function scaleAndZeroPoint(lo: number, hi: number, o: Int8Options): { scale: number; zeroPoint: number } {
  const [qmin, qmax] = qRange(o);
  let rmin = Math.min(lo, 0);
  let rmax = Math.max(hi, 0);
  if (o.weightType === 's8') {
    const absmax = Math.max(Math.abs(rmin), Math.abs(rmax));
    rmin = -absmax;
    rmax = absmax;
  }
  const scale = Math.fround((rmax - rmin) / (qmax - qmin));
  if (!(scale > 0) || !Number.isFinite(scale)) return { scale: 1, zeroPoint: o.weightType === 's8' ? 0 : qmin };
  const zeroPoint = o.weightType === 's8' ? 0 : Math.min(qmax, Math.max(qmin, roundHalfEven(qmin - rmin / scale)));
  return { scale, zeroPoint };
}

/** Quantizes a row-major [K, N] float weight. `alpha` multiplies the stored scales (Gemm's alpha). */
export function quantizeWeight(w: Float32Array, K: number, N: number, o: Int8Options, alpha = 1): QuantizedWeight {
  const [qmin, qmax] = qRange(o);
  // Column ranges first; per tensor, they are merged into one. One code path (per-column arrays) for both
  // keeps the hot loop monomorphic: 4M weights in tens of milliseconds.
  const lo = new Float64Array(N);
  const hi = new Float64Array(N);
  for (let k = 0; k < K; k++) {
    const row = k * N;
    for (let n = 0; n < N; n++) {
      const v = w[row + n];
      if (v < lo[n]) lo[n] = v;
      else if (v > hi[n]) hi[n] = v;
    }
  }
  if (!o.perChannel) {
    let l = 0;
    let h = 0;
    for (let n = 0; n < N; n++) {
      if (lo[n] < l) l = lo[n];
      if (hi[n] > h) h = hi[n];
    }
    lo.fill(l);
    hi.fill(h);
  }
  const channels = o.perChannel ? N : 1;
  const divisor = new Float32Array(N);
  const zp = new Int32Array(N);
  const scale = new Float32Array(channels);
  const zeroPoint = o.weightType === 's8' ? new Int8Array(channels) : new Uint8Array(channels);
  for (let n = 0; n < N; n++) {
    const sz = scaleAndZeroPoint(lo[n], hi[n], o);
    divisor[n] = sz.scale;
    zp[n] = sz.zeroPoint;
    if (n < channels) {
      scale[n] = Math.fround(sz.scale * alpha);
      zeroPoint[n] = sz.zeroPoint;
    }
  }
  const bytes = new Uint8Array(K * N);
  for (let k = 0; k < K; k++) {
    const row = k * N;
    for (let n = 0; n < N; n++) {
      // Divide by the float32 scale in float32 (as numpy does), round half to even, shift, saturate.
      const v = Math.fround(w[row + n] / divisor[n]);
      let q = Math.round(v);
      if (q - v === 0.5 && q & 1) q--;
      q += zp[n];
      // int8 values are stored as their two's-complement byte (the Int8Array view below reads them back).
      bytes[row + n] = (q < qmin ? qmin : q > qmax ? qmax : q) & 0xff;
    }
  }
  const data = o.weightType === 's8' ? new Int8Array(bytes.buffer) : bytes;
  return { data, scale, zeroPoint };
}

/** Row-major [R, C] -> [C, R] (Gemm's transB weights are stored [N, K]). */
export function transpose(w: Float32Array, R: number, C: number): Float32Array {
  const out = new Float32Array(R * C);
  for (let r = 0; r < R; r++) for (let c = 0; c < C; c++) out[c * R + r] = w[r * C + c];
  return out;
}
