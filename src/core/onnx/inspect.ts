import { promises as fsp } from 'node:fs';
import { MlopsError } from '../errors';
import { isNodeError } from '../util/fsx';
import type { Dim, ModelSignature, OnnxSummary, TensorSpec } from '../model/types';
import { ELEMENT_TYPES, modelType, toNumber } from './onnxSchema';

export interface OnnxInspection {
  summary: OnnxSummary;
  signature: ModelSignature;
}

/** protobuf caps a message at 2 GiB; larger files are not single-file ONNX models. */
const MAX_ONNX_BYTES = 2 ** 31 - 1;
/** ONNX IR versions defined so far go up to 11; leave room for a few more. */
const MAX_IR_VERSION = 16;

/** Reads an ONNX file and what it declares; every way it can be wrong is a clear error naming the file. */
export async function readOnnxFile(file: string): Promise<{ bytes: Buffer; inspection: OnnxInspection }> {
  let stat;
  try {
    stat = await fsp.stat(file);
  } catch (e) {
    if (isNodeError(e, 'ENOENT', 'ENOTDIR'))
      throw new MlopsError('NOT_FOUND', `There is no file at ${file}.`, 'Check the path of the ONNX model.');
    if (isNodeError(e, 'EACCES', 'EPERM'))
      throw new MlopsError(
        'PERMISSION_DENIED',
        `Cannot read ${file}: permission denied.`,
        "Check the file's permissions.",
      );
    throw e;
  }
  if (stat.isDirectory()) {
    throw new MlopsError(
      'INVALID_MODEL_FILE',
      `${file} is a directory, not an ONNX file.`,
      'Give the path of a .onnx file inside it.',
    );
  }
  if (!stat.isFile())
    throw new MlopsError('INVALID_MODEL_FILE', `${file} is not a regular file.`, 'Give the path of a .onnx file.');
  if (stat.size > MAX_ONNX_BYTES) {
    throw new MlopsError(
      'INVALID_MODEL_FILE',
      `${file} is ${stat.size} bytes, more than a single ONNX protobuf can hold (2 GiB).`,
      'The registry stores single-file models up to 2 GiB; export a smaller model.',
    );
  }
  let bytes: Buffer;
  try {
    bytes = await fsp.readFile(file);
  } catch (e) {
    if (isNodeError(e, 'EACCES', 'EPERM'))
      throw new MlopsError(
        'PERMISSION_DENIED',
        `Cannot read ${file}: permission denied.`,
        "Check the file's permissions.",
      );
    throw e;
  }
  return { bytes, inspection: inspectOnnx(bytes, file) };
}

function notOnnx(label: string, why: string): MlopsError {
  return new MlopsError(
    'INVALID_MODEL_FILE',
    `${label} is not a valid ONNX model: ${why}.`,
    'Export the model again (e.g. torch.onnx.export or skl2onnx) and push the .onnx file.',
  );
}

interface RawDim {
  dimValue?: unknown;
  dimParam?: string;
}
interface RawType {
  tensorType?: { elemType?: number; shape?: { dim?: RawDim[] } };
  sparseTensorType?: { elemType?: number; shape?: { dim?: RawDim[] } };
  sequenceType?: { elemType?: RawType };
  mapType?: { keyType?: number; valueType?: RawType };
  optionalType?: { elemType?: RawType };
}
interface RawValueInfo {
  name?: string;
  type?: RawType;
}
interface RawTensor {
  name?: string;
  dims?: unknown[];
  dataLocation?: number;
}
interface RawModel {
  irVersion?: unknown;
  producerName?: string;
  producerVersion?: string;
  opsetImport?: { domain?: string; version?: unknown }[];
  graph?: {
    name?: string;
    node?: unknown[];
    input?: RawValueInfo[];
    output?: RawValueInfo[];
    initializer?: RawTensor[];
  };
}

export function inspectOnnx(bytes: Uint8Array, label = 'The file'): OnnxInspection {
  if (bytes.length === 0) throw notOnnx(label, 'it is empty (0 bytes)');
  let m: RawModel;
  try {
    m = modelType('header').decode(bytes) as unknown as RawModel;
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    const truncated = /index out of range/i.test(why);
    throw notOnnx(
      label,
      truncated
        ? 'it ends in the middle of a record (truncated or partly copied?)'
        : `it is not an ONNX protobuf (${why})`,
    );
  }
  const irVersion = toNumber(m.irVersion);
  if (!Number.isInteger(irVersion) || irVersion < 1 || irVersion > MAX_IR_VERSION) {
    throw notOnnx(
      label,
      irVersion === 0 ? 'it has no IR version' : `its IR version ${irVersion} is not one ONNX defines`,
    );
  }
  const g = m.graph;
  if (!g) throw notOnnx(label, 'it has no graph');
  const opsets = (m.opsetImport ?? []).map((o) => ({ domain: o.domain ?? '', version: toNumber(o.version) }));
  if (irVersion >= 3 && opsets.length === 0) throw notOnnx(label, 'it imports no operator set');
  if (opsets.some((o) => !Number.isInteger(o.version) || o.version < 1 || o.version > 1000))
    throw notOnnx(label, 'it has an invalid operator-set version');
  const outputs = (g.output ?? []).map((v, i) => tensorSpec(v, label, 'output', i));
  if (outputs.length === 0) throw notOnnx(label, 'its graph has no outputs');

  const initializers = g.initializer ?? [];
  if (initializers.some((t) => t.dataLocation === 1)) {
    throw new MlopsError(
      'INVALID_MODEL_FILE',
      `${label} keeps its weights in external data files, which the registry does not store.`,
      'Save the model as a single file (onnx.save(model, path, save_as_external_data=False)) and push that.',
    );
  }
  const initNames = new Set(initializers.map((t) => t.name ?? ''));
  // Before IR 4, initializers are also listed as graph inputs; they are not inputs a caller feeds.
  const inputs = (g.input ?? [])
    .filter((v) => !initNames.has(v.name ?? ''))
    .map((v, i) => tensorSpec(v, label, 'input', i));
  let paramCount = 0;
  for (const t of initializers) paramCount += (t.dims ?? []).reduce<number>((p, d) => p * toNumber(d), 1);

  return {
    summary: {
      irVersion,
      producerName: m.producerName ?? '',
      producerVersion: m.producerVersion ?? '',
      graphName: g.name ?? '',
      opsets,
      paramCount,
      nodeCount: (g.node ?? []).length,
    },
    signature: { inputs, outputs },
  };
}

function tensorSpec(v: RawValueInfo, label: string, kind: string, i: number): TensorSpec {
  const name = v.name ?? '';
  if (!name) throw notOnnx(label, `its graph ${kind} #${i + 1} has no name`);
  return { name, ...describeType(v.type) };
}

function elemName(code: number | undefined): string {
  return code ? (ELEMENT_TYPES[code] ?? `type${code}`) : 'unknown';
}

function describeType(t: RawType | undefined): { elemType: string; shape: Dim[] | null } {
  if (!t) return { elemType: 'unknown', shape: null };
  const tt = t.tensorType ?? t.sparseTensorType;
  if (tt) {
    const shape = tt.shape ? (tt.shape.dim ?? []).map(dim) : null;
    return { elemType: elemName(tt.elemType), shape };
  }
  if (t.sequenceType) return { elemType: `sequence<${describeType(t.sequenceType.elemType).elemType}>`, shape: null };
  if (t.mapType)
    return {
      elemType: `map<${elemName(t.mapType.keyType)},${describeType(t.mapType.valueType).elemType}>`,
      shape: null,
    };
  if (t.optionalType) return { elemType: `optional<${describeType(t.optionalType.elemType).elemType}>`, shape: null };
  return { elemType: 'unknown', shape: null };
}

function dim(d: RawDim): Dim {
  if (d.dimParam) return d.dimParam;
  if (d.dimValue !== undefined && d.dimValue !== null) {
    const n = toNumber(d.dimValue);
    return n > 0 ? n : null;
  }
  return null;
}
