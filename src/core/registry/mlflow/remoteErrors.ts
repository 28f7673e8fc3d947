import { MlopsError, type ErrorCode, type ErrorReason } from '../../errors';
import { redact } from './credentials';

/**
 * MLflow's answers turned into one sentence naming the server and what to do (CONVENTIONS 11). Servers
 * answer JSON `{error_code, message}` for API errors, but HTML for unknown routes (404) and methods (405),
 * and text/html for the basic-auth app's 401/403 — so the status decides when the body is not JSON.
 */
export interface CallContext {
  /** "MLflow at https://mlflow.example.com" (never with credentials). */
  server: string;
  /** "GET registered-models/get" */
  what: string;
  credentialsSent: boolean;
  attempts: number;
}

/** An error the server sent; registry code reads `mlflowCode` to say it in its own words. */
export class MlflowApiError extends MlopsError {
  constructor(
    code: ErrorCode,
    message: string,
    hint: string | undefined,
    readonly status: number | undefined,
    readonly mlflowCode: string | undefined,
    readonly serverMessage: string,
    reason?: ErrorReason,
  ) {
    super(code, message, hint, { reason });
  }
}

export function isMlflowError(e: unknown, mlflowCode?: string): e is MlflowApiError {
  return e instanceof MlflowApiError && (mlflowCode === undefined || e.mlflowCode === mlflowCode);
}

export const CREDENTIALS_HINT =
  "Set MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD, or MLFLOW_TRACKING_TOKEN (in VS Code: run 'MLOps: Connect to MLflow…').";
const URI_HINT =
  "Check the registry URI (--registry, MLOPS_REGISTRY, MLFLOW_TRACKING_URI, or mlops.registry.uri in VS Code): it must be the tracking server's base URL, e.g. http://host:5000, of MLflow 2.9 or newer.";

/** Server text, safe to show: no markup, no secrets, one line, bounded. */
export function cleanServerText(s: string): string {
  const flat = s
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  const short = flat.length > 300 ? `${flat.slice(0, 297)}…` : flat;
  return redact(short);
}

function parseErrorBody(contentType: string, body: string): { code?: string; message: string } {
  if (/json/i.test(contentType) || body.trimStart().startsWith('{')) {
    try {
      const j = JSON.parse(body) as { error_code?: unknown; message?: unknown };
      return {
        code: typeof j.error_code === 'string' ? j.error_code : undefined,
        message: typeof j.message === 'string' ? cleanServerText(j.message) : '',
      };
    } catch {
      // not JSON after all: fall through
    }
  }
  // HTML and text bodies are pages, not messages: never echo them.
  return { message: '' };
}

export function httpFailure(ctx: CallContext, status: number, contentType: string, body: string): MlflowApiError {
  const { code, message } = parseErrorBody(contentType, body);
  const said = message ? `: ${message}` : '';
  const s = ctx.server;
  const tries = ctx.attempts > 1 ? ` after ${ctx.attempts} attempts` : '';
  const mk = (c: ErrorCode, text: string, hint?: string, reason?: ErrorReason) =>
    new MlflowApiError(c, text, hint, status, code, message, reason);

  if (status === 401 || code === 'UNAUTHENTICATED') {
    return ctx.credentialsSent
      ? mk('UNAUTHENTICATED', `${s} rejected the credentials (401).`, CREDENTIALS_HINT)
      : mk('UNAUTHENTICATED', `${s} requires credentials (401) and none were given.`, CREDENTIALS_HINT);
  }
  if (status === 403 || code === 'PERMISSION_DENIED') {
    return mk(
      'PERMISSION_DENIED',
      `${s} denied permission for ${ctx.what} (403)${said}.`,
      "Ask the server's administrator for access, or connect with other credentials (in VS Code: 'MLOps: Connect to MLflow…'). MLflow 3 servers also answer 403 to hosts they do not allow (mlflow server --allowed-hosts).",
      'SERVER_DENIED',
    );
  }
  if (status === 429 || code === 'REQUEST_LIMIT_EXCEEDED') {
    return mk(
      'UNAVAILABLE',
      `${s} is limiting requests (429) and refused ${ctx.what}${tries}.`,
      'Wait a minute, then try again.',
    );
  }
  if (code === 'RESOURCE_DOES_NOT_EXIST') return mk('NOT_FOUND', `${s} found nothing for ${ctx.what}${said}.`);
  if (code === 'RESOURCE_ALREADY_EXISTS') return mk('ALREADY_EXISTS', `${s} says it already exists${said}.`);
  if (code && status >= 400 && status < 500) {
    return mk('INVALID_ARGUMENT', `${s} rejected ${ctx.what}${said} (${code}).`, 'Check the names and values given.');
  }
  if (!code && (status === 404 || status === 405)) {
    const why = status === 404 ? 'has no such endpoint' : 'does not accept this method there';
    return mk('REMOTE', `${s} ${why} (${status} for ${ctx.what}).`, URI_HINT);
  }
  if (status === 502 || status === 503 || status === 504) {
    return mk(
      'UNAVAILABLE',
      `${s} is unavailable (${status}) for ${ctx.what}${tries}${said}.`,
      'Check that the server and any proxy in front of it are up, then try again.',
    );
  }
  if (status >= 500) {
    return mk(
      'REMOTE',
      `${s} failed with an internal error (${status}) during ${ctx.what}${said}.`,
      "Check the server's log, then try again.",
    );
  }
  return mk('REMOTE', `${s} answered ${ctx.what} with an unexpected status ${status}${said}.`, URI_HINT);
}

export function malformedBody(ctx: CallContext, status: number, contentType: string): MlflowApiError {
  return new MlflowApiError(
    'REMOTE',
    `${ctx.server} answered ${ctx.what} with a body that is not valid JSON (${contentType || 'no content type'}).`,
    'Check that the registry URI points at the MLflow tracking server itself, not at a login page or a proxy.',
    status,
    undefined,
    '',
  );
}

const TLS_CODES = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|ERR_TLS|HOSTNAME_MISMATCH|EPROTO/;

export function networkFailure(ctx: CallContext, e: unknown, timeoutMs: number): MlopsError {
  const err = e as NodeJS.ErrnoException;
  const code = String(err?.code ?? '');
  const s = ctx.server;
  const tries = ctx.attempts > 1 ? ` (after ${ctx.attempts} attempts)` : '';
  if (e instanceof TimeoutError) {
    return new MlopsError(
      'UNAVAILABLE',
      `${s} did not answer ${ctx.what} within ${fmtSeconds(timeoutMs)}${tries}.`,
      'Check the server and the network, then try again (MLFLOW_HTTP_REQUEST_TIMEOUT sets the limit in seconds).',
      { cause: e },
    );
  }
  if (code === 'ECONNREFUSED') {
    return new MlopsError(
      'UNAVAILABLE',
      `Cannot connect to ${s}: connection refused.`,
      'Start the tracking server, or fix the URI (--registry, MLOPS_REGISTRY, MLFLOW_TRACKING_URI, or mlops.registry.uri in VS Code).',
      { cause: e },
    );
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return new MlopsError(
      'UNAVAILABLE',
      `Cannot find the host of ${s} (${code}).`,
      `Check the host name and your network. ${URI_HINT}`,
      { cause: e },
    );
  }
  if (TLS_CODES.test(code) || /certificate/i.test(err?.message ?? '')) {
    return new MlopsError(
      'UNAVAILABLE',
      `Cannot make a trusted TLS connection to ${s} (${code || 'TLS error'}).`,
      "Set MLFLOW_TRACKING_SERVER_CERT_PATH to the CA certificate that signed the server's certificate, or MLFLOW_TRACKING_INSECURE_TLS=true to skip verification (not recommended).",
      { cause: e },
    );
  }
  if (code === 'ECONNRESET' || code === 'EPIPE' || /socket hang up/i.test(err?.message ?? '')) {
    return new MlopsError(
      'UNAVAILABLE',
      `The connection to ${s} was dropped during ${ctx.what}${tries}.`,
      'Check the server and any proxy in front of it, then try again.',
      { cause: e },
    );
  }
  return new MlopsError(
    'UNAVAILABLE',
    `Cannot reach ${s} for ${ctx.what} (${code || cleanServerText(err?.message ?? String(e))}).`,
    URI_HINT,
    { cause: e },
  );
}

export class TimeoutError extends Error {
  constructor() {
    super('timed out');
  }
}

function fmtSeconds(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 100) / 10} s` : `${ms} ms`;
}
