import path from 'node:path';
import { MlopsError } from '../../errors';
import { readOnnxFile } from '../../onnx/inspect';
import type { Registry } from '../../registry/registry';
import { resolveModelRef } from '../../registry/resolve';
import type { ModelSignature, ModelVersion } from '../../registry/types';
import { formatModelRef, parseModelUri, type ModelRef } from '../../registry/uri';
import { sha256Hex } from '../../util/hash';
import type { ServedVersion } from '../types';

/** A version ready to load: who it is, what it takes, and where its verified file is. */
export interface VersionInfo {
  served: ServedVersion;
  signature: ModelSignature | null;
  tags: Record<string, string>;
  modelPath: string;
}

/** What a served slot points at: a registry URI (which may move) or a bare .onnx file (which does not). */
export interface Target {
  /** As the user wrote it: "models:/fraud@production", "./model.onnx". */
  readonly label: string;
  /** The name it is served under (the registry model, or the file name without .onnx). */
  readonly model: string;
  /** True when the version it names can change (an alias or /latest): re-resolved on registry changes. */
  readonly moves: boolean;
  /** The version it names now (a registry lookup, no download). */
  current(): Promise<{ version: number; sha256: string }>;
  /** Everything needed to load that version (downloads the artifact when the registry is remote). */
  load(version: number): Promise<VersionInfo>;
}

export function registryTarget(registry: Registry, uri: string): Target {
  const ref: ModelRef = parseModelUri(uri);
  return {
    label: formatModelRef(ref),
    model: ref.model,
    moves: ref.kind !== 'version',
    async current() {
      const v = await resolveModelRef(registry, ref);
      return { version: v.version, sha256: knownSha256(v) };
    },
    async load(version) {
      const v = await registry.getVersion(ref.model, version);
      const modelPath = await registry.localArtifactPath(ref.model, version);
      return {
        served: { model: v.model, version: v.version, sha256: knownSha256(v) },
        signature: v.signature,
        tags: v.tags,
        modelPath,
      };
    },
  };
}

/**
 * Sessions are cached by content hash, and a file is served only once its hash is checked: a version
 * another MLflow client registered (no sha256 recorded) cannot be served until it is pushed again.
 */
function knownSha256(v: ModelVersion): string {
  if (v.artifact.sha256 !== null) return v.artifact.sha256;
  throw new MlopsError(
    'INVALID_STATE',
    `Version ${v.version} of "${v.model}" was registered by another client without a sha256, so its file cannot be checked before serving.`,
    `Push the file with \`mlops push\` to register a version that can be served.`,
  );
}

/** A bare .onnx file: version 0, its signature read from the graph. */
export function fileTarget(file: string, name?: string): Target {
  const model = name ?? path.basename(file).replace(/\.onnx$/i, '');
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(model)) {
    throw new MlopsError(
      'INVALID_ARGUMENT',
      `"${model}" (from ${file}) cannot be used as a model name in URLs.`,
      'Rename the file to letters, digits, dots, dashes and underscores.',
    );
  }
  let loaded: VersionInfo | undefined;
  const read = async (): Promise<VersionInfo> => {
    if (!loaded) {
      const { bytes, inspection } = await readOnnxFile(file);
      loaded = {
        served: { model, version: 0, sha256: sha256Hex(bytes) },
        signature: inspection.signature,
        tags: {},
        modelPath: file,
      };
    }
    return loaded;
  };
  return {
    label: file,
    model,
    moves: false,
    async current() {
      const v = await read();
      return { version: 0, sha256: v.served.sha256 };
    },
    load: () => read(),
  };
}

/** models:/… is a registry target; anything else is a file. */
export function isModelUri(s: string): boolean {
  return s.trim().startsWith('models:/');
}
