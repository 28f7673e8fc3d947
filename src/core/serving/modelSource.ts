import path from 'node:path';
import { MlopsError } from '../errors';
import { readOnnxFile } from '../onnx/inspect';
import type { Registry } from '../registry/registry';
import { resolveModelRef } from '../registry/resolve';
import type { ModelSignature } from '../registry/types';
import { formatModelRef, parseModelUri } from '../registry/uri';
import { sha256Hex } from '../util/hash';
import type { ServedVersion } from './types';

/** One model version on local disk, with what it takes: the load tester's in-process mode and export use it. */
export interface LocalModel {
  /** As it is named in messages: "models:/fraud/3" or the file path. */
  label: string;
  served: ServedVersion;
  /** A verified local file (the registry's store or download cache, or the given file). */
  modelPath: string;
  signature: ModelSignature;
  tags: Record<string, string>;
}

export function isModelUri(s: string): boolean {
  return s.startsWith('models:/');
}

/**
 * `models:/name/3`, `models:/name@alias`, `models:/name/latest` (through the registry) or a `.onnx`
 * file (version 0, named after the file). The signature comes from the registry, or from the graph when
 * the registry has none.
 */
export async function openLocalModel(
  ref: string,
  opts: { cwd: string; registry: () => Promise<Registry>; signal?: AbortSignal },
): Promise<LocalModel> {
  if (isModelUri(ref)) {
    const registry = await opts.registry();
    const v = await resolveModelRef(registry, parseModelUri(ref));
    const modelPath = await registry.localArtifactPath(v.model, v.version, { signal: opts.signal });
    const signature = v.signature ?? (await readOnnxFile(modelPath)).inspection.signature;
    return {
      label: formatModelRef({ model: v.model, kind: 'version', version: v.version }),
      served: { model: v.model, version: v.version, sha256: v.artifact.sha256 },
      modelPath,
      signature,
      tags: v.tags,
    };
  }
  const file = path.resolve(opts.cwd, ref);
  const { bytes, inspection } = await readOnnxFile(file);
  const model = path.basename(file).replace(/\.onnx$/i, '');
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(model))
    throw new MlopsError(
      'INVALID_ARGUMENT',
      `"${model}" (from ${ref}) cannot be used as a model name.`,
      'Rename the file to letters, digits, dots, dashes and underscores.',
    );
  return {
    label: ref,
    served: { model, version: 0, sha256: sha256Hex(bytes) },
    modelPath: file,
    signature: inspection.signature,
    tags: {},
  };
}
