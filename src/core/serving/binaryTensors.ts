import os from 'node:os';
import { MlopsError } from '../errors';
import { fromHalfBits, toHalfBits } from '../util/float16';
import {
  allocate,
  type ElemType,
  elementBytes,
  elemTypeOf,
  isDatatype,
  type NumericArray,
  type TensorData,
  viewOf,
} from './runtime/datatypes';
import { product } from './runtime/tensorCodec';
import type { Datatype, InferRequest, InferResponse, ParameterValue, RequestInput, ResponseOutput } from './types';

/**
 * Triton's binary tensor data extension of the Open Inference Protocol (KServe documents the same one):
 * a body is a JSON object followed by raw tensors, little-endian, row-major, in the order the JSON lists
 * them. The request header `Inference-Header-Content-Length` gives the JSON part's length; a tensor sent
 * this way has `parameters.binary_data_size` instead of `data`. BOOL is one byte (0 or 1); a BYTES
 * element is a 4-byte little-endian length and its bytes. Triton's own HTTP client sends this way by
 * default, and it is the only way to send FP16 (JSON has no half floats). It also spares the server the
 * text form of every number, which is most of the cost of a large float tensor.
 */

/** The header naming the JSON part's length, lower-cased as node:http keys headers. */
export const INFERENCE_HEADER_LENGTH = 'inference-header-content-length';

/** Decoded tensor data: a typed array (FP16 as Float32Array values, BOOL as 0/1 bytes) or strings. */
export type BinaryValues = TensorData;

// The wire is little-endian and typed arrays use the host's order. Every platform onnxruntime-node ships
// for (x64, arm64) is little-endian; a big-endian host gets a clear refusal rather than swapped numbers.
const HOST_IS_LITTLE_ENDIAN = os.endianness() === 'LE';

function invalid(message: string, hint: string): MlopsError {
  return new MlopsError('INVALID_ARGUMENT', message, hint);
}

const SIZE_HINT =
  "Each binary tensor's parameters.binary_data_size must be its byte length, and Inference-Header-Content-Length the JSON part's.";

function requireLittleEndianHost(): void {
  if (!HOST_IS_LITTLE_ENDIAN)
    throw new MlopsError(
      'UNAVAILABLE',
      'Binary tensor data is not supported on a big-endian host.',
      'Send the tensors as JSON "data" instead.',
    );
}

function isWidthType(d: unknown): d is Exclude<Datatype, 'BYTES'> {
  return d !== 'BYTES' && isDatatype(d);
}

/** The element type of a fixed-width datatype, where its typed array and byte width come from. */
function fixedElemType(d: Exclude<Datatype, 'BYTES'>): Exclude<ElemType, 'string'> {
  return elemTypeOf(d) as Exclude<ElemType, 'string'>;
}

/** A copy in a fresh, aligned buffer: request slices can start at any byte, and typed arrays cannot. */
function aligned(bytes: Uint8Array): ArrayBuffer {
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  return copy.buffer;
}

/** One tensor's bytes as values of its datatype; `input` names it in errors. */
export function decodeBinaryTensor(input: string, datatype: unknown, shape: unknown, bytes: Uint8Array): BinaryValues {
  requireLittleEndianHost();
  if (datatype === 'BYTES') return decodeStrings(input, bytes);
  if (!isWidthType(datatype))
    throw invalid(
      `input '${input}': datatype ${JSON.stringify(datatype) ?? 'nothing'} cannot be sent as binary data`,
      'Give an OIP datatype: BOOL, INT8..INT64, UINT8..UINT64, FP16, FP32, FP64 or BYTES.',
    );
  const width = elementBytes(fixedElemType(datatype));
  const dims = Array.isArray(shape) && shape.every((d) => Number.isInteger(d) && d >= 0) ? (shape as number[]) : null;
  if (dims && product(dims) * width !== bytes.length)
    throw invalid(
      `input '${input}': shape [${dims.join(', ')}] of ${datatype} takes ${product(dims) * width} bytes, but binary_data_size is ${bytes.length}`,
      SIZE_HINT,
    );
  if (bytes.length % width !== 0)
    throw invalid(
      `input '${input}': ${bytes.length} bytes is not a whole number of ${datatype} elements (${width} bytes each)`,
      SIZE_HINT,
    );
  const buf = aligned(bytes);
  if (datatype === 'FP16') return Float32Array.from(new Uint16Array(buf), fromHalfBits);
  const values = viewOf(fixedElemType(datatype), buf);
  if (datatype === 'BOOL') {
    const bad = values.findIndex((v: number | bigint) => v > 1);
    if (bad >= 0)
      throw invalid(
        `input '${input}': BOOL element ${bad} is the byte ${values[bad]}; binary BOOL elements are 0 or 1`,
        'Send false as the byte 0 and true as the byte 1.',
      );
  }
  return values;
}

function decodeStrings(input: string, bytes: Uint8Array): string[] {
  const out: string[] = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  while (at < bytes.length) {
    if (at + 4 > bytes.length)
      throw invalid(
        `input '${input}': BYTES element ${out.length} is cut short (its 4-byte length prefix starts ${bytes.length - at} bytes before the end)`,
        'Each BYTES element is a 4-byte little-endian length followed by that many bytes.',
      );
    const n = view.getUint32(at, true);
    if (at + 4 + n > bytes.length)
      throw invalid(
        `input '${input}': BYTES element ${out.length} declares ${n} bytes, but only ${bytes.length - at - 4} are left`,
        'Each BYTES element is a 4-byte little-endian length followed by that many bytes.',
      );
    out.push(Buffer.from(bytes.buffer, bytes.byteOffset + at + 4, n).toString('utf8'));
    at += 4 + n;
  }
  return out;
}

/** The bytes of flat values (JSON-style numbers/booleans/strings, or a typed array) of a datatype. */
export function encodeBinaryValues(datatype: Datatype, values: ArrayLike<unknown>): Buffer {
  requireLittleEndianHost();
  const n = values.length;
  if (datatype === 'BYTES') {
    const parts: Buffer[] = [];
    for (let i = 0; i < n; i++) {
      const s = Buffer.from(String(values[i]), 'utf8');
      const len = Buffer.allocUnsafe(4);
      len.writeUInt32LE(s.length, 0);
      parts.push(len, s);
    }
    return Buffer.concat(parts);
  }
  let arr: ArrayBufferView;
  switch (datatype) {
    case 'BOOL':
      arr = Uint8Array.from({ length: n }, (_, i) => (values[i] ? 1 : 0));
      break;
    case 'FP16':
      arr = Uint16Array.from({ length: n }, (_, i) => toHalfBits(Number(values[i])));
      break;
    case 'UINT64':
      arr = BigUint64Array.from({ length: n }, (_, i) => BigInt(values[i] as number | bigint));
      break;
    case 'INT64':
      arr = BigInt64Array.from({ length: n }, (_, i) => BigInt(values[i] as number | bigint));
      break;
    default: {
      const typed = allocate(elemTypeOf(datatype), n) as Exclude<NumericArray, BigInt64Array | BigUint64Array>;
      for (let i = 0; i < n; i++) typed[i] = values[i] as number;
      arr = typed;
    }
  }
  return Buffer.from(arr.buffer, arr.byteOffset, arr.byteLength);
}

/** The JSON part's length from the request header, checked against the body. */
export function headerLength(raw: string | string[] | undefined, bodyLength: number): number {
  const text = Array.isArray(raw) ? raw[0] : raw;
  const n = text !== undefined && /^\s*\d+\s*$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n > bodyLength)
    throw invalid(
      `Inference-Header-Content-Length is ${JSON.stringify(text)}; it must be the byte length of the body's JSON part (0 to ${bodyLength})`,
      SIZE_HINT,
    );
  return n;
}

function binarySize(input: RequestInput): number | undefined {
  const params = input?.parameters as Record<string, ParameterValue> | undefined;
  const size = params && typeof params === 'object' ? params.binary_data_size : undefined;
  if (size === undefined) return undefined;
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0)
    throw invalid(
      `input '${input.name}': parameters.binary_data_size must be a byte count, got ${JSON.stringify(size)}`,
      SIZE_HINT,
    );
  return size;
}

/**
 * Puts each binary input's decoded values into its `data`, taking the bytes after the JSON part in
 * input order. Every byte must belong to exactly one input: a mismatch means the client's sizes are
 * wrong, and guessing would feed a model the wrong numbers.
 */
export function attachBinaryInputs(request: InferRequest, binary: Uint8Array): void {
  let at = 0;
  for (const input of request.inputs) {
    const size = binarySize(input);
    if (size === undefined) continue;
    if (input.data !== undefined)
      throw invalid(
        `input '${input.name}' has both "data" and parameters.binary_data_size`,
        'Send the tensor either as JSON "data" or as binary data after the JSON, not both.',
      );
    if (at + size > binary.length)
      throw invalid(
        `input '${input.name}': binary_data_size is ${size}, but only ${binary.length - at} bytes of binary data are left after the JSON part`,
        SIZE_HINT,
      );
    input.data = decodeBinaryTensor(input.name, input.datatype, input.shape, binary.subarray(at, at + size));
    at += size;
  }
  if (at !== binary.length)
    throw invalid(
      `the body has ${binary.length} bytes after its JSON part, but the inputs' binary_data_size add up to ${at}`,
      SIZE_HINT,
    );
}

/**
 * Which outputs go back as binary: an output's own `binary_data`, else the request's `binary_data_output`.
 * Every flag is checked here, before the model runs, so a malformed one costs no inference.
 */
export function binaryOutputChoice(request: InferRequest): (output: string) => boolean {
  const flag = (v: unknown, where: string): boolean | undefined => {
    if (v === undefined) return undefined;
    if (typeof v !== 'boolean')
      throw invalid(
        `${where} must be true or false, got ${JSON.stringify(v)}`,
        'Set it to true or false, or leave it out.',
      );
    return v;
  };
  const all = flag(request.parameters?.binary_data_output, 'parameters.binary_data_output') ?? false;
  const own = new Map<string, boolean>();
  for (const o of request.outputs ?? []) {
    const v = flag(o?.parameters?.binary_data, `output '${o?.name}': parameters.binary_data`);
    if (v !== undefined && typeof o.name === 'string') own.set(o.name, v);
  }
  return (output) => own.get(output) ?? all;
}

/** An output in the JSON part of a binary response: its bytes follow the JSON, so it has no `data`. */
export type BinaryOutputHead = Omit<ResponseOutput, 'data'> & { parameters: { binary_data_size: number } };

/**
 * A response with the named outputs moved after the JSON: returns the JSON part (those outputs carry
 * `parameters.binary_data_size` and no `data`) and the binary tail, in output order.
 */
export function binaryResponse(
  response: InferResponse,
  binary: (output: string) => boolean,
): { json: Omit<InferResponse, 'outputs'> & { outputs: (ResponseOutput | BinaryOutputHead)[] }; tail: Buffer[] } {
  const tail: Buffer[] = [];
  const outputs = response.outputs.map((o): ResponseOutput | BinaryOutputHead => {
    if (!binary(o.name)) return o;
    const bytes = encodeBinaryValues(o.datatype, o.data);
    tail.push(bytes);
    const { data: _data, ...rest } = o;
    return { ...rest, parameters: { binary_data_size: bytes.length } };
  });
  return { json: { ...response, outputs }, tail };
}

/** A request body with every input sent as binary data; `binaryOutputs` asks for binary outputs too. */
export function binaryRequestBody(request: InferRequest, binaryOutputs: boolean): { body: Buffer; jsonLength: number } {
  const tail: Buffer[] = [];
  const inputs = request.inputs.map((i) => {
    const bytes = encodeBinaryValues(i.datatype, i.data as ArrayLike<unknown>);
    tail.push(bytes);
    const { data: _data, ...rest } = i;
    return { ...rest, parameters: { ...i.parameters, binary_data_size: bytes.length } };
  });
  const head: Record<string, unknown> = { ...request, inputs };
  if (binaryOutputs) head.parameters = { ...request.parameters, binary_data_output: true };
  const json = Buffer.from(JSON.stringify(head));
  return { body: Buffer.concat([json, ...tail]), jsonLength: json.length };
}

/** A binary response read back (for clients and tests): outputs with `data` filled from the tail. */
export function readBinaryResponse(body: Buffer, jsonLength: number): InferResponse {
  const response = JSON.parse(body.subarray(0, jsonLength).toString('utf8')) as InferResponse;
  let at = jsonLength;
  for (const o of response.outputs) {
    const size = (o as { parameters?: Record<string, ParameterValue> }).parameters?.binary_data_size;
    if (typeof size !== 'number') continue;
    const values = decodeBinaryTensor(o.name, o.datatype, o.shape, body.subarray(at, at + size));
    if (!ArrayBuffer.isView(values)) o.data = values;
    else if (o.datatype === 'BOOL') o.data = Array.from(values as Uint8Array, (v) => v !== 0);
    else o.data = Array.from(values as ArrayLike<number | bigint>, Number);
    at += size;
  }
  return response;
}
