import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { MlopsError } from '../../errors';
import { credentialsFromEnv, splitUserInfo, tlsFromEnv, type MlflowCredentials, type MlflowTls } from './credentials';
import { DEFAULT_RETRY, type RetryPolicy } from './retry';
import type { Logger } from './transport';

/** Settings of the MLflow backend; every field has a default, most follow MLflow's own variables. */
export interface MlflowOptions {
  /** Default: MLFLOW_TRACKING_USERNAME/PASSWORD (Basic), else MLFLOW_TRACKING_TOKEN (Bearer). */
  credentials?: MlflowCredentials;
  /** Default: MLFLOW_TRACKING_INSECURE_TLS, MLFLOW_TRACKING_SERVER_CERT_PATH. */
  tls?: MlflowTls;
  env?: NodeJS.ProcessEnv;
  /** Longest silence on a connection. Default MLFLOW_HTTP_REQUEST_TIMEOUT (seconds), else 30 s. */
  timeoutMs?: number;
  /** Default 4 attempts (MLFLOW_HTTP_REQUEST_MAX_RETRIES + 1), backoff from 400 ms, capped at 8 s. */
  retry?: Partial<RetryPolicy>;
  /** The experiment holding the push runs. Default MLFLOW_EXPERIMENT_ID, else "0" (Default). */
  experimentId?: string;
  /** Audit events kept on each registered model (older ones are dropped). Default 100. */
  historyLimit?: number;
  /** Where downloaded artifacts are cached. Default <os tmp>/mlops-mlflow-cache/<server hash>. */
  cacheDir?: string;
  /** How often watch() polls the server. Default 3 s. */
  pollIntervalMs?: number;
  /** Refuse every change (untrusted workspaces). */
  readOnly?: boolean;
  /** Diagnostics (requests, retries, clean-ups); messages carry no secrets. */
  log?: Logger;
}

export interface ResolvedOptions {
  url: string;
  credentials: MlflowCredentials;
  tls: MlflowTls;
  timeoutMs: number;
  retry: RetryPolicy;
  experimentId: string;
  historyLimit: number;
  cacheDir: string;
  pollIntervalMs: number;
  readOnly: boolean;
  log?: Logger;
}

export function normalizeMlflowUrl(raw: string): { url: string; credentials?: MlflowCredentials } {
  const s = raw.trim();
  let parsed: URL | undefined;
  try {
    parsed = new URL(s);
  } catch {
    // reported below
  }
  if (!parsed || !/^https?:$/.test(parsed.protocol)) {
    throw new MlopsError(
      'INVALID_ARGUMENT',
      `"${splitSafe(s)}" is not an http(s) URL of an MLflow tracking server.`,
      'Write it as http(s)://host:port, e.g. http://127.0.0.1:5000.',
    );
  }
  parsed.search = '';
  parsed.hash = '';
  return splitUserInfo(parsed.toString());
}

export function resolveOptions(rawUrl: string, o: MlflowOptions = {}): ResolvedOptions {
  const env = o.env ?? process.env;
  const { url, credentials: fromUrl } = normalizeMlflowUrl(rawUrl);
  const envCreds = credentialsFromEnv(env);
  const credentials = o.credentials ?? (envCreds.kind !== 'none' ? envCreds : (fromUrl ?? envCreds));
  const timeoutS = Number(env.MLFLOW_HTTP_REQUEST_TIMEOUT);
  const retries = Number(env.MLFLOW_HTTP_REQUEST_MAX_RETRIES);
  return {
    url,
    credentials,
    tls: o.tls ?? tlsFromEnv(env),
    timeoutMs: o.timeoutMs ?? (timeoutS > 0 ? timeoutS * 1000 : 30_000),
    retry: {
      ...DEFAULT_RETRY,
      ...(Number.isInteger(retries) && retries >= 0 && env.MLFLOW_HTTP_REQUEST_MAX_RETRIES
        ? { attempts: retries + 1 }
        : {}),
      ...o.retry,
    },
    experimentId: o.experimentId ?? (env.MLFLOW_EXPERIMENT_ID?.trim() || '0'),
    historyLimit: Math.max(2, o.historyLimit ?? 100),
    cacheDir:
      o.cacheDir ??
      path.join(os.tmpdir(), 'mlops-mlflow-cache', createHash('sha256').update(url).digest('hex').slice(0, 16)),
    pollIntervalMs: o.pollIntervalMs ?? 3_000,
    readOnly: o.readOnly ?? false,
    log: o.log,
  };
}

/** The URL as we may show it: without user-info. */
function splitSafe(s: string): string {
  return s.replace(/\/\/[^/@\s]*@/, '//***@');
}
