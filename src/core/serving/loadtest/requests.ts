import { MlopsError } from '../../errors';
import type { Datatype, InferRequest } from '../types';
import { type InputSpec, requestShape } from './inputSpec';
import { numbersDatatype } from '../runtime/datatypes';

/**
 * The requests a load test cycles through, built before it starts so the generator spends its CPU on
 * sending: valid random examples from the signature, or batches of rows from a data file. A pool of
 * distinct requests (not one repeated) keeps caches honest.
 */

/** Distinct random requests in a pool when no data is given. */
export const DEFAULT_POOL_SIZE = 64;
/** Requests built from a data file, at most (a bigger file is sampled from its start). */
export const MAX_POOL_SIZE = 10_000;

/** Mulberry32: small, seedable, so the same options give the same requests. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A value in a sane range for the datatype: floats in [-1, 1] (4 decimals), integers 0..9, strings "s0".."s9". */
function randomValue(datatype: Datatype, rand: () => number): number | boolean | string {
  switch (datatype) {
    case 'FP16':
    case 'FP32':
    case 'FP64':
      return Math.round((rand() * 2 - 1) * 1e4) / 1e4;
    case 'BOOL':
      return rand() < 0.5;
    case 'BYTES':
      return `s${Math.floor(rand() * 10)}`;
    default:
      // Integers are often indices (embeddings, categories): small non-negative ones are valid for most.
      return Math.floor(rand() * 10);
  }
}

/** One valid random request: every input, its free dims set to 1 and its first free dim to `batch`. */
export function exampleRequest(specs: InputSpec[], batch = 1, rand: () => number = Math.random): InferRequest {
  return {
    inputs: specs.map((s) => {
      const shape = requestShape(s, batch);
      const n = shape.reduce((a, b) => a * b, 1);
      const data = Array.from({ length: n }, () => randomValue(s.datatype, rand));
      return { name: s.name, shape, datatype: numbersDatatype(s.datatype), data };
    }),
  };
}

export function randomRequestPool(
  specs: InputSpec[],
  batch: number,
  size = DEFAULT_POOL_SIZE,
  seed = 1,
): InferRequest[] {
  const rand = seededRandom(seed);
  return Array.from({ length: size }, () => exampleRequest(specs, batch, rand));
}

/**
 * Requests from data rows: the model must take one input of rank 2 ([rows, features]); each request
 * holds `batch` consecutive rows (wrapping round at the end of the data).
 */
export function rowRequestPool(specs: InputSpec[], rows: number[][], batch: number): InferRequest[] {
  const spec = singleMatrixInput(specs);
  const width = spec.shape[1];
  if (rows.length === 0)
    throw new MlopsError('INVALID_ARGUMENT', 'The data holds no complete row to send.', 'Give a file with rows.');
  if (width !== null && rows[0].length !== width)
    throw new MlopsError(
      'INVALID_ARGUMENT',
      `Input '${spec.name}' takes ${width} features per row, the data gives ${rows[0].length}.`,
      'Choose the feature columns with --columns a,b,c (in the order the model expects).',
    );
  const shape0 = requestShape(spec, batch)[0];
  const count = Math.min(MAX_POOL_SIZE, Math.max(1, Math.ceil(rows.length / shape0)));
  const pool: InferRequest[] = [];
  for (let r = 0; r < count; r++) {
    const data: number[] = [];
    for (let k = 0; k < shape0; k++) data.push(...rows[(r * shape0 + k) % rows.length]);
    pool.push({
      inputs: [{ name: spec.name, shape: [shape0, rows[0].length], datatype: numbersDatatype(spec.datatype), data }],
    });
  }
  return pool;
}

export function singleMatrixInput(specs: InputSpec[]): InputSpec {
  if (specs.length !== 1 || specs[0].shape.length !== 2)
    throw new MlopsError(
      'INVALID_ARGUMENT',
      `Rows of a data file map to a model with one 2-D input; this one takes ${describe(specs)}.`,
      'Leave --data out to send random examples built from the signature.',
    );
  const s = specs[0];
  if (s.datatype === 'BYTES' || s.datatype === 'BOOL')
    throw new MlopsError(
      'INVALID_ARGUMENT',
      `Input '${s.name}' is ${s.datatype}; rows of a data file map to numeric inputs only.`,
      'Leave --data out to send random examples built from the signature.',
    );
  return s;
}

function describe(specs: InputSpec[]): string {
  return specs.map((s) => `'${s.name}' [${s.shape.map((d) => d ?? '?').join(', ')}]`).join(', ');
}

/** Flat row-major data -> nested arrays of `shape` (MLflow's TF-serving formats want them nested). */
export function nest(data: unknown[], shape: number[]): unknown {
  if (shape.length <= 1) return shape.length === 0 ? data[0] : data;
  const [, ...rest] = shape;
  const step = rest.reduce((a, b) => a * b, 1);
  const out: unknown[] = [];
  for (let i = 0; i < shape[0]; i++) out.push(nest(data.slice(i * step, (i + 1) * step), rest));
  return out;
}

/** OIP v2 request body (`POST /v2/models/<m>/infer`): flat data, as the spec allows. */
export function oipBody(req: InferRequest): Buffer {
  return Buffer.from(JSON.stringify(req));
}

/**
 * MLflow scoring body (`POST /invocations`): TF-serving columnar `inputs`, nested by shape; a bare
 * array for a single input, an object by name for several.
 */
export function mlflowBody(req: InferRequest): Buffer {
  const nested = req.inputs.map((i) => nest(i.data as unknown[], i.shape));
  const inputs =
    req.inputs.length === 1 ? nested[0] : Object.fromEntries(req.inputs.map((i, k) => [i.name, nested[k]]));
  return Buffer.from(JSON.stringify({ inputs }));
}
