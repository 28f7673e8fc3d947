import type { Datatype } from '../types';

/**
 * The two names of every tensor element type: the Open Inference Protocol's (`FP32`, on the wire) and
 * onnxruntime's (`float32`, in signatures and sessions), with the typed array each is held in and the
 * value range a JSON number must fall in.
 */

/** onnxruntime's element type names this runtime can feed and read. */
export type ElemType =
  | 'bool'
  | 'uint8'
  | 'uint16'
  | 'uint32'
  | 'uint64'
  | 'int8'
  | 'int16'
  | 'int32'
  | 'int64'
  | 'float16'
  | 'float32'
  | 'float64'
  | 'string';

export type NumericArray =
  | Uint8Array
  | Uint16Array
  | Uint32Array
  | BigUint64Array
  | Int8Array
  | Int16Array
  | Int32Array
  | BigInt64Array
  | Float32Array
  | Float64Array;

/** Tensor data as it crosses to a worker: a typed array (buffer transferred) or strings (copied). */
export type TensorData = NumericArray | string[];

/** A tensor ready for onnxruntime: element type, dims, flat row-major data. */
export interface Tensor {
  type: ElemType;
  dims: number[];
  data: TensorData;
}

const OIP_TO_ELEM: Record<Datatype, ElemType> = {
  BOOL: 'bool',
  UINT8: 'uint8',
  UINT16: 'uint16',
  UINT32: 'uint32',
  UINT64: 'uint64',
  INT8: 'int8',
  INT16: 'int16',
  INT32: 'int32',
  INT64: 'int64',
  FP16: 'float16',
  FP32: 'float32',
  FP64: 'float64',
  BYTES: 'string',
};

const ELEM_TO_OIP = Object.fromEntries(Object.entries(OIP_TO_ELEM).map(([k, v]) => [v, k])) as Record<
  ElemType,
  Datatype
>;

export function isDatatype(s: unknown): s is Datatype {
  return typeof s === 'string' && Object.prototype.hasOwnProperty.call(OIP_TO_ELEM, s);
}

/**
 * The datatype a request states for values written as plain numbers (JSON, CSV, generated examples): a
 * half-float input takes them as FP32 and the server converts, as OIP servers do; there are no halves to
 * send as FP16 outside binary tensor data.
 */
export function numbersDatatype(d: Datatype): Datatype {
  return d === 'FP16' ? 'FP32' : d;
}

export function elemTypeOf(d: Datatype): ElemType {
  return OIP_TO_ELEM[d];
}

/** The OIP name of an onnxruntime element type, or undefined for types OIP has no name for. */
export function datatypeOf(t: string): Datatype | undefined {
  return (ELEM_TO_OIP as Record<string, Datatype | undefined>)[t];
}

export function isElemType(t: string): t is ElemType {
  return datatypeOf(t) !== undefined;
}

/** How a JSON value must look to become an element of this type. */
export interface ValueRule {
  kind: 'number' | 'bool' | 'string';
  integer: boolean;
  min: number;
  max: number;
}

const FP32_MAX = 3.4028234663852886e38;
const FP16_MAX = 65504;

const RULES: Record<ElemType, ValueRule> = {
  bool: { kind: 'bool', integer: false, min: 0, max: 1 },
  uint8: { kind: 'number', integer: true, min: 0, max: 255 },
  uint16: { kind: 'number', integer: true, min: 0, max: 65535 },
  uint32: { kind: 'number', integer: true, min: 0, max: 4294967295 },
  // 64-bit integers arrive as JSON numbers: only values a double holds exactly are accepted.
  uint64: { kind: 'number', integer: true, min: 0, max: Number.MAX_SAFE_INTEGER },
  int8: { kind: 'number', integer: true, min: -128, max: 127 },
  int16: { kind: 'number', integer: true, min: -32768, max: 32767 },
  int32: { kind: 'number', integer: true, min: -2147483648, max: 2147483647 },
  int64: { kind: 'number', integer: true, min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER },
  float16: { kind: 'number', integer: false, min: -FP16_MAX, max: FP16_MAX },
  float32: { kind: 'number', integer: false, min: -FP32_MAX, max: FP32_MAX },
  float64: { kind: 'number', integer: false, min: -Number.MAX_VALUE, max: Number.MAX_VALUE },
  string: { kind: 'string', integer: false, min: 0, max: 0 },
};

export function valueRule(t: ElemType): ValueRule {
  return RULES[t];
}

interface ArrayCtor {
  new (n: number): NumericArray;
  new (buffer: ArrayBuffer): NumericArray;
  readonly BYTES_PER_ELEMENT: number;
}

const CTORS: Record<Exclude<ElemType, 'string'>, ArrayCtor> = {
  bool: Uint8Array,
  uint8: Uint8Array,
  uint16: Uint16Array,
  uint32: Uint32Array,
  uint64: BigUint64Array,
  int8: Int8Array,
  int16: Int16Array,
  int32: Int32Array,
  int64: BigInt64Array,
  // onnxruntime-node holds float16 as raw IEEE half bits.
  float16: Uint16Array,
  float32: Float32Array,
  float64: Float64Array,
};

/** A zeroed array for `n` elements of `t` (strings: empty strings). */
export function allocate(t: ElemType, n: number): TensorData {
  if (t === 'string') return new Array<string>(n).fill('');
  return new CTORS[t](n);
}

/** Bytes per element of `t` in its typed array (and on the wire of Triton's binary tensor data). */
export function elementBytes(t: Exclude<ElemType, 'string'>): number {
  return CTORS[t].BYTES_PER_ELEMENT;
}

/** `t`'s typed array over `buffer` (no copy; the buffer's length must be a multiple of the element size). */
export function viewOf(t: Exclude<ElemType, 'string'>, buffer: ArrayBuffer): NumericArray {
  return new CTORS[t](buffer);
}

/** Whether `data` is the array type onnxruntime expects for `t`. */
export function matchesArrayType(t: ElemType, data: unknown): boolean {
  if (t === 'string') return Array.isArray(data);
  return data instanceof CTORS[t];
}
