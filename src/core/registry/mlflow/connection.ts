import { MlopsError } from '../../errors';
import { MlflowClient } from './client';
import type { MlflowCredentials, MlflowTls } from './credentials';
import { resolveOptions } from './options';
import { MlflowTransport } from './transport';

export interface MlflowConnectionInfo {
  /** The server's base URL as shown to people (no credentials). */
  url: string;
  /** What GET /version answered, e.g. "2.17.0". */
  serverVersion: string;
  /** Set when the server is older than the 2.9 this backend is tested against. */
  warning?: string;
}

/**
 * The check behind "Connect to MLflow…": GET /health (is anything MLflow-like there?), GET /version
 * (which MLflow; needs the credentials on servers with auth), then one registered-models/search (may we
 * read the registry?). Each failure is the usual one-sentence MlopsError.
 */
export async function checkMlflowConnection(
  url: string,
  credentials?: MlflowCredentials,
  opts: { tls?: MlflowTls; timeoutMs?: number; env?: NodeJS.ProcessEnv; signal?: AbortSignal } = {},
): Promise<MlflowConnectionInfo> {
  const o = resolveOptions(url, {
    credentials,
    tls: opts.tls,
    env: opts.env,
    timeoutMs: opts.timeoutMs ?? 10_000,
    retry: { attempts: 2 },
  });
  const http = new MlflowTransport({
    url: o.url,
    credentials: o.credentials,
    tls: o.tls,
    timeoutMs: o.timeoutMs,
    retry: o.retry,
  });
  try {
    const health = await http.text('/health', opts.signal);
    if (health !== 'OK') {
      throw new MlopsError(
        'REMOTE',
        `${http.server} answered /health with "${health.slice(0, 40)}" instead of "OK".`,
        'Check that the URI is the base URL of an MLflow tracking server.',
      );
    }
    const serverVersion = (await http.text('/version', opts.signal)).slice(0, 40);
    await new MlflowClient(http).searchModels({ maxResults: 1 });
    const m = /^(\d+)\.(\d+)/.exec(serverVersion);
    const old = m !== null && (Number(m[1]) < 2 || (Number(m[1]) === 2 && Number(m[2]) < 9));
    return {
      url: o.url,
      serverVersion,
      ...(old
        ? { warning: `MLflow ${serverVersion} is older than 2.9; aliases and version search may not work as expected.` }
        : {}),
    };
  } finally {
    http.close();
  }
}
