import { DATA_TYPE, modelType } from '../../src/core/onnx/onnxSchema';

/**
 * Builds small multilayer-perceptron ONNX models in code: the demo's, the tests' and the benchmarks'
 * models, so nothing has to be downloaded. Layers are MatMul -> Add -> Relu (the pattern int8 dynamic
 * quantization rewrites), with an optional Softmax head. Weights come from a seeded generator, so the
 * same options always give the same bytes.
 */
export interface MlpOptions {
  inputDim: number;
  hidden: number[];
  outputDim: number;
  seed?: number;
  graphName?: string;
  inputName?: string;
  outputName?: string;
  /** Symbolic batch dimension name; a number fixes the batch size. */
  batch?: string | number;
  softmax?: boolean;
  opset?: number;
  producerName?: string;
}

/** Mulberry32: tiny, seedable, good enough for weights. */
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

function tensor(name: string, dims: number[], values: Float32Array) {
  return {
    name,
    dims,
    dataType: DATA_TYPE.FLOAT,
    rawData: new Uint8Array(values.buffer, values.byteOffset, values.byteLength),
  };
}

function valueInfo(name: string, dims: (number | string)[]) {
  return {
    name,
    type: {
      tensorType: {
        elemType: DATA_TYPE.FLOAT,
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

export function buildMlp(o: MlpOptions): Uint8Array {
  const rand = seededRandom(o.seed ?? 1);
  const inputName = o.inputName ?? 'input';
  const outputName = o.outputName ?? 'output';
  const batch = o.batch ?? 'batch';
  const sizes = [o.inputDim, ...o.hidden, o.outputDim];
  const nodes: object[] = [];
  const inits: object[] = [];
  let x = inputName;
  for (let l = 0; l < sizes.length - 1; l++) {
    const [fanIn, fanOut] = [sizes[l], sizes[l + 1]];
    // He-style scale keeps activations in a sane range through Relu layers.
    const scale = Math.sqrt(2 / fanIn);
    const w = new Float32Array(fanIn * fanOut).map(() => (rand() * 2 - 1) * scale);
    const b = new Float32Array(fanOut).map(() => (rand() * 2 - 1) * 0.1);
    inits.push(tensor(`W${l}`, [fanIn, fanOut], w), tensor(`B${l}`, [fanOut], b));
    const last = l === sizes.length - 2;
    const mm = `mm${l}`;
    const add = last && !o.softmax ? outputName : `add${l}`;
    nodes.push({ opType: 'MatMul', input: [x, `W${l}`], output: [mm], name: `MatMul_${l}` });
    nodes.push({ opType: 'Add', input: [mm, `B${l}`], output: [add], name: `Add_${l}` });
    if (!last) {
      nodes.push({ opType: 'Relu', input: [add], output: [`relu${l}`], name: `Relu_${l}` });
      x = `relu${l}`;
    } else if (o.softmax) {
      nodes.push({
        opType: 'Softmax',
        input: [add],
        output: [outputName],
        name: 'Softmax',
        attribute: [{ name: 'axis', i: -1, type: 2 }],
      });
    }
  }
  const model = {
    irVersion: 8,
    producerName: o.producerName ?? 'mlops-studio',
    producerVersion: '0.1.0',
    opsetImport: [{ domain: '', version: o.opset ?? 17 }],
    graph: {
      name: o.graphName ?? 'mlp',
      node: nodes,
      initializer: inits,
      input: [valueInfo(inputName, [batch, o.inputDim])],
      output: [valueInfo(outputName, [batch, o.outputDim])],
    },
  };
  const T = modelType('full');
  return T.encode(T.fromObject(model)).finish();
}
