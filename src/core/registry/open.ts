import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MlopsError } from '../errors';
import { EmbeddedRegistry } from './embedded/embeddedRegistry';
import type { Registry } from './registry';

export interface OpenOptions {
  /** Base for relative paths (the workspace folder; the CLI's working directory). */
  cwd?: string;
  /** Create an embedded registry that does not exist yet. */
  create?: boolean;
  readOnly?: boolean;
  env?: NodeJS.ProcessEnv;
}

export const DEFAULT_REGISTRY_DIR = '.mlops';

export type RegistryLocation = { kind: 'embedded'; dir: string } | { kind: 'mlflow'; url: string };

/**
 * Where a registry URI points: a folder path or file: URI is the embedded registry, http(s):// an MLflow
 * tracking server (DESIGN.md "The registry").
 */
export function parseRegistryUri(uri: string | undefined, cwd: string = process.cwd()): RegistryLocation {
  const u = (uri ?? '').trim();
  if (u === '') return { kind: 'embedded', dir: path.resolve(cwd, DEFAULT_REGISTRY_DIR) };
  if (/^https?:\/\//i.test(u)) {
    try {
      return { kind: 'mlflow', url: new URL(u).toString().replace(/\/+$/, '') };
    } catch {
      throw new MlopsError('INVALID_ARGUMENT', `"${u}" is not a valid URL.`, 'Write it as http(s)://host:port.');
    }
  }
  if (/^file:/i.test(u)) {
    try {
      return { kind: 'embedded', dir: fileURLToPath(u) };
    } catch {
      throw new MlopsError('INVALID_ARGUMENT', `"${u}" is not a valid file: URI.`, 'Write it as file:///absolute/path or as a plain folder path.');
    }
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(u)) {
    throw new MlopsError('INVALID_ARGUMENT', `The registry URI "${u}" uses a scheme MLOps Studio does not know.`, 'Use a folder path, a file: URI, or an http(s):// MLflow tracking server.');
  }
  return { kind: 'embedded', dir: path.resolve(cwd, u) };
}

export async function openRegistry(uri: string | undefined, opts: OpenOptions = {}): Promise<Registry> {
  const loc = parseRegistryUri(uri, opts.cwd);
  if (loc.kind === 'embedded') return EmbeddedRegistry.open(loc.dir, { create: opts.create, readOnly: opts.readOnly });
  const factory = remoteFactories.mlflow;
  if (!factory) {
    throw new MlopsError('INVALID_ARGUMENT', `MLflow registries (${loc.url}) are not available in this build.`, 'Use an embedded registry folder.');
  }
  return factory(loc.url, opts);
}

/** The MLflow backend registers itself here, so this module does not pull in its HTTP client eagerly. */
export const remoteFactories: { mlflow?: (url: string, opts: OpenOptions) => Promise<Registry> } = {};
