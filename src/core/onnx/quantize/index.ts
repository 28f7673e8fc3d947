import { MlopsError } from '../../errors';
import { inspectOnnx } from '../inspect';
import { toNumber } from '../onnxSchema';
import { checkQuantizable } from './check';
import { decodeModel, defaultOpset, encodeModel, isDefaultDomain, type Model } from './graph';
import { rewriteFp16 } from './fp16';
import { rewriteInt8 } from './int8';
import { optimizationName, type QuantizeOptions, type QuantizeResult } from './types';

export * from './types';
export { quantizeWeight, roundHalfEven, scaleAndZeroPoint, qRange } from './weights';
export { halfBits } from './fp16';

export const FP16_NOTE =
  'fp16 weights halve the file; onnxruntime on a CPU converts them back to float32 at load, so it rarely runs faster.';

/**
 * Rewrites an ONNX model (its bytes) as `o` asks and returns the new bytes with what changed. Refuses,
 * with a sentence saying why, models it cannot or should not rewrite: external data, already quantized,
 * opsets too old to upgrade safely, nothing to quantize (no MatMul/Gemm, or none with a constant weight).
 * `label` names the model in messages.
 */
export function quantizeOnnx(bytes: Uint8Array, o: QuantizeOptions, label = 'The model'): QuantizeResult {
  const t0 = performance.now();
  let m: Model;
  try {
    m = decodeModel(bytes);
  } catch (e) {
    throw new MlopsError(
      'INVALID_MODEL_FILE',
      `${label} is not a valid ONNX model: ${e instanceof Error ? e.message : String(e)}.`,
      'Export the model again and retry.',
    );
  }
  if (!m.graph) throw new MlopsError('INVALID_MODEL_FILE', `${label} is not a valid ONNX model: it has no graph.`);
  const { upgradeTo } = checkQuantizable(m, o.mode, label);
  const from = defaultOpset(m);
  const irVersion = toNumber(m.irVersion);

  const notes: string[] = [];
  let r;
  if (o.mode === 'int8') {
    r = rewriteInt8(m, o);
    if (r.rewritten.length === 0) throw nothingToQuantize(m, label, r.skipped);
  } else {
    const f = rewriteFp16(m);
    if (f.rewritten.length === 0)
      throw new MlopsError(
        'INVALID_ARGUMENT',
        `${label} has nothing to convert to float16: it has no float32 weights of ${16} values or more.`,
        'fp16 mode stores float32 initializers as float16; this model has none worth converting.',
      );
    notes.push(FP16_NOTE);
    if (f.clamped > 0) notes.push(`${f.clamped} weight values beyond ±65504 were clamped to the float16 range.`);
    r = f;
  }
  let opsetUpgrade: QuantizeResult['opsetUpgrade'];
  if (upgradeTo !== undefined && from !== undefined) {
    for (const op of m.opsetImport) if (isDefaultDomain(op.domain)) op.version = upgradeTo;
    opsetUpgrade = { from, to: upgradeTo };
    notes.push(
      `The default opset was raised from ${from} to ${upgradeTo} (every op in the graph means the same there).`,
    );
  }
  // IR 6 goes with opset 11; before IR 4 every initializer had to be a graph input, which new ones are not.
  if (opsetUpgrade && irVersion < 6) m.irVersion = 6;
  else if (irVersion < 4) m.irVersion = 4;

  const out = encodeModel(m);
  // The result must read back with our own reader (the registry will read it the same way on push).
  inspectOnnx(out, `${label} (rewritten)`);
  return {
    bytes: out,
    mode: o.mode,
    optimization: optimizationName(o),
    rewritten: r.rewritten,
    skipped: r.skipped,
    ...(opsetUpgrade ? { opsetUpgrade } : {}),
    weightBytesBefore: r.weightBytesBefore,
    weightBytesAfter: r.weightBytesAfter,
    notes,
    durationMs: performance.now() - t0,
  };
}

function nothingToQuantize(m: Model, label: string, skipped: { reason?: string }[]): MlopsError {
  const hasTargets = m.graph.node.some(
    (n) => isDefaultDomain(n.domain) && (n.opType === 'MatMul' || n.opType === 'Gemm'),
  );
  if (!hasTargets) {
    return new MlopsError(
      'INVALID_ARGUMENT',
      `${label} has nothing to quantize: it has no MatMul or Gemm node.`,
      'Int8 dynamic quantization rewrites matrix products with constant weights; try --mode fp16 for a smaller file.',
    );
  }
  const reasons = [...new Set(skipped.map((s) => s.reason))].join('; ');
  return new MlopsError(
    'INVALID_ARGUMENT',
    `${label} has nothing to quantize: none of its ${skipped.length} MatMul/Gemm nodes has a constant float weight (${reasons}).`,
    'Only products with a weight stored in the model (an initializer) can be quantized ahead of time.',
  );
}
