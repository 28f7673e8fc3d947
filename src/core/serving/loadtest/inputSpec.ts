import { MlopsError } from '../../errors';
import type { ModelSignature } from '../../registry/types';
import { datatypeOf, isDatatype } from '../runtime/datatypes';
import type { Datatype } from '../types';

/**
 * A model input as the load tester needs it, whichever way the signature was learnt: from the ONNX graph
 * or the registry (`ModelSignature`, ONNX element names) or from a server's OIP v2 model metadata
 * (`GET /v2/models/<m>`, OIP datatypes, -1 for a variable dim). `null` = a dim of any size.
 */
export interface InputSpec {
  name: string;
  datatype: Datatype;
  shape: (number | null)[];
}

export function inputSpecsFromSignature(sig: ModelSignature, label: string): InputSpec[] {
  return sig.inputs.map((t) => {
    const datatype = datatypeOf(t.elemType);
    if (!datatype)
      throw new MlopsError(
        'INVALID_MODEL_FILE',
        `${label}: input '${t.name}' has element type ${t.elemType}, which the load tester cannot generate.`,
        'Load-test a model whose inputs are numbers, booleans or strings.',
      );
    if (t.shape === null)
      throw new MlopsError(
        'INVALID_MODEL_FILE',
        `${label}: input '${t.name}' declares no shape, so no example request can be built.`,
        'Export the model with input shapes (dynamic dims are fine).',
      );
    return { name: t.name, datatype, shape: t.shape.map((d) => (typeof d === 'number' && d >= 0 ? d : null)) };
  });
}

/** The `inputs` of an OIP v2 model metadata response, checked (a server may answer anything). */
export function inputSpecsFromMetadata(meta: unknown, label: string): InputSpec[] {
  const bad = (why: string) =>
    new MlopsError(
      'REMOTE',
      `${label} answered model metadata the load tester cannot use: ${why}.`,
      'Check that the URL points at an Open Inference Protocol v2 server (mlops serve, Triton, KServe, MLServer).',
    );
  const inputs = (meta as { inputs?: unknown } | null)?.inputs;
  if (!Array.isArray(inputs) || inputs.length === 0) throw bad('no "inputs" list');
  return inputs.map((i: unknown, k) => {
    const t = i as { name?: unknown; datatype?: unknown; shape?: unknown };
    if (typeof t.name !== 'string') throw bad(`input ${k} has no name`);
    if (!isDatatype(t.datatype)) throw bad(`input '${t.name}' has datatype ${JSON.stringify(t.datatype)}`);
    if (!Array.isArray(t.shape) || !t.shape.every((d) => Number.isInteger(d)))
      throw bad(`input '${t.name}' has no integer shape`);
    return {
      name: t.name,
      datatype: t.datatype,
      shape: (t.shape as number[]).map((d) => (d >= 0 ? d : null)),
    };
  });
}

/** The shape of one request: the first dim holds `batch` rows when it is free, other free dims are 1. */
export function requestShape(spec: InputSpec, batch: number): number[] {
  return spec.shape.map((d, i) => {
    if (i === 0) {
      if (d === null) return batch;
      if (batch !== 1 && batch !== d)
        throw new MlopsError(
          'INVALID_ARGUMENT',
          `Input '${spec.name}' has a fixed first dimension of ${d}, so requests cannot hold ${batch} rows.`,
          `Leave --batch out (or set it to ${d}).`,
        );
      return d;
    }
    return d ?? 1;
  });
}
