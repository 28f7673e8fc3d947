import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MlopsError } from '../errors';
import { EmbeddedRegistry } from './embedded/embeddedRegistry';
import type { MlflowCredentials } from './mlflow/credentials';
import type { MlflowOptions } from './mlflow/options';
import type { Registry } from './registry';

export interface OpenOptions {
  /** Base for relative paths (the workspace folder; the CLI's working directory). */
  cwd?: string;
  /** Create an embedded registry that does not exist yet. */
  create?: boolean;
  readOnly?: boolean;
  env?: NodeJS.ProcessEnv;
  /**
   * MLflow servers only: the credentials to use (the extension passes the ones from SecretStorage).
   * Default: MLflow's variables in `env` (MLFLOW_TRACKING_USERNAME/PASSWORD, else MLFLOW_TRACKING_TOKEN).
   */
  credentials?: MlflowCredentials;
  /** MLflow servers only: timeouts, retries, cache folder, logging (see MlflowOptions). */
  mlflow?: Omit<MlflowOptions, 'credentials' | 'env' | 'readOnly'>;
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
      // Shown to people: a user:password@ written into the URI stays out of it (it is still used to log in).
      const url = new URL(u);
      url.username = '';
      url.password = '';
      return { kind: 'mlflow', url: url.toString().replace(/\/+$/, '') };
    } catch {
      throw new MlopsError(
        'INVALID_ARGUMENT',
        `"${hideUserInfo(u)}" is not a valid URL.`,
        'Write it as http(s)://host:port.',
      );
    }
  }
  if (/^file:/i.test(u)) {
    try {
      return { kind: 'embedded', dir: fileURLToPath(u) };
    } catch {
      throw new MlopsError(
        'INVALID_ARGUMENT',
        `"${u}" is not a valid file: URI.`,
        'Write it as file:///absolute/path or as a plain folder path.',
      );
    }
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(u)) {
    throw new MlopsError(
      'INVALID_ARGUMENT',
      `The registry URI "${hideUserInfo(u)}" uses a scheme MLOps Studio does not know.`,
      'Use a folder path, a file: URI, or an http(s):// MLflow tracking server.',
    );
  }
  return { kind: 'embedded', dir: path.resolve(cwd, u) };
}

export async function openRegistry(uri: string | undefined, opts: OpenOptions = {}): Promise<Registry> {
  const loc = parseRegistryUri(uri, opts.cwd);
  if (loc.kind === 'embedded') return EmbeddedRegistry.open(loc.dir, { create: opts.create, readOnly: opts.readOnly });
  // Loaded on first use only: the embedded path never pays for the HTTP client.
  const { MlflowRegistry } = await import('./mlflow/mlflowRegistry');
  return MlflowRegistry.open(uri ?? loc.url, {
    ...opts.mlflow,
    credentials: opts.credentials,
    env: opts.env,
    readOnly: opts.readOnly,
  });
}

function hideUserInfo(u: string): string {
  return u.replace(/\/\/[^/@\s]*@/, '//***@');
}
