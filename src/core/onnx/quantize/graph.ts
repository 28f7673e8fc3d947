import { DATA_TYPE, modelType, toNumber } from '../onnxSchema';

/**
 * The decoded ONNX model as the quantizer edits it: protobufjs messages (from `modelType('full')`) and
 * plain objects of the same shape for what it adds, encoded back with the same type.
 */
export interface Attr {
  name: string;
  type?: number;
  f?: number;
  i?: unknown;
  s?: Uint8Array;
  ints?: unknown[];
}
export interface OnnxNode {
  name?: string;
  opType: string;
  domain?: string;
  input: string[];
  output: string[];
  attribute?: Attr[];
}
export interface Tensor {
  name: string;
  dims: unknown[];
  dataType: number;
  rawData?: Uint8Array;
  floatData?: number[];
  dataLocation?: number;
  externalData?: unknown[];
}
export interface ValueInfo {
  name: string;
  type?: { tensorType?: { elemType?: number; shape?: unknown } };
}
export interface Graph {
  node: OnnxNode[];
  initializer: Tensor[];
  input: ValueInfo[];
  output: ValueInfo[];
  valueInfo?: ValueInfo[];
  sparseInitializer?: unknown[];
}
export interface Model {
  irVersion?: unknown;
  opsetImport: { domain?: string; version?: unknown }[];
  graph: Graph;
}

export const FLOAT16 = 10;
/** AttributeProto.AttributeType values used here. */
export const ATTR = { FLOAT: 1, INT: 2, INTS: 7 } as const;

export function decodeModel(bytes: Uint8Array): Model {
  const m = modelType('full').decode(bytes) as unknown as Model;
  const g = m.graph;
  g.node ??= [];
  g.initializer ??= [];
  g.input ??= [];
  g.output ??= [];
  m.opsetImport ??= [];
  return m;
}

export function encodeModel(m: Model): Uint8Array {
  // The decoded messages and the plain objects added beside them share the schema's field names.
  return modelType('full')
    .encode(m as unknown as Record<string, unknown>)
    .finish();
}

export function isDefaultDomain(domain: string | undefined): boolean {
  return !domain || domain === 'ai.onnx';
}

export function defaultOpset(m: Model): number | undefined {
  const o = m.opsetImport.find((x) => isDefaultDomain(x.domain));
  return o ? toNumber(o.version) : undefined;
}

export function dimsOf(t: Tensor): number[] {
  return (t.dims ?? []).map(toNumber);
}

export function elementCount(t: Tensor): number {
  return dimsOf(t).reduce((p, d) => p * d, 1);
}

/** A float32 initializer's values (raw little-endian bytes or the float_data field). */
export function floatValues(t: Tensor): Float32Array {
  const n = elementCount(t);
  if (t.rawData && t.rawData.length > 0) {
    const out = new Float32Array(n);
    // Copy: raw bytes inside the decoded buffer need not be 4-byte aligned.
    new Uint8Array(out.buffer).set(t.rawData.subarray(0, n * 4));
    return out;
  }
  return Float32Array.from(t.floatData ?? []);
}

function bytesOf(a: ArrayBufferView): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

export function tensorOf(name: string, dims: number[], values: Float32Array | Int8Array | Uint8Array): Tensor {
  const dataType =
    values instanceof Float32Array ? DATA_TYPE.FLOAT : values instanceof Int8Array ? DATA_TYPE.INT8 : DATA_TYPE.UINT8;
  return { name, dims, dataType, rawData: bytesOf(values) };
}

export function halfTensor(name: string, dims: number[], bits: Uint16Array): Tensor {
  return { name, dims, dataType: FLOAT16, rawData: bytesOf(bits) };
}

export function attrInt(n: OnnxNode, name: string, dflt: number): number {
  const a = n.attribute?.find((x) => x.name === name);
  return a?.i === undefined || a.i === null ? dflt : toNumber(a.i);
}

export function attrFloat(n: OnnxNode, name: string, dflt: number): number {
  const a = n.attribute?.find((x) => x.name === name);
  return a?.f === undefined || a.f === null ? dflt : a.f;
}

/** Fresh names: every name already used in the graph is taken. */
export class Names {
  private readonly used = new Set<string>();
  constructor(g: Graph) {
    for (const n of g.node) {
      for (const x of [...n.input, ...n.output]) this.used.add(x);
      if (n.name) this.used.add(n.name);
    }
    for (const t of g.initializer) this.used.add(t.name);
    for (const v of [...g.input, ...g.output, ...(g.valueInfo ?? [])]) this.used.add(v.name);
  }
  fresh(base: string): string {
    let name = base;
    for (let i = 1; this.used.has(name); i++) name = `${base}_${i}`;
    this.used.add(name);
    return name;
  }
}

/** How many times each name is read by a node or listed as a graph output. */
export function readCounts(g: Graph): Map<string, number> {
  const c = new Map<string, number>();
  const add = (x: string) => x && c.set(x, (c.get(x) ?? 0) + 1);
  for (const n of g.node) n.input.forEach(add);
  for (const o of g.output) add(o.name);
  return c;
}

/** Drops initializers nothing reads any more (and their IR<4 graph-input entries). */
export function pruneInitializers(g: Graph): void {
  const reads = readCounts(g);
  const dropped = new Set(g.initializer.filter((t) => !reads.has(t.name)).map((t) => t.name));
  if (dropped.size === 0) return;
  g.initializer = g.initializer.filter((t) => !dropped.has(t.name));
  g.input = g.input.filter((v) => !dropped.has(v.name));
}
