import { MlopsError } from '../../errors';

/**
 * How we authenticate to an MLflow tracking server. The CLI reads them as MLflow's own client does
 * (environment variables); the extension passes the ones kept in SecretStorage.
 */
export type MlflowCredentials =
  { kind: 'none' } | { kind: 'basic'; username: string; password: string } | { kind: 'bearer'; token: string };

export interface MlflowTls {
  /** Skip certificate verification (MLFLOW_TRACKING_INSECURE_TLS=true). */
  insecure?: boolean;
  /** A CA bundle (PEM) to trust for this server (MLFLOW_TRACKING_SERVER_CERT_PATH). */
  caCertPath?: string;
}

export const NO_CREDENTIALS: MlflowCredentials = { kind: 'none' };

/** MLflow's rule: username + password -> Basic; otherwise a token -> Bearer; otherwise nothing. */
export function credentialsFromEnv(env: NodeJS.ProcessEnv = process.env): MlflowCredentials {
  const username = env.MLFLOW_TRACKING_USERNAME;
  const password = env.MLFLOW_TRACKING_PASSWORD;
  if (username && password) return { kind: 'basic', username, password };
  const token = env.MLFLOW_TRACKING_TOKEN?.trim();
  if (token) return { kind: 'bearer', token };
  return NO_CREDENTIALS;
}

export function tlsFromEnv(env: NodeJS.ProcessEnv = process.env): MlflowTls {
  const insecure = /^(true|1|yes)$/i.test(env.MLFLOW_TRACKING_INSECURE_TLS?.trim() ?? '');
  const caCertPath = env.MLFLOW_TRACKING_SERVER_CERT_PATH?.trim() || undefined;
  if (insecure && caCertPath) {
    // MLflow's client refuses this combination too: the two settings contradict each other.
    throw new MlopsError(
      'INVALID_ARGUMENT',
      'MLFLOW_TRACKING_INSECURE_TLS and MLFLOW_TRACKING_SERVER_CERT_PATH are both set, which contradict each other.',
      'Unset one of them: a CA certificate to trust, or no verification at all (not recommended).',
    );
  }
  return { insecure, caCertPath };
}

export function authorizationHeader(c: MlflowCredentials): string | undefined {
  if (c.kind === 'basic') return `Basic ${Buffer.from(`${c.username}:${c.password}`, 'utf8').toString('base64')}`;
  if (c.kind === 'bearer') return `Bearer ${c.token}`;
  return undefined;
}

/**
 * Splits `https://user:pass@host/` into a URL without user-info (what we show and log) and the Basic
 * credentials it carried, so a password typed into a URI never reaches a message or a setting.
 */
export function splitUserInfo(url: string): { url: string; credentials?: MlflowCredentials } {
  const u = new URL(url);
  if (!u.username && !u.password) return { url: stripSlash(u.toString()) };
  const username = decodeURIComponent(u.username);
  const password = decodeURIComponent(u.password);
  u.username = '';
  u.password = '';
  return {
    url: stripSlash(u.toString()),
    credentials: username && password ? { kind: 'basic', username, password } : undefined,
  };
}

const stripSlash = (s: string) => s.replace(/\/+$/, '');

/** Removes anything secret from a text: URL user-info, Authorization values, token=/password= pairs. */
export function redact(text: string): string {
  return text
    .replace(/(\b[a-z][a-z0-9+.-]*:\/\/)[^/\s:@]+(?::[^/\s@]*)?@/gi, '$1***@')
    .replace(/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/g, '$1 ***')
    .replace(/\b(token|password|passwd|secret|api[_-]?key)(["']?\s*[=:]\s*["']?)[^\s"'&,}]+/gi, '$1$2***');
}
