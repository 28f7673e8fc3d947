import { MlopsError } from '../../errors';
import type { Datatype, ResponseOutput } from '../types';
import {
  allocate,
  datatypeOf,
  type ElemType,
  elemTypeOf,
  matchesArrayType,
  type NumericArray,
  type TensorData,
  valueRule,
  type ValueRule,
} from './datatypes';
import { fromHalfBits, toHalfBits } from './float16';

/**
 * JSON tensor data <-> typed arrays. Decoding checks every element against the datatype the request
 * declared and the element type the model takes; encoding turns a (slice of a) typed array into the flat
 * JSON-ready array of an OIP response.
 *
 * Non-finite floats: a model may output NaN or ±Infinity. `ResponseOutput.data` keeps them as numbers
 * (in-process callers such as the load tester and quantize-and-compare see the real values) and
 * `JSON.stringify` writes them as `null`, the only JSON spelling they have. Requests may send non-finite
 * values only in-process (JSON cannot carry them).
 */

function invalid(input: string, message: string): MlopsError {
  return new MlopsError(
    'INVALID_ARGUMENT',
    `input '${input}': ${message}`,
    'Fix the request to match the model signature.',
  );
}

export function product(dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) n *= d;
  return n;
}

function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 20 ? v.slice(0, 20) + '…' : v)}`;
  if (typeof v === 'object') return 'an object';
  return String(v);
}

/**
 * Flattens `data` (flat, or nested exactly like `shape`) into an array-like of elements, row-major.
 * Nested data must be rectangular and match the shape level by level.
 */
export function flatten(input: string, data: unknown, shape: readonly number[]): ArrayLike<unknown> {
  const count = product(shape);
  if (ArrayBuffer.isView(data) && !(data instanceof DataView)) {
    const arr = data as unknown as ArrayLike<unknown>;
    if (arr.length !== count)
      throw invalid(input, `shape [${shape.join(', ')}] holds ${count} elements, but data has ${arr.length}`);
    return arr;
  }
  if (!Array.isArray(data)) {
    if (shape.length === 0 && data !== undefined) return [data];
    throw invalid(input, `'data' must be a list, got ${describeValue(data)}`);
  }
  if (data.length > 0 && Array.isArray(data[0])) {
    const out: unknown[] = [];
    walkNested(input, data, shape, 0, [], out);
    return out;
  }
  if (data.length !== count)
    throw invalid(input, `shape [${shape.join(', ')}] holds ${count} elements, but data has ${data.length}`);
  return data;
}

/** Depth-first over nested lists; `at` is the index path (a stack, so no allocation per element). */
function walkNested(
  input: string,
  node: unknown,
  shape: readonly number[],
  level: number,
  at: number[],
  out: unknown[],
): void {
  const where = () => (at.length ? `data[${at.join('][')}]` : 'data');
  const rule = `nested data must follow shape [${shape.join(', ')}]`;
  if (level === shape.length) {
    if (Array.isArray(node))
      throw invalid(input, `nested data is deeper than shape [${shape.join(', ')}] (at ${where()})`);
    out.push(node);
    return;
  }
  if (!Array.isArray(node))
    throw invalid(input, `${rule}: ${where()} is ${describeValue(node)}, expected a list of ${shape[level]}`);
  if (node.length !== shape[level])
    throw invalid(input, `${rule}: ${where()} has ${node.length} entries, expected ${shape[level]}`);
  for (let i = 0; i < node.length; i++) {
    at.push(i);
    walkNested(input, node[i], shape, level + 1, at, out);
    at.pop();
  }
}

/** Whether data declared as `declared` may feed an input of element type `target`. */
export function convertible(declared: Datatype, target: ElemType): boolean {
  const from = elemTypeOf(declared);
  if (from === 'float16') return false;
  const a = valueRule(from).kind;
  const b = valueRule(target).kind;
  return a === b;
}

function checkNumber(input: string, i: number, v: number, rule: ValueRule, dt: Datatype, role: string): void {
  if (rule.integer && !Number.isInteger(v))
    throw invalid(input, `element ${i} (${v}) is not an integer, as ${role} ${dt} requires`);
  if (Number.isFinite(v) && (v < rule.min || v > rule.max))
    throw invalid(input, `element ${i} (${v}) is out of range for ${role} ${dt} [${rule.min}, ${rule.max}]`);
}

/** Both rules at once (the per-element fast path); a failure is then explained by checkNumber. */
function combine(a: ValueRule, b: ValueRule): ValueRule {
  return { kind: a.kind, integer: a.integer || b.integer, min: Math.max(a.min, b.min), max: Math.min(a.max, b.max) };
}

/**
 * Converts flat JSON elements declared as `declared` into the array onnxruntime takes for `target`.
 * Every element is checked: a string where a number belongs, a fraction or an out-of-range value for an
 * integer type (the declared one or the model's) is an INVALID_ARGUMENT naming the input and element.
 */
export function encodeElements(
  input: string,
  flat: ArrayLike<unknown>,
  declared: Datatype,
  target: ElemType,
): TensorData {
  const n = flat.length;
  // In-process callers may pass the exact typed array already: copy it (the copy's buffer is transferred).
  if (elemTypeOf(declared) === target && target !== 'string' && matchesArrayType(target, flat))
    return (flat as unknown as NumericArray).slice();
  const out = allocate(target, n);
  const targetRule = valueRule(target);
  const declaredRule = valueRule(elemTypeOf(declared));
  const modelDt = datatypeOf(target) ?? declared;
  if (targetRule.kind === 'string') {
    const strings = out as string[];
    for (let i = 0; i < n; i++) {
      const v = flat[i];
      if (typeof v !== 'string') throw invalid(input, `element ${i} is ${describeValue(v)}, expected a string (BYTES)`);
      strings[i] = v;
    }
    return strings;
  }
  if (targetRule.kind === 'bool') {
    const bools = out as Uint8Array;
    for (let i = 0; i < n; i++) {
      const v = flat[i];
      if (typeof v !== 'boolean') throw invalid(input, `element ${i} is ${describeValue(v)}, expected true or false`);
      bools[i] = v ? 1 : 0;
    }
    return bools;
  }
  const big = target === 'int64' || target === 'uint64';
  const both = combine(declaredRule, targetRule);
  for (let i = 0; i < n; i++) {
    let v = flat[i];
    if (typeof v === 'bigint') {
      if (!big) v = Number(v);
      else {
        const ok = target === 'int64' ? BigInt.asIntN(64, v) === v : BigInt.asUintN(64, v) === v;
        if (!ok) throw invalid(input, `element ${i} (${v}) is out of range for the model's ${modelDt}`);
        (out as BigInt64Array | BigUint64Array)[i] = v;
        continue;
      }
    }
    if (typeof v !== 'number')
      throw invalid(input, `element ${i} is ${describeValue(v)}, expected a number (${declared})`);
    if ((both.integer && !Number.isInteger(v)) || (Number.isFinite(v) && (v < both.min || v > both.max))) {
      checkNumber(input, i, v, declaredRule, declared, 'the declared');
      checkNumber(input, i, v, targetRule, modelDt, "the model's");
    }
    if (big) (out as BigInt64Array)[i] = BigInt(v);
    else if (target === 'float16') (out as Uint16Array)[i] = toHalfBits(v);
    else (out as Float64Array)[i] = v;
  }
  return out;
}

/** The flat JSON-ready values of `data[start, end)`; 64-bit integers beyond ±2^53 lose precision. */
export function toJsonValues(
  type: ElemType,
  data: TensorData,
  start = 0,
  end = data.length,
): number[] | string[] | boolean[] {
  if (type === 'string') return (data as string[]).slice(start, end);
  const view = (data as NumericArray).subarray(start, end);
  if (type === 'bool') return Array.from(view as Uint8Array, (v) => v !== 0);
  if (type === 'float16') return Array.from(view as Uint16Array, fromHalfBits);
  if (type === 'int64' || type === 'uint64') return Array.from(view as BigInt64Array, Number);
  // A plain loop: Array.from over a typed array is several times slower, and this runs on the main thread.
  const numbers = view as Float32Array;
  const out = new Array<number>(numbers.length);
  for (let i = 0; i < numbers.length; i++) out[i] = numbers[i];
  return out;
}

/** One OIP response output from rows [rowStart, rowEnd) of a (possibly batched) output tensor. */
export function toResponseOutput(
  name: string,
  type: ElemType,
  dims: readonly number[],
  data: TensorData,
  rowStart?: number,
  rowEnd?: number,
): ResponseOutput {
  const datatype = datatypeOf(type) as Datatype;
  if (rowStart === undefined || rowEnd === undefined || dims.length === 0)
    return { name, shape: [...dims], datatype, data: toJsonValues(type, data) };
  const rowSize = product(dims.slice(1));
  return {
    name,
    shape: [rowEnd - rowStart, ...dims.slice(1)],
    datatype,
    data: toJsonValues(type, data, rowStart * rowSize, rowEnd * rowSize),
  };
}
