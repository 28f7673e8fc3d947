import { MlopsError } from '../../errors';
import type { Dim, ModelSignature, TensorSpec } from '../../registry/types';

/**
 * Triton's model configuration (`config.pbtxt`, protobuf text format) for an ONNX model: the platform,
 * the signature, and dynamic batching when every tensor's first dimension is free. Triton's rules: with
 * `max_batch_size > 0` the dims leave the batch dimension out; -1 marks a variable dim; a tensor whose
 * only dim is the batch one is written as dims [ 1 ] with an empty reshape.
 */

export interface TritonOptions {
  /** Largest batch Triton may form (0 turns batching off). */
  maxBatchSize: number;
  /** How long Triton may hold a request for a fuller batch, µs. */
  maxQueueDelayUs: number;
}

const TRITON_TYPES: Record<string, string> = {
  bool: 'TYPE_BOOL',
  uint8: 'TYPE_UINT8',
  uint16: 'TYPE_UINT16',
  uint32: 'TYPE_UINT32',
  uint64: 'TYPE_UINT64',
  int8: 'TYPE_INT8',
  int16: 'TYPE_INT16',
  int32: 'TYPE_INT32',
  int64: 'TYPE_INT64',
  float16: 'TYPE_FP16',
  bfloat16: 'TYPE_BF16',
  float32: 'TYPE_FP32',
  float64: 'TYPE_FP64',
  string: 'TYPE_STRING',
};

const free = (d: Dim) => typeof d !== 'number' || d < 0;

/** Whether Triton can batch the model: every input and output has a free first dimension. */
export function batchable(sig: ModelSignature): boolean {
  return [...sig.inputs, ...sig.outputs].every((t) => t.shape !== null && t.shape.length > 0 && free(t.shape[0]));
}

/** Triton model names become directory names and URL segments: keep them plain. */
export function checkTritonName(name: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(name))
    throw new MlopsError(
      'INVALID_ARGUMENT',
      `"${name}" cannot name a Triton model (it becomes a folder and a URL segment).`,
      'Give another name with --name (letters, digits, ".", "-", "_").',
    );
  return name;
}

function tensorBlock(t: TensorSpec, batching: boolean, label: string): string[] {
  const type = TRITON_TYPES[t.elemType];
  if (!type)
    throw new MlopsError(
      'INVALID_MODEL_FILE',
      `${label}: tensor '${t.name}' has element type ${t.elemType}, which Triton cannot serve.`,
    );
  if (t.shape === null)
    throw new MlopsError(
      'INVALID_MODEL_FILE',
      `${label}: tensor '${t.name}' declares no shape, and Triton's configuration needs one.`,
      'Export the model with tensor shapes (dynamic dims are fine).',
    );
  const dims = (batching ? t.shape.slice(1) : t.shape).map((d) => (free(d) ? -1 : (d as number)));
  const lines = ['  {', `    name: ${JSON.stringify(t.name)}`, `    data_type: ${type}`];
  if (dims.length === 0) lines.push('    dims: [ 1 ]', '    reshape: { shape: [ ] }');
  else lines.push(`    dims: [ ${dims.join(', ')} ]`);
  lines.push('  }');
  return lines;
}

function tensorList(key: string, tensors: TensorSpec[], batching: boolean, label: string): string[] {
  const blocks = tensors.map((t) => tensorBlock(t, batching, label));
  return [`${key} [`, ...blocks.flatMap((b, i) => (i < blocks.length - 1 ? [...b.slice(0, -1), '  },'] : b)), ']'];
}

export function tritonConfig(name: string, sig: ModelSignature, o: TritonOptions, label = name): string {
  const batching = o.maxBatchSize > 0 && batchable(sig);
  const lines = [
    `name: ${JSON.stringify(checkTritonName(name))}`,
    'platform: "onnxruntime_onnx"',
    `max_batch_size: ${batching ? o.maxBatchSize : 0}`,
    ...tensorList('input', sig.inputs, batching, label),
    ...tensorList('output', sig.outputs, batching, label),
  ];
  if (batching)
    lines.push('dynamic_batching {', `  max_queue_delay_microseconds: ${Math.round(o.maxQueueDelayUs)}`, '}');
  else
    lines.push(
      o.maxBatchSize > 0
        ? '# No dynamic_batching: a tensor has a fixed first dimension, so requests cannot be merged.'
        : '# No dynamic_batching: batching was turned off at export.',
    );
  return lines.join('\n') + '\n';
}
