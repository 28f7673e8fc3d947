import type { Dim, ModelSignature, TensorSpec } from '../../registry/types';
import type { Datatype } from '../types';

/** onnxruntime element type names (as signatures store them) -> Open Inference Protocol datatypes. */
const OIP_DATATYPE: Record<string, Datatype> = {
  bool: 'BOOL',
  uint8: 'UINT8',
  uint16: 'UINT16',
  uint32: 'UINT32',
  uint64: 'UINT64',
  int8: 'INT8',
  int16: 'INT16',
  int32: 'INT32',
  int64: 'INT64',
  float16: 'FP16',
  float32: 'FP32',
  float: 'FP32',
  float64: 'FP64',
  double: 'FP64',
  string: 'BYTES',
};

/** The OIP datatype of a signature's element type; "BYTES" is never right for numbers, so unknown types say so. */
export function oipDatatype(elemType: string): Datatype | string {
  return OIP_DATATYPE[elemType.toLowerCase()] ?? elemType.toUpperCase();
}

/** Metadata shapes: a symbolic or open dimension is -1, as Triton and KServe report it. */
export function metadataShape(shape: Dim[] | null): number[] {
  if (!shape) return [-1];
  return shape.map((d) => (typeof d === 'number' && d >= 0 ? d : -1));
}

export interface TensorMetadata {
  name: string;
  datatype: string;
  shape: number[];
}

export function tensorMetadata(specs: TensorSpec[]): TensorMetadata[] {
  return specs.map((t) => ({ name: t.name, datatype: oipDatatype(t.elemType), shape: metadataShape(t.shape) }));
}

export function signatureMetadata(sig: ModelSignature | null): { inputs: TensorMetadata[]; outputs: TensorMetadata[] } {
  return { inputs: tensorMetadata(sig?.inputs ?? []), outputs: tensorMetadata(sig?.outputs ?? []) };
}
