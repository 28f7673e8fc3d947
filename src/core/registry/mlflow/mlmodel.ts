import { randomUUID } from 'node:crypto';
import { stringify } from 'yaml';
import type { ModelSignature, OnnxSummary, TensorSpec } from '../types';

/**
 * The MLmodel file pushed next to the ONNX file, in MLflow's documented format, so MLflow's own tools
 * use our versions: `mlflow.onnx.load_model` (the `onnx` flavor) and `mlflow.pyfunc.load_model`,
 * `mlflow models serve` and pyfunc scoring (the `python_function` flavor, loaded by `mlflow.onnx`).
 *
 * What we cannot state truthfully is left out rather than invented: `mlflow_version` (we are not MLflow),
 * the pyfunc `python_version` and `env` (no Python was involved; MLflow warns and carries on without
 * them), and the signature when a tensor has no MLflow equivalent (unknown rank, a type numpy lacks).
 */
export interface MlmodelInput {
  /** The ONNX file's name inside the model folder ("model.onnx"). */
  fileName: string;
  /** The MLflow run holding the push. */
  runId: string;
  signature: ModelSignature | null;
  onnx: OnnxSummary | null;
  /** Fixed in tests; defaults to now and a random uuid4. */
  now?: Date;
  uuid?: string;
}

/**
 * The execution providers `mlflow.onnx.save_model` records by default; its pyfunc loader tries them in
 * order and onnxruntime falls back to the CPU when CUDA is absent.
 */
export const DEFAULT_PROVIDERS = ['CUDAExecutionProvider', 'CPUExecutionProvider'] as const;

export function mlmodelDocument(i: MlmodelInput): Record<string, unknown> {
  const onnxFlavor: Record<string, unknown> = { data: i.fileName, providers: [...DEFAULT_PROVIDERS] };
  const release = i.onnx ? oldestOnnxReleaseFor(i.onnx) : null;
  if (release !== null) onnxFlavor.onnx_version = release;
  const doc: Record<string, unknown> = {
    artifact_path: 'model',
    flavors: {
      onnx: sortKeys(onnxFlavor),
      python_function: { data: i.fileName, loader_module: 'mlflow.onnx' },
    },
    model_uuid: (i.uuid ?? randomUUID()).replace(/-/g, ''),
    run_id: i.runId,
    utc_time_created: mlflowUtcTime(i.now ?? new Date()),
  };
  const signature = i.signature ? mlflowSignature(i.signature) : null;
  if (signature) doc.signature = signature;
  return sortKeys(doc);
}

/**
 * YAML as MLflow writes it (block style, keys in alphabetical order), quoted for YAML 1.1 — the
 * dialect PyYAML reads — so "2026-01-02 03:04:05.067000" stays a string rather than a timestamp, and a
 * file named "on.onnx"-like value never turns into a boolean.
 */
export function mlmodelYaml(i: MlmodelInput): string {
  return stringify(mlmodelDocument(i), { version: '1.1', lineWidth: 0 });
}

/** Python's str(datetime.utcnow()): "YYYY-MM-DD HH:MM:SS.ffffff" (JavaScript has milliseconds only). */
export function mlflowUtcTime(d: Date): string {
  return `${d.toISOString().slice(0, 10)} ${d.toISOString().slice(11, 23)}000`;
}

/**
 * MLflow's tensor-based signature: `inputs` and `outputs` are JSON strings of
 * `[{"type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1, 4]}, "name": "input"}]`, where
 * a dimension the graph leaves open (symbolic or unset) is -1. Null when a tensor cannot be expressed.
 */
export function mlflowSignature(sig: ModelSignature): { inputs: string; outputs: string } | null {
  const inputs = tensorSpecJson(sig.inputs);
  const outputs = tensorSpecJson(sig.outputs);
  return inputs === null || outputs === null ? null : { inputs, outputs };
}

function tensorSpecJson(tensors: TensorSpec[]): string | null {
  const out: unknown[] = [];
  for (const t of tensors) {
    const dtype = NUMPY_DTYPE[t.elemType];
    if (dtype === undefined || t.shape === null) return null;
    const shape = t.shape.map((d) => (typeof d === 'number' && d >= 0 ? d : -1));
    out.push({ type: 'tensor', 'tensor-spec': { dtype, shape }, name: t.name });
  }
  return pythonJson(out);
}

/** JSON with Python's json.dumps separators (", " and ": "), as MLflow's own MLmodel files read. */
function pythonJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(pythonJson).join(', ')}]`;
  if (v !== null && typeof v === 'object')
    return `{${Object.entries(v)
      .map(([k, x]) => `${JSON.stringify(k)}: ${pythonJson(x)}`)
      .join(', ')}}`;
  return JSON.stringify(v);
}

/** onnxruntime's element types -> numpy dtype names, as MLflow's TensorSpec holds them. */
const NUMPY_DTYPE: Record<string, string> = {
  float16: 'float16',
  float32: 'float32',
  float64: 'float64',
  int8: 'int8',
  int16: 'int16',
  int32: 'int32',
  int64: 'int64',
  uint8: 'uint8',
  uint16: 'uint16',
  uint32: 'uint32',
  uint64: 'uint64',
  bool: 'bool',
  string: 'object',
  complex64: 'complex64',
  complex128: 'complex128',
};

/**
 * `onnx_version`: MLflow records the `onnx` package that saved the model; no Python package saved ours,
 * so we record the oldest ONNX release that reads this file (from its IR version and ai.onnx opset,
 * per ONNX's published version table). Null when the file is newer than the table.
 */
export function oldestOnnxReleaseFor(s: OnnxSummary): string | null {
  const opset = s.opsets.find((o) => o.domain === '' || o.domain === 'ai.onnx')?.version ?? 0;
  const hit = ONNX_RELEASES.find((r) => r.ir >= s.irVersion && r.opset >= opset);
  return hit ? hit.release : null;
}

/** ONNX releases with the highest IR version and ai.onnx opset each one writes (onnx/docs/Versioning.md). */
const ONNX_RELEASES: readonly { release: string; ir: number; opset: number }[] = [
  { release: '1.2.0', ir: 3, opset: 7 },
  { release: '1.3.0', ir: 3, opset: 8 },
  { release: '1.4.0', ir: 4, opset: 9 },
  { release: '1.5.0', ir: 5, opset: 10 },
  { release: '1.6.0', ir: 6, opset: 11 },
  { release: '1.7.0', ir: 7, opset: 12 },
  { release: '1.8.0', ir: 7, opset: 13 },
  { release: '1.9.0', ir: 7, opset: 14 },
  { release: '1.10.0', ir: 8, opset: 15 },
  { release: '1.11.0', ir: 8, opset: 16 },
  { release: '1.12.0', ir: 8, opset: 17 },
  { release: '1.13.0', ir: 8, opset: 18 },
  { release: '1.14.0', ir: 9, opset: 19 },
  { release: '1.15.0', ir: 9, opset: 20 },
  { release: '1.16.0', ir: 10, opset: 21 },
  { release: '1.17.0', ir: 10, opset: 22 },
  { release: '1.18.0', ir: 11, opset: 23 },
];

function sortKeys<T extends Record<string, unknown>>(o: T): T {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b))) as T;
}
