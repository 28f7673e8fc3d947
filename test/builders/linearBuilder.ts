import { DATA_TYPE, modelType } from '../../src/core/onnx/onnxSchema';

/**
 * Hand-made small graphs for the quantizer's tests: one Gemm (with transA/transB/alpha/beta/bias), a
 * MatMul whose weight is a graph input, anything else as a list of nodes over given initializers.
 */
export interface Init {
  name: string;
  dims: number[];
  values: Float32Array;
}

export function floatTensor(t: Init) {
  return {
    name: t.name,
    dims: t.dims,
    dataType: DATA_TYPE.FLOAT,
    rawData: new Uint8Array(t.values.buffer, t.values.byteOffset, t.values.byteLength),
  };
}

export function valueInfo(name: string, dims: (number | string | null)[], elemType: number = DATA_TYPE.FLOAT) {
  return {
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : d ? { dimParam: d } : {})) },
      },
    },
  };
}

export function buildGraph(o: {
  nodes: object[];
  inits: Init[];
  inputs: ReturnType<typeof valueInfo>[];
  outputs: ReturnType<typeof valueInfo>[];
  opset?: number;
  irVersion?: number;
}): Uint8Array {
  const T = modelType('full');
  return T.encode(
    T.fromObject({
      irVersion: o.irVersion ?? 8,
      producerName: 'test',
      opsetImport: [{ domain: '', version: o.opset ?? 17 }],
      graph: {
        name: 'g',
        node: o.nodes,
        initializer: o.inits.map(floatTensor),
        input: o.inputs,
        output: o.outputs,
      },
    }),
  ).finish();
}

/** Deterministic values in [-1, 1). */
export function values(n: number, seed: number): Float32Array {
  let a = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    a = (Math.imul(a, 1664525) + 1013904223) >>> 0;
    return a / 2 ** 31 - 1;
  });
}

export const attrInt = (name: string, i: number) => ({ name, i, type: 2 });
export const attrFloat = (name: string, f: number) => ({ name, f, type: 1 });
