import { DATA_TYPE, toNumber } from '../onnxSchema';
import {
  ATTR,
  attrFloat,
  attrInt,
  dimsOf,
  floatValues,
  isDefaultDomain,
  type Model,
  Names,
  type OnnxNode,
  pruneInitializers,
  type Tensor,
  tensorOf,
} from './graph';
import type { Int8Options, NodeNote } from './types';
import { quantizeWeight, transpose } from './weights';

/**
 * Int8 dynamic quantization, the operator sequence onnxruntime fuses into DynamicQuantizeMatMul:
 *
 *   x ─ DynamicQuantizeLinear ─ x_q, x_scale, x_zp        (uint8, computed per run over the whole input)
 *   MatMulInteger(x_q, W_q, x_zp, W_zp) ─ Cast(float) ─ Mul(·, x_scale · W_scale) ─ y
 *
 * MatMul(x, W) with a constant float W becomes that sequence. Gemm(A, B, C) with a constant B is handled
 * too (onnxruntime's quantize_dynamic leaves Gemm alone): transB is applied to the stored weight, alpha
 * folds into W_scale, transA becomes a Transpose, and beta·C is added after. One DynamicQuantizeLinear
 * serves every consumer of the same activation; one quantized weight serves every node sharing it.
 */
export interface Int8Rewrite {
  rewritten: NodeNote[];
  skipped: NodeNote[];
  weightBytesBefore: number;
  weightBytesAfter: number;
}

interface QWeight {
  q: string;
  scale: string;
  zp: string;
}

const node = (opType: string, input: string[], output: string[], name: string, attribute?: object[]): OnnxNode =>
  ({ opType, input, output, name, ...(attribute ? { attribute } : {}) }) as OnnxNode;

function label(n: OnnxNode): string {
  return n.name || `${n.opType}->${n.output[0] ?? ''}`;
}

export function rewriteInt8(m: Model, o: Int8Options): Int8Rewrite {
  const g = m.graph;
  const names = new Names(g);
  const inits = new Map(g.initializer.map((t) => [t.name, t]));
  const graphInputs = new Set(g.input.map((v) => v.name));
  // Before IR 4 every initializer is listed among the inputs too; from IR 4 on, one listed there can be fed.
  const legacyInputs = toNumber(m.irVersion) < 4;
  const result: Int8Rewrite = { rewritten: [], skipped: [], weightBytesBefore: 0, weightBytesAfter: 0 };
  const activations = new Map<string, { q: string; scale: string; zp: string }>();
  const weights = new Map<string, QWeight>();
  const added: Tensor[] = [];
  const out: OnnxNode[] = [];

  /** The constant float weight `name`, or why it is not one. */
  function constantWeight(name: string | undefined): Tensor | string {
    const t = name ? inits.get(name) : undefined;
    if (!t) return 'its weight is computed in the graph, not a constant initializer';
    if (!legacyInputs && graphInputs.has(t.name)) return 'its weight is also a graph input (a caller may replace it)';
    if (t.dataType !== DATA_TYPE.FLOAT) return 'its weight is not float32';
    if (dimsOf(t).length !== 2) return `its weight has ${dimsOf(t).length} dimensions (2 are quantized)`;
    return t;
  }

  function quantized(t: Tensor, transB: boolean, alpha: number): QWeight {
    const key = `${t.name}|${transB}|${alpha}`;
    const known = weights.get(key);
    if (known) return known;
    const [R, C] = dimsOf(t);
    const [K, N] = transB ? [C, R] : [R, C];
    const values = transB ? transpose(floatValues(t), R, C) : floatValues(t);
    const w = quantizeWeight(values, K, N, o, alpha);
    const shape = o.perChannel ? [N] : [];
    const q: QWeight = {
      q: names.fresh(`${t.name}_quantized`),
      scale: names.fresh(`${t.name}_scale`),
      zp: names.fresh(`${t.name}_zero_point`),
    };
    added.push(tensorOf(q.q, [K, N], w.data), tensorOf(q.scale, shape, w.scale), tensorOf(q.zp, shape, w.zeroPoint));
    result.weightBytesBefore += K * N * 4;
    result.weightBytesAfter += w.data.byteLength + w.scale.byteLength + w.zeroPoint.byteLength;
    weights.set(key, q);
    return q;
  }

  function quantizedActivation(x: string): { q: string; scale: string; zp: string } {
    const known = activations.get(x);
    if (known) return known;
    const a = {
      q: names.fresh(`${x}_quantized`),
      scale: names.fresh(`${x}_scale`),
      zp: names.fresh(`${x}_zero_point`),
    };
    out.push(node('DynamicQuantizeLinear', [x], [a.q, a.scale, a.zp], names.fresh(`${x}_DynamicQuantizeLinear`)));
    activations.set(x, a);
    return a;
  }

  /** MatMulInteger -> Cast -> Mul(x_scale · W_scale), ending in `y`. */
  function integerMatMul(x: string, w: QWeight, y: string, base: string): void {
    const a = quantizedActivation(x);
    const mmi = names.fresh(`${base}_MatMulInteger_out`);
    const cast = names.fresh(`${base}_Cast_out`);
    const scales = names.fresh(`${base}_scales`);
    out.push(node('MatMulInteger', [a.q, w.q, a.zp, w.zp], [mmi], names.fresh(`${base}_MatMulInteger`)));
    out.push(
      node('Cast', [mmi], [cast], names.fresh(`${base}_Cast`), [{ name: 'to', type: ATTR.INT, i: DATA_TYPE.FLOAT }]),
    );
    out.push(node('Mul', [a.scale, w.scale], [scales], names.fresh(`${base}_scales_Mul`)));
    out.push(node('Mul', [cast, scales], [y], names.fresh(`${base}_Mul`)));
  }

  function matMul(n: OnnxNode): string | undefined {
    const w = constantWeight(n.input[1]);
    if (typeof w === 'string') return w;
    integerMatMul(n.input[0], quantized(w, false, 1), n.output[0], n.name || names.fresh('MatMul'));
    return undefined;
  }

  function gemm(n: OnnxNode): string | undefined {
    const w = constantWeight(n.input[1]);
    if (typeof w === 'string') return w;
    const alpha = attrFloat(n, 'alpha', 1);
    const beta = attrFloat(n, 'beta', 1);
    const base = n.name || names.fresh('Gemm');
    let a = n.input[0];
    if (attrInt(n, 'transA', 0)) {
      const t = names.fresh(`${base}_A_transposed`);
      out.push(
        node('Transpose', [a], [t], names.fresh(`${base}_Transpose`), [
          { name: 'perm', type: ATTR.INTS, ints: [1, 0] },
        ]),
      );
      a = t;
    }
    const c = n.input[2];
    const y = n.output[0];
    if (!c || beta === 0) {
      integerMatMul(a, quantized(w, attrInt(n, 'transB', 0) === 1, alpha), y, base);
      return undefined;
    }
    const product = names.fresh(`${base}_product`);
    integerMatMul(a, quantized(w, attrInt(n, 'transB', 0) === 1, alpha), product, base);
    let bias = c;
    if (beta !== 1) {
      const ct = inits.get(c);
      if (ct && ct.dataType === DATA_TYPE.FLOAT && (legacyInputs || !graphInputs.has(c))) {
        bias = names.fresh(`${c}_times_beta`);
        added.push(
          tensorOf(
            bias,
            dimsOf(ct),
            floatValues(ct).map((v) => v * beta),
          ),
        );
      } else {
        const betaName = names.fresh(`${base}_beta`);
        added.push(tensorOf(betaName, [], Float32Array.of(beta)));
        bias = names.fresh(`${base}_bias`);
        out.push(node('Mul', [c, betaName], [bias], names.fresh(`${base}_beta_Mul`)));
      }
    }
    out.push(node('Add', [product, bias], [y], names.fresh(`${base}_Add`)));
    return undefined;
  }

  for (const n of g.node) {
    const isTarget = isDefaultDomain(n.domain) && (n.opType === 'MatMul' || n.opType === 'Gemm');
    if (!isTarget) {
      out.push(n);
      continue;
    }
    const reason = n.opType === 'MatMul' ? matMul(n) : gemm(n);
    if (reason === undefined) result.rewritten.push({ node: label(n), opType: n.opType });
    else {
      out.push(n);
      result.skipped.push({ node: label(n), opType: n.opType, reason });
    }
  }
  g.node = out;
  g.initializer = [...g.initializer, ...added];
  pruneInitializers(g);
  return result;
}
