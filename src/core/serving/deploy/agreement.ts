import type { ResponseOutput } from '../types';
import { argmax } from '../../stats/argmax';

export interface Agreement {
  /** True when every output agrees: the same top-1 class per row, or the same values (1e-5) without classes. */
  agreed: boolean;
  /** Largest absolute difference over all numeric outputs; Infinity when an output is missing or reshaped. */
  maxAbsDiff: number;
}

const TOLERANCE = 1e-5;

/**
 * How far a shadow's outputs are from the answer's (Triton's model analyzer and MLflow's evaluation
 * compare the same two things): per output, rows of a class axis (rank >= 2, last dim > 1) agree when
 * their top-1 class is the same; other outputs agree when equal within 1e-5 (absolute and relative).
 */
export function compareOutputs(served: ResponseOutput[], shadow: ResponseOutput[]): Agreement {
  let agreed = true;
  let maxAbsDiff = 0;
  const byName = new Map(shadow.map((o) => [o.name, o]));
  for (const a of served) {
    const b = byName.get(a.name);
    if (!b || b.data.length !== a.data.length || b.shape.join(',') !== a.shape.join(',')) {
      return { agreed: false, maxAbsDiff: Infinity };
    }
    const numeric = a.data.length === 0 || typeof a.data[0] === 'number';
    if (!numeric) {
      for (let i = 0; i < a.data.length; i++) if (a.data[i] !== b.data[i]) agreed = false;
      continue;
    }
    let outputDiff = 0;
    let valuesEqual = true;
    for (let i = 0; i < a.data.length; i++) {
      const x = Number(a.data[i]);
      const y = Number(b.data[i]);
      const d = Math.abs(x - y);
      if (d > outputDiff) outputDiff = d;
      if (d > TOLERANCE * Math.max(1, Math.abs(x))) valuesEqual = false;
    }
    if (outputDiff > maxAbsDiff) maxAbsDiff = outputDiff;
    const classes = a.shape.length >= 2 ? a.shape[a.shape.length - 1] : 0;
    if (classes > 1) {
      for (let row = 0; row < a.data.length; row += classes) {
        if (argmax(a.data, row, classes) !== argmax(b.data, row, classes)) agreed = false;
      }
    } else if (!valuesEqual) {
      agreed = false;
    }
  }
  return { agreed, maxAbsDiff };
}
