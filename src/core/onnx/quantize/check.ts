import { MlopsError } from '../../errors';
import { defaultOpset, type Graph, isDefaultDomain, type Model } from './graph';
import type { QuantizeMode } from './types';

/** DynamicQuantizeLinear exists from opset 11 (MatMulInteger from 10). */
export const INT8_MIN_OPSET = 11;

/**
 * Default-domain ops whose meaning is the same at every version from 7 to 11 (only new types or negative
 * axes were added): a graph made of these alone can declare opset 11 unchanged. Anything else (Clip,
 * Resize, Pad, Upsample, Slice ...) changed its inputs or semantics, so such graphs are refused.
 */
const SAME_FROM_7_TO_11 = new Set([
  'MatMul',
  'Gemm',
  'Add',
  'Sub',
  'Mul',
  'Div',
  'Relu',
  'LeakyRelu',
  'Elu',
  'Selu',
  'Sigmoid',
  'HardSigmoid',
  'Tanh',
  'Softplus',
  'Softsign',
  'Softmax',
  'LogSoftmax',
  'Identity',
  'Flatten',
  'Reshape',
  'Transpose',
  'Concat',
  'Cast',
  'Exp',
  'Log',
  'Sqrt',
  'Abs',
  'Neg',
  'Reciprocal',
  'Pow',
  'ArgMax',
  'ArgMin',
  'ReduceMean',
  'ReduceSum',
  'ReduceMax',
  'ReduceMin',
  'Dropout',
  'Shape',
  'Squeeze',
  'Unsqueeze',
  'Gather',
]);
/** Before opset 7, elementwise ops broadcast only with an explicit attribute: not worth translating. */
const OLDEST_UPGRADABLE = 7;

/** Ops that mean the model is quantized already. */
const QUANTIZED_OPS = new Set([
  'DynamicQuantizeLinear',
  'QuantizeLinear',
  'DequantizeLinear',
  'MatMulInteger',
  'QLinearMatMul',
  'ConvInteger',
  'QLinearConv',
  'DynamicQuantizeMatMul',
  'MatMulIntegerToFloat',
  'QGemm',
  'QAttention',
  'DynamicQuantizeLSTM',
  'MatMulNBits',
  'QLinearAdd',
  'QLinearMul',
]);

function refuse(label: string, why: string, hint: string): MlopsError {
  return new MlopsError('INVALID_MODEL_FILE', `${label} cannot be quantized: ${why}.`, hint);
}

/** Refuses what cannot be rewritten safely; returns the opset to declare when an upgrade is safe. */
export function checkQuantizable(m: Model, mode: QuantizeMode, label: string): { upgradeTo?: number } {
  const g: Graph = m.graph;
  if (g.initializer.some((t) => t.dataLocation === 1 || (t.externalData?.length ?? 0) > 0)) {
    throw refuse(
      label,
      'it keeps its weights in external data files',
      'Save the model as one file (onnx.save(model, path, save_as_external_data=False)) and quantize that.',
    );
  }
  const quantized = g.node.find((n) => QUANTIZED_OPS.has(n.opType));
  if (quantized) {
    throw refuse(
      label,
      `it is quantized already (it has a ${quantized.opType} node)`,
      'Quantize the float model it came from instead.',
    );
  }
  const opset = defaultOpset(m);
  if (opset === undefined)
    throw refuse(label, 'it imports no default (ai.onnx) operator set', 'Export the model with an opset >= 11.');
  if (mode !== 'int8' || opset >= INT8_MIN_OPSET) return {};
  if (opset < OLDEST_UPGRADABLE) {
    throw refuse(
      label,
      `its opset ${opset} is older than ${OLDEST_UPGRADABLE}, and int8 needs opset ${INT8_MIN_OPSET}`,
      `Export it again with opset ${INT8_MIN_OPSET} or newer (e.g. torch.onnx.export(..., opset_version=17)).`,
    );
  }
  const changed = [
    ...new Set(
      g.node.filter((n) => isDefaultDomain(n.domain) && !SAME_FROM_7_TO_11.has(n.opType)).map((n) => n.opType),
    ),
  ];
  if (changed.length > 0) {
    throw refuse(
      label,
      `its opset ${opset} is older than ${INT8_MIN_OPSET}, and its ${changed.slice(0, 5).join(', ')} ops changed meaning since then`,
      `Export it again with opset ${INT8_MIN_OPSET} or newer, or convert it (onnx.version_converter.convert_version).`,
    );
  }
  return { upgradeTo: INT8_MIN_OPSET };
}
