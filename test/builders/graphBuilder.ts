import { modelType } from '../../src/core/onnx/onnxSchema';

/**
 * Builds tiny ONNX graphs of any element type in code, for the serving runtime's tests: pass-through
 * (Identity) models per datatype, several inputs and outputs, and graphs whose outputs do not follow the
 * batch. Weights-free, so every file is a few hundred bytes.
 */
export const ONNX_TYPE = {
  float32: 1,
  uint8: 2,
  int8: 3,
  uint16: 4,
  int16: 5,
  int32: 6,
  int64: 7,
  string: 8,
  bool: 9,
  float16: 10,
  float64: 11,
  uint32: 12,
  uint64: 13,
} as const;

export type OnnxTypeName = keyof typeof ONNX_TYPE;

export interface ValueSpec {
  name: string;
  type: OnnxTypeName;
  /** Numbers are fixed, strings symbolic; null leaves a dim open. Omit for no declared shape. */
  dims?: (number | string | null)[];
}

export interface NodeSpec {
  op: string;
  inputs: string[];
  outputs: string[];
  attributes?: { name: string; i?: number; ints?: number[]; type: number }[];
}

export interface GraphSpec {
  inputs: ValueSpec[];
  outputs: ValueSpec[];
  nodes: NodeSpec[];
  opset?: number;
}

function valueInfo(v: ValueSpec) {
  const shape =
    v.dims === undefined
      ? undefined
      : {
          dim: v.dims.map((d) =>
            typeof d === 'number' ? { dimValue: d } : typeof d === 'string' ? { dimParam: d } : {},
          ),
        };
  return { name: v.name, type: { tensorType: { elemType: ONNX_TYPE[v.type], ...(shape ? { shape } : {}) } } };
}

export function buildGraph(g: GraphSpec): Uint8Array {
  const model = {
    irVersion: 8,
    producerName: 'mlops-studio-tests',
    producerVersion: '0.1.0',
    opsetImport: [{ domain: '', version: g.opset ?? 17 }],
    graph: {
      name: 'g',
      node: g.nodes.map((n, i) => ({
        opType: n.op,
        input: n.inputs,
        output: n.outputs,
        name: `${n.op}_${i}`,
        attribute: n.attributes ?? [],
      })),
      input: g.inputs.map(valueInfo),
      output: g.outputs.map(valueInfo),
    },
  };
  const T = modelType('full');
  return T.encode(T.fromObject(model)).finish();
}

/** x -> Identity -> y, of one element type and shape. */
export function buildIdentity(type: OnnxTypeName, dims: (number | string | null)[] = ['batch', 3]): Uint8Array {
  return buildGraph({
    inputs: [{ name: 'x', type, dims }],
    outputs: [{ name: 'y', type, dims }],
    nodes: [{ op: 'Identity', inputs: ['x'], outputs: ['y'] }],
  });
}
