import { MlopsError } from '../../errors';
import type { Dim, ModelSignature } from '../../registry/types';
import { datatypeOf, type ElemType, isElemType } from './datatypes';

/**
 * What the runtime needs to know about a model's signature, computed once per runner: the inputs it
 * must be fed (with types we can encode), the outputs it can return, and whether concurrent requests
 * may be merged along the first dimension (dynamic batching).
 */
export interface InputPlan {
  name: string;
  type: ElemType;
  /** null: the graph declares no shape, any shape is accepted. */
  shape: Dim[] | null;
}

export interface OutputPlan {
  name: string;
  /** Undefined when the output is not a tensor type OIP can carry (sequence, map, bfloat16...). */
  type: ElemType | undefined;
  elemType: string;
  /** The output's first dimension follows the batch (dynamic), so a batched result can be split by rows. */
  splittable: boolean;
}

export interface ModelPlan {
  inputs: InputPlan[];
  outputs: OutputPlan[];
  /** Every input's first dimension is dynamic: requests can be stacked along it. */
  inputsBatchable: boolean;
  /** Outputs returned when a request names none: every output OIP can carry. */
  defaultOutputs: string[];
}

const isDynamic = (d: Dim | undefined): boolean => d === null || typeof d === 'string';

export function planModel(signature: ModelSignature, label: string): ModelPlan {
  const inputs = signature.inputs.map((s): InputPlan => {
    if (!isElemType(s.elemType))
      throw new MlopsError(
        'INVALID_MODEL_FILE',
        `${label} takes input '${s.name}' of type ${s.elemType}, which cannot be sent as an OIP tensor.`,
        'Serve a model whose inputs are tensors of bool, integer, float16/32/64 or string elements.',
      );
    return { name: s.name, type: s.elemType, shape: s.shape };
  });
  const outputs = signature.outputs.map((s): OutputPlan => ({
    name: s.name,
    type: isElemType(s.elemType) ? s.elemType : undefined,
    elemType: s.elemType,
    splittable: s.shape !== null && s.shape.length > 0 && isDynamic(s.shape[0]),
  }));
  const defaultOutputs = outputs.filter((o) => o.type).map((o) => o.name);
  if (defaultOutputs.length === 0)
    throw new MlopsError(
      'INVALID_MODEL_FILE',
      `${label} has no output that is a plain tensor (its outputs are ${outputs.map((o) => `${o.name}: ${o.elemType}`).join(', ')}).`,
      'Export the model with tensor outputs (e.g. skl2onnx with zipmap=False).',
    );
  const inputsBatchable =
    inputs.length > 0 && inputs.every((i) => i.shape !== null && i.shape.length > 0 && isDynamic(i.shape[0]));
  return { inputs, outputs, inputsBatchable, defaultOutputs };
}

/** `FP32 [batch, 30]`, the way error messages show what an input expects. */
export function describeSpec(p: InputPlan): string {
  const dt = datatypeOf(p.type) ?? p.type;
  if (p.shape === null) return `${dt} (any shape)`;
  return `${dt} [${p.shape.map((d) => (d === null ? '?' : String(d))).join(', ')}]`;
}
