import { MlopsError } from '../errors';
import { readDataset } from '../drift/read';
import type { Column } from '../drift/types';
import type { ModelSignature } from '../model/types';

/**
 * The rows both models are compared on: a data file's columns mapped, in order, to the model's single 2-D
 * float input (the label column, when named, set aside), or seeded random inputs when there is no data.
 */
export interface EvalData {
  x: Float32Array;
  rows: number;
  features: number;
  labels?: Float64Array;
  source: { kind: 'file'; file: string; columns: string[]; label?: string } | { kind: 'generated'; seed: number };
  /** Rows left out (beyond `maxRows`). */
  truncatedFrom?: number;
}

export interface InputSpec {
  name: string;
  features: number;
}

/** The model's one float input [batch, features], or why it cannot be compared here. */
export function inputSpec(sig: ModelSignature, label: string): InputSpec {
  const bad = (why: string) =>
    new MlopsError(
      'INVALID_ARGUMENT',
      `${label} cannot be compared: ${why}.`,
      'Quantize-and-compare feeds one 2-D float32 input [batch, features]; quantize other models with --out and measure them yourself.',
    );
  if (sig.inputs.length !== 1) throw bad(`it has ${sig.inputs.length} inputs`);
  const i = sig.inputs[0];
  if (i.elemType !== 'float32') throw bad(`its input '${i.name}' is ${i.elemType}, not float32`);
  if (!i.shape || i.shape.length !== 2) throw bad(`its input '${i.name}' is not 2-D [batch, features]`);
  const f = i.shape[1];
  if (typeof f !== 'number') throw bad(`its input '${i.name}' has no fixed number of features`);
  if (typeof i.shape[0] === 'number' && i.shape[0] !== 1) throw bad(`its input '${i.name}' has a fixed batch size`);
  return { name: i.name, features: f };
}

/** Mulberry32 + Box-Muller: standard normal features, the same for the same seed. */
export function generatedData(features: number, rows: number, seed = 42): EvalData {
  let a = seed >>> 0;
  const rand = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 1) / 4294967297;
  };
  const x = new Float32Array(rows * features);
  for (let i = 0; i < x.length; i++) x[i] = Math.sqrt(-2 * Math.log(rand())) * Math.cos(2 * Math.PI * rand());
  return { x, rows, features, source: { kind: 'generated', seed } };
}

function numericValues(c: Column, file: string): Float64Array {
  if ('values' in c) return c.values;
  if (c.type === 'boolean')
    return Float64Array.from(c.codes, (k) => (k < 0 ? NaN : c.dictionary[k] === 'true' ? 1 : 0));
  const nums = c.dictionary.map(Number);
  if (nums.every((n) => Number.isFinite(n))) return Float64Array.from(c.codes, (k) => (k < 0 ? NaN : nums[k]));
  throw new MlopsError(
    'INVALID_ARGUMENT',
    `Column '${c.name}' of ${file} holds text ("${c.dictionary[0] ?? ''}"), but the model's input takes numbers.`,
    'Encode categorical columns as numbers the way the model was trained, or drop them from the file.',
  );
}

export async function fileData(
  file: string,
  spec: InputSpec,
  o: { label?: string; maxRows?: number; signal?: AbortSignal } = {},
): Promise<EvalData> {
  const ds = await readDataset(file, { signal: o.signal });
  const names = ds.columns.map((c) => c.name);
  if (o.label !== undefined && !names.includes(o.label))
    throw new MlopsError(
      'INVALID_ARGUMENT',
      `The label column '${o.label}' is not in ${file} (its columns: ${names.slice(0, 10).join(', ')}${names.length > 10 ? ', ...' : ''}).`,
      'Name one of its columns with --label, or leave --label out.',
    );
  const features = ds.columns.filter((c) => c.name !== o.label);
  if (features.length !== spec.features)
    throw new MlopsError(
      'INVALID_ARGUMENT',
      `${file} has ${features.length} feature columns${o.label ? ` besides the label '${o.label}'` : ''}, but the model's input '${spec.name}' takes ${spec.features} features.`,
      `Give a file whose columns are the model's ${spec.features} features in order${o.label ? '' : ' (name the label column with --label)'}.`,
    );
  const rows = Math.min(ds.rows, o.maxRows ?? ds.rows);
  if (rows === 0)
    throw new MlopsError('INVALID_ARGUMENT', `${file} has no rows to compare the models on.`, 'Give a file with data.');
  const x = new Float32Array(rows * spec.features);
  features.forEach((c, j) => {
    const v = numericValues(c, file);
    for (let r = 0; r < rows; r++) {
      if (Number.isNaN(v[r]))
        throw new MlopsError(
          'INVALID_ARGUMENT',
          `Column '${c.name}' of ${file} has a missing or invalid value in data row ${r + 1}; the models cannot be run on it.`,
          'Fill or drop the rows with missing values first.',
        );
      x[r * spec.features + j] = v[r];
    }
  });
  let labels: Float64Array | undefined;
  const lc = ds.columns.find((c) => c.name === o.label);
  if (lc) {
    labels = numericValues(lc, file).slice(0, rows);
    if (labels.some((l) => Number.isNaN(l)))
      throw new MlopsError(
        'INVALID_ARGUMENT',
        `The label column '${lc.name}' of ${file} has missing values.`,
        'Fill or drop the rows without a label.',
      );
  }
  return {
    x,
    rows,
    features: spec.features,
    ...(labels ? { labels } : {}),
    source: { kind: 'file', file, columns: features.map((c) => c.name), ...(o.label ? { label: o.label } : {}) },
    ...(rows < ds.rows ? { truncatedFrom: ds.rows } : {}),
  };
}
