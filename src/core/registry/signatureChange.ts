import type { Dim, ModelSignature, TensorSpec } from './types';

/**
 * What changes for a caller when an alias moves to a version with another signature: inputs and outputs
 * added or removed, element types or shapes changed. Used by `mlops push --alias` (a warning on stderr)
 * and by Push Model Version… in VS Code (a confirmation before the alias moves), so both say the same.
 *
 * Symbolic dimensions ('batch', 'N') and open ones (null) all mean "any size": renaming one is not a
 * change, but a fixed size becoming another size, or becoming open or fixed, is. A side whose signature
 * is unknown (a version pushed by another MLflow client) cannot be compared: no change is reported.
 */
export function signatureChanges(before: ModelSignature | null, after: ModelSignature | null): string[] {
  if (!before || !after) return [];
  return [
    ...tensorChanges('input', before.inputs, after.inputs),
    ...tensorChanges('output', before.outputs, after.outputs),
  ];
}

/** What changes for a request: inputs added, removed or reshaped (outputs do not make a request fail). */
export function inputChanges(before: ModelSignature | null, after: ModelSignature | null): string[] {
  if (!before || !after) return [];
  return tensorChanges('input', before.inputs, after.inputs);
}

/** One sentence for a warning, or undefined when nothing changes for a caller of `model@alias`. */
export function signatureWarning(
  model: string,
  alias: string,
  from: { version: number; signature: ModelSignature | null },
  to: { version: number; signature: ModelSignature | null },
): string | undefined {
  if (from.version === to.version) return undefined;
  const changes = signatureChanges(from.signature, to.signature);
  if (changes.length === 0) return undefined;
  return `The signature of ${model} v${to.version} differs from v${from.version}, which holds @${alias}: ${changes.join('; ')}. Callers of models:/${model}@${alias} may break.`;
}

function tensorChanges(kind: 'input' | 'output', before: TensorSpec[], after: TensorSpec[]): string[] {
  const out: string[] = [];
  const was = new Map(before.map((t) => [t.name, t]));
  const now = new Map(after.map((t) => [t.name, t]));
  for (const name of was.keys()) if (!now.has(name)) out.push(`${kind} "${name}" removed`);
  for (const [name, t] of now) {
    const old = was.get(name);
    if (!old) out.push(`${kind} "${name}" added (${spec(t)})`);
    else if (old.elemType !== t.elemType || !sameShape(old.shape, t.shape))
      out.push(`${kind} "${name}" ${spec(old)} → ${spec(t)}`);
  }
  return out;
}

function sameShape(a: Dim[] | null, b: Dim[] | null): boolean {
  if (a === null || b === null) return a === b;
  return a.length === b.length && a.every((d, i) => open(d) === open(b[i]) && (open(d) || d === b[i]));
}

const open = (d: Dim): boolean => typeof d !== 'number';

function spec(t: TensorSpec): string {
  const shape = t.shape === null ? '[?]' : `[${t.shape.map((d) => (d === null ? '?' : String(d))).join(',')}]`;
  return `${t.elemType}${shape}`;
}
