import * as protobuf from 'protobufjs';

/**
 * The part of ONNX's protobuf schema (onnx.proto, IR version 10) that we read and write, described
 * field by field for protobufjs. Field numbers are the wire format and must match onnx.proto exactly.
 *
 * Two variants: `full` keeps tensor data (for building and rewriting models); `header` leaves tensor
 * payloads out so reading a large model skips its weights instead of decoding them.
 */
type Fields = Record<string, { type: string; id: number; rule?: 'repeated'; options?: { packed: boolean } }>;

const rep = (type: string, id: number, packed?: boolean) => ({
  type,
  id,
  rule: 'repeated' as const,
  ...(packed ? { options: { packed: true } } : {}),
});
const opt = (type: string, id: number) => ({ type, id });

function tensorFields(withData: boolean): Fields {
  const f: Fields = {
    dims: rep('int64', 1, true),
    dataType: opt('int32', 2),
    name: opt('string', 8),
    docString: opt('string', 12),
    externalData: rep('StringStringEntryProto', 13),
    dataLocation: opt('int32', 14),
  };
  if (withData) {
    Object.assign(f, {
      floatData: rep('float', 4, true),
      int32Data: rep('int32', 5, true),
      stringData: rep('bytes', 6),
      int64Data: rep('int64', 7, true),
      rawData: opt('bytes', 9),
      doubleData: rep('double', 10, true),
      uint64Data: rep('uint64', 11, true),
    });
  }
  return f;
}

function descriptor(withData: boolean): protobuf.INamespace {
  return {
    nested: {
      StringStringEntryProto: { fields: { key: opt('string', 1), value: opt('string', 2) } },
      OperatorSetIdProto: { fields: { domain: opt('string', 1), version: opt('int64', 2) } },
      TensorProto: { fields: tensorFields(withData) },
      SparseTensorProto: {
        fields: { values: opt('TensorProto', 1), indices: opt('TensorProto', 2), dims: rep('int64', 3, true) },
      },
      Dimension: { fields: { dimValue: opt('int64', 1), dimParam: opt('string', 2), denotation: opt('string', 3) } },
      TensorShapeProto: { fields: { dim: rep('Dimension', 1) } },
      TypeTensor: { fields: { elemType: opt('int32', 1), shape: opt('TensorShapeProto', 2) } },
      TypeSequence: { fields: { elemType: opt('TypeProto', 1) } },
      TypeMap: { fields: { keyType: opt('int32', 1), valueType: opt('TypeProto', 2) } },
      TypeOptional: { fields: { elemType: opt('TypeProto', 1) } },
      TypeProto: {
        fields: {
          tensorType: opt('TypeTensor', 1),
          sequenceType: opt('TypeSequence', 4),
          mapType: opt('TypeMap', 5),
          denotation: opt('string', 6),
          sparseTensorType: opt('TypeTensor', 8),
          optionalType: opt('TypeOptional', 9),
        },
      },
      ValueInfoProto: { fields: { name: opt('string', 1), type: opt('TypeProto', 2), docString: opt('string', 3) } },
      AttributeProto: {
        fields: {
          name: opt('string', 1),
          f: opt('float', 2),
          i: opt('int64', 3),
          s: opt('bytes', 4),
          t: opt('TensorProto', 5),
          g: opt('GraphProto', 6),
          floats: rep('float', 7, true),
          ints: rep('int64', 8, true),
          strings: rep('bytes', 9),
          tensors: rep('TensorProto', 10),
          graphs: rep('GraphProto', 11),
          docString: opt('string', 13),
          type: opt('int32', 20),
          refAttrName: opt('string', 21),
        },
      },
      NodeProto: {
        fields: {
          input: rep('string', 1),
          output: rep('string', 2),
          name: opt('string', 3),
          opType: opt('string', 4),
          attribute: rep('AttributeProto', 5),
          docString: opt('string', 6),
          domain: opt('string', 7),
        },
      },
      GraphProto: {
        fields: {
          node: rep('NodeProto', 1),
          name: opt('string', 2),
          initializer: rep('TensorProto', 5),
          docString: opt('string', 10),
          input: rep('ValueInfoProto', 11),
          output: rep('ValueInfoProto', 12),
          valueInfo: rep('ValueInfoProto', 13),
          sparseInitializer: rep('SparseTensorProto', 15),
        },
      },
      ModelProto: {
        fields: {
          irVersion: opt('int64', 1),
          producerName: opt('string', 2),
          producerVersion: opt('string', 3),
          domain: opt('string', 4),
          modelVersion: opt('int64', 5),
          docString: opt('string', 6),
          graph: opt('GraphProto', 7),
          opsetImport: rep('OperatorSetIdProto', 8),
          metadataProps: rep('StringStringEntryProto', 14),
        },
      },
    },
  };
}

let full: protobuf.Type | undefined;
let header: protobuf.Type | undefined;

export function modelType(variant: 'full' | 'header'): protobuf.Type {
  if (variant === 'full') return (full ??= protobuf.Root.fromJSON(descriptor(true)).lookupType('ModelProto'));
  return (header ??= protobuf.Root.fromJSON(descriptor(false)).lookupType('ModelProto'));
}

/** TensorProto.DataType -> onnxruntime's element type names. */
export const ELEMENT_TYPES: Record<number, string> = {
  1: 'float32',
  2: 'uint8',
  3: 'int8',
  4: 'uint16',
  5: 'int16',
  6: 'int32',
  7: 'int64',
  8: 'string',
  9: 'bool',
  10: 'float16',
  11: 'float64',
  12: 'uint32',
  13: 'uint64',
  14: 'complex64',
  15: 'complex128',
  16: 'bfloat16',
  17: 'float8e4m3fn',
  18: 'float8e4m3fnuz',
  19: 'float8e5m2',
  20: 'float8e5m2fnuz',
  21: 'uint4',
  22: 'int4',
  23: 'float4e2m1',
};

export const DATA_TYPE = { FLOAT: 1, UINT8: 2, INT8: 3, INT32: 6, INT64: 7 } as const;

/** protobufjs gives int64 as Long (or number); our values fit in doubles. */
export function toNumber(v: unknown): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number') return v;
  if (typeof v === 'object' && v !== null && 'toNumber' in v) return (v as { toNumber(): number }).toNumber();
  return Number(v);
}
