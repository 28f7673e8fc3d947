import path from 'node:path';
import { readOnnxFile } from '../onnx/inspect';
import type { Registry } from '../registry/registry';
import type { ModelSignature } from '../registry/types';
import { versionUri } from '../registry/uri';
import { fileTarget, isModelUri, registryTarget } from './deploy/target';
import type { ServedVersion } from './types';

export { isModelUri };

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

/**
 * The version `ref` names now, resolved as `mlops serve` resolves it (deploy/target.ts): `models:/name/3`,
 * `models:/name@alias`, `models:/name/latest` through the registry, or a `.onnx` file (version 0, named
 * after the file). The signature comes from the registry, or from the graph when the registry has none.
 */
export async function openLocalModel(
  ref: string,
  opts: { cwd: string; registry: () => Promise<Registry> },
): Promise<LocalModel> {
  const target = isModelUri(ref) ? registryTarget(await opts.registry(), ref) : fileTarget(path.resolve(opts.cwd, ref));
  const { version } = await target.current();
  const v = await target.load(version);
  return {
    label: isModelUri(ref) ? versionUri(v.served.model, v.served.version) : ref,
    served: v.served,
    modelPath: v.modelPath,
    signature: v.signature ?? (await readOnnxFile(v.modelPath)).inspection.signature,
    tags: v.tags,
  };
}
