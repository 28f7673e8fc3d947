import { toHalfBits } from '../../util/float16';
import { DATA_TYPE, toNumber } from '../onnxSchema';
import {
  ATTR,
  dimsOf,
  elementCount,
  floatValues,
  halfTensor,
  type Model,
  Names,
  type OnnxNode,
  type Tensor,
} from './graph';
import type { NodeNote } from './types';

/**
 * fp16 weights: each float32 initializer (of at least MIN_ELEMENTS values) is stored as float16 under a
 * new name, and a Cast back to float32 produces the original name at the start of the graph. Consumers,
 * graph inputs and outputs are unchanged (float32 in, float32 out), so the model serves exactly as before
 * with a file about half the size. onnxruntime folds the Casts at load time, so the CPU computes in
 * float32 as before: this mode is for size, and it rarely speeds up a CPU.
 */
const MIN_ELEMENTS = 16;
const HALF_MAX = 65504;

/** float32 -> IEEE half bits, round to nearest even; values beyond the half range saturate to ±65504. */
export function halfBits(value: number): number {
  return toHalfBits(value, true);
}

export interface Fp16Rewrite {
  rewritten: NodeNote[];
  skipped: NodeNote[];
  weightBytesBefore: number;
  weightBytesAfter: number;
  clamped: number;
}

export function rewriteFp16(m: Model): Fp16Rewrite {
  const g = m.graph;
  const names = new Names(g);
  const legacyInputs = toNumber(m.irVersion) < 4;
  const graphInputs = new Set(g.input.map((v) => v.name));
  const casts: OnnxNode[] = [];
  const r: Fp16Rewrite = { rewritten: [], skipped: [], weightBytesBefore: 0, weightBytesAfter: 0, clamped: 0 };
  const inits: Tensor[] = [];
  for (const t of g.initializer) {
    const eligible = t.dataType === DATA_TYPE.FLOAT && elementCount(t) >= MIN_ELEMENTS;
    if (!eligible || (!legacyInputs && graphInputs.has(t.name))) {
      inits.push(t);
      continue;
    }
    const values = floatValues(t);
    const bits = new Uint16Array(values.length);
    for (let i = 0; i < values.length; i++) {
      if (Math.abs(values[i]) > HALF_MAX) r.clamped++;
      bits[i] = halfBits(values[i]);
    }
    const stored = names.fresh(`${t.name}_fp16`);
    inits.push(halfTensor(stored, dimsOf(t), bits));
    casts.push({
      opType: 'Cast',
      input: [stored],
      output: [t.name],
      name: names.fresh(`${t.name}_Cast`),
      attribute: [{ name: 'to', type: ATTR.INT, i: DATA_TYPE.FLOAT }],
    });
    if (legacyInputs) g.input = g.input.filter((v) => v.name !== t.name);
    r.rewritten.push({ node: t.name, opType: 'initializer' });
    r.weightBytesBefore += values.length * 4;
    r.weightBytesAfter += values.length * 2;
  }
  g.initializer = inits;
  g.node = [...casts, ...g.node];
  return r;
}
