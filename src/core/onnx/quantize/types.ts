/**
 * What the ONNX quantizer takes and gives. It only rewrites graphs: measuring whether the result is
 * worth keeping is src/core/optimize's job (it runs both models; this folder never imports serving).
 */

/** int8: dynamic quantization of MatMul/Gemm weights; fp16: float16 weights (smaller file, rarely faster on a CPU). */
export type QuantizeMode = 'int8' | 'fp16';

/** Weight element type: signed int8 (symmetric) or unsigned uint8 (asymmetric). */
export type WeightType = 's8' | 'u8';

export interface Int8Options {
  weightType: WeightType;
  /** One scale and zero point per output column instead of one for the whole weight. */
  perChannel: boolean;
  /** 7-bit weights: avoids int16 saturation in U8S8 kernels on x86 CPUs without VNNI. */
  reduceRange: boolean;
}

export type QuantizeOptions = ({ mode: 'int8' } & Int8Options) | { mode: 'fp16' };

/** One node the quantizer looked at. */
export interface NodeNote {
  node: string;
  opType: string;
  /** Why it was left as it was (absent for rewritten nodes). */
  reason?: string;
}

export interface QuantizeResult {
  bytes: Uint8Array;
  mode: QuantizeMode;
  /** The tag value naming the rewrite, e.g. `int8-dynamic-u8-per-channel`, `fp16-weights`. */
  optimization: string;
  rewritten: NodeNote[];
  /** Matching op types left untouched, with the reason (e.g. a weight that is not a constant). */
  skipped: NodeNote[];
  /** Set when the default-domain opset was raised (int8 needs 11 for DynamicQuantizeLinear). */
  opsetUpgrade?: { from: number; to: number };
  /** Bytes of float weights replaced, and of what replaced them. */
  weightBytesBefore: number;
  weightBytesAfter: number;
  /** Things the user should know (fp16 rarely speeds up a CPU, values clamped to the float16 range ...). */
  notes: string[];
  durationMs: number;
}

/** `int8-dynamic-u8-per-channel-reduce-range`, `fp16-weights`: the value of the `mlops.optimization` tag. */
export function optimizationName(o: QuantizeOptions): string {
  if (o.mode === 'fp16') return 'fp16-weights';
  return `int8-dynamic-${o.weightType}-${o.perChannel ? 'per-channel' : 'per-tensor'}${o.reduceRange ? '-reduce-range' : ''}`;
}
