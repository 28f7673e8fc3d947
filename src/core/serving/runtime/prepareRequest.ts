import { MlopsError } from '../../errors';
import type { InferRequest, RequestInput } from '../types';
import { isDatatype, type Tensor } from './datatypes';
import { describeSpec, type InputPlan, type ModelPlan } from './modelPlan';
import { convertible, encodeElements, flatten } from './tensorCodec';

/**
 * Checks an OIP request against the model's signature and turns it into tensors, before anything
 * reaches a queue or the runtime: a request that fails here never joins a batch.
 *
 * Shapes: fixed dimensions must match exactly; dynamic ones (symbolic names or open dims) accept any
 * size >= 1. Zero-sized dimensions are refused: an empty tensor has no row to answer for, and many
 * graphs (and batch splitting) do not handle it.
 */
export interface PreparedRequest {
  id?: string;
  /** Input name -> tensor, in the signature's order. */
  feeds: Record<string, Tensor>;
  /** Output names to fetch and return, in the order the response lists them. */
  outputs: string[];
  /** Rows along the first dimension (what a batch counts); 1 when the model has no batch dimension. */
  rows: number;
  /** Requests with the same key can be stacked along the first dimension; null: this one runs alone. */
  mergeKey: string | null;
}

const HINT = 'Fix the request to match the model signature.';

function invalid(message: string): MlopsError {
  return new MlopsError('INVALID_ARGUMENT', message, HINT);
}

function checkShape(p: InputPlan, input: RequestInput): number[] {
  const shape = input.shape as unknown;
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0))
    throw invalid(
      `input '${p.name}': 'shape' must be a list of non-negative integers, got ${JSON.stringify(shape) ?? 'nothing'}`,
    );
  const dims = shape as number[];
  const got = `[${dims.join(', ')}]`;
  if (dims.includes(0))
    throw invalid(`input '${p.name}': expected ${describeSpec(p)}, got ${got} (dimensions of size 0 are not accepted)`);
  if (p.shape === null) return dims;
  const fits = dims.length === p.shape.length && p.shape.every((d, i) => typeof d !== 'number' || d === dims[i]);
  if (!fits) throw invalid(`input '${p.name}': expected ${describeSpec(p)}, got ${got}`);
  return dims;
}

function prepareInput(p: InputPlan, input: RequestInput): Tensor {
  const dt = input.datatype as unknown;
  // FP16 arrives only as binary tensor data, already decoded to its values (binaryTensors.ts): JSON has
  // no half floats, and reading JSON numbers as halves would round the client's values silently.
  if (dt === 'FP16' && !(input.data instanceof Float32Array))
    throw new MlopsError(
      'INVALID_ARGUMENT',
      `input '${p.name}': FP16 is not supported in JSON data; send FP32, or send the tensor as binary data.`,
      "JSON has no half-precision numbers: send the values as FP32 and the server converts them, or use Triton's binary tensor extension (parameters.binary_data_size).",
    );
  if (!isDatatype(dt))
    throw invalid(
      `input '${p.name}': ${dt === undefined ? "'datatype' is missing" : `datatype ${JSON.stringify(dt)} is not an OIP datatype`}; expected ${describeSpec(p)} (OIP datatypes: BOOL, INT8..INT64, UINT8..UINT64, FP16, FP32, FP64, BYTES)`,
    );
  if (!convertible(dt === 'FP16' ? 'FP32' : dt, p.type))
    throw invalid(`input '${p.name}': expected ${describeSpec(p)}, got ${dt}`);
  const dims = checkShape(p, input);
  if (input.data === undefined)
    throw invalid(
      input.parameters?.binary_data_size !== undefined
        ? `input '${p.name}': parameters.binary_data_size is set, but the request has no binary part (send the Inference-Header-Content-Length header with the JSON part's byte length, the tensor's bytes after it)`
        : `input '${p.name}': 'data' is missing`,
    );
  const flat = flatten(p.name, input.data, dims);
  return { type: p.type, dims, data: encodeElements(p.name, flat, dt, p.type) };
}

function requestedOutputs(plan: ModelPlan, request: InferRequest): string[] {
  if (request.outputs === undefined || request.outputs === null) return plan.defaultOutputs;
  if (!Array.isArray(request.outputs)) throw invalid(`'outputs' must be a list of {"name": ...} objects`);
  const names: string[] = [];
  for (const o of request.outputs as unknown[]) {
    const name = (o as { name?: unknown } | null)?.name;
    if (typeof name !== 'string') throw invalid(`'outputs' must be a list of {"name": ...} objects`);
    const out = plan.outputs.find((x) => x.name === name);
    if (!out)
      throw invalid(
        `output '${name}' is not an output of the model (expected one of: ${plan.outputs.map((x) => x.name).join(', ')})`,
      );
    if (!out.type) throw invalid(`output '${name}' is a ${out.elemType}, which cannot be returned as an OIP tensor`);
    if (!names.includes(name)) names.push(name);
  }
  if (names.length === 0) throw invalid(`'outputs' is empty: name at least one output or leave 'outputs' out`);
  return names;
}

/**
 * A dimension name shared by several inputs ("batch" in a[batch, 2] and b[batch, 2]) is one size, as ONNX
 * means it: onnxruntime would otherwise broadcast a 1 against a 3 and answer for rows nobody sent.
 */
function checkNamedDims(plan: ModelPlan, feeds: Record<string, Tensor>): void {
  const seen = new Map<string, { input: string; size: number }>();
  for (const p of plan.inputs) {
    p.shape?.forEach((d, i) => {
      if (typeof d !== 'string' || d === '') return;
      const size = feeds[p.name].dims[i];
      const first = seen.get(d);
      if (!first) seen.set(d, { input: p.name, size });
      else if (first.size !== size)
        throw invalid(
          `input '${p.name}': dimension '${d}' is ${size}, but input '${first.input}' has '${d}' = ${first.size} (inputs that share a dimension name must agree on its size)`,
        );
    });
  }
}

export function prepareRequest(plan: ModelPlan, request: InferRequest, batching: boolean): PreparedRequest {
  if (request === null || typeof request !== 'object' || !Array.isArray(request.inputs))
    throw invalid(`the request must be an object with an 'inputs' list`);
  const byName = new Map<string, RequestInput>();
  for (const input of request.inputs) {
    const name = (input as RequestInput | null)?.name;
    if (typeof name !== 'string') throw invalid(`every input needs a 'name'`);
    if (byName.has(name)) throw invalid(`input '${name}' appears twice`);
    if (!plan.inputs.some((p) => p.name === name))
      throw invalid(
        `input '${name}' is not an input of the model (expected: ${plan.inputs.map((p) => p.name).join(', ')})`,
      );
    byName.set(name, input);
  }
  const feeds: Record<string, Tensor> = {};
  for (const p of plan.inputs) {
    const input = byName.get(p.name);
    if (!input) throw invalid(`input '${p.name}' is missing: expected ${describeSpec(p)}`);
    feeds[p.name] = prepareInput(p, input);
  }
  checkNamedDims(plan, feeds);
  const outputs = requestedOutputs(plan, request);
  const tensors = plan.inputs.map((p) => feeds[p.name]);
  const rows = tensors[0]?.dims[0] ?? 1;
  const mergeable =
    batching &&
    plan.inputsBatchable &&
    tensors.every((t) => t.dims[0] === rows) &&
    outputs.every((o) => plan.outputs.find((x) => x.name === o)?.splittable);
  const mergeKey = mergeable ? JSON.stringify([tensors.map((t) => t.dims.slice(1)), outputs]) : null;
  const id = typeof request.id === 'string' ? request.id : undefined;
  return { ...(id !== undefined ? { id } : {}), feeds, outputs, rows: plan.inputsBatchable ? rows : 1, mergeKey };
}
