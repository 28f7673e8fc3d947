import { readFileSync } from 'node:fs';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { cancelled, MlopsError } from '../../errors';
import { isNodeError } from '../../util/fsx';
import { authorizationHeader, type MlflowCredentials, type MlflowTls } from './credentials';
import { httpFailure, malformedBody, networkFailure, TimeoutError, type CallContext } from './remoteErrors';
import { backoffDelay, isRetryableNetworkError, RETRYABLE_STATUS, type RetryPolicy } from './retry';

export type LogLevel = 'debug' | 'info' | 'warn';
export type Logger = (level: LogLevel, message: string) => void;

export interface TransportOptions {
  /** Base URL of the tracking server, without user-info or trailing slash. */
  url: string;
  credentials: MlflowCredentials;
  tls: MlflowTls;
  /** Longest silence allowed on a connection (connect, headers, or between body chunks). */
  timeoutMs: number;
  retry: RetryPolicy;
  log?: Logger;
}

export type Params = Record<string, string | number | boolean | string[] | object | undefined>;
type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT';

interface Spec {
  method: Method;
  /** Path below the base URL, starting with '/'. */
  path: string;
  query?: URLSearchParams;
  body?: Buffer;
  contentType?: string;
  what: string;
  idempotent: boolean;
  signal?: AbortSignal;
  onUpload?: (done: number, total: number) => void;
}

const API = '/api/2.0/mlflow/';
const ARTIFACTS = '/api/2.0/mlflow-artifacts/artifacts';
const UPLOAD_CHUNK = 1 << 20;
const MAX_JSON_BYTES = 64 << 20;

/**
 * HTTP to one MLflow tracking server over node:http(s) (so TLS options apply per server): JSON calls with
 * MLflow's conventions (GET parameters in the query, every other method a JSON body, DELETE included),
 * artifact transfers through the artifact proxy, timeouts, and retries of idempotent calls.
 */
export class MlflowTransport {
  readonly server: string;
  private readonly agent: http.Agent;
  private readonly auth: string | undefined;

  constructor(private readonly opts: TransportOptions) {
    this.server = `MLflow at ${opts.url}`;
    this.auth = authorizationHeader(opts.credentials);
    const https_ = opts.url.toLowerCase().startsWith('https:');
    this.agent = https_
      ? new https.Agent({
          keepAlive: true,
          maxSockets: 8,
          rejectUnauthorized: !opts.tls.insecure,
          ca: readCa(opts.tls.caCertPath),
        })
      : new http.Agent({ keepAlive: true, maxSockets: 8 });
  }

  /** A call to /api/2.0/mlflow/<endpoint>. */
  async api<T>(
    method: Exclude<Method, 'PUT'>,
    endpoint: string,
    params: Params,
    o: { idempotent?: boolean; signal?: AbortSignal } = {},
  ): Promise<T> {
    const get = method === 'GET';
    const spec: Spec = {
      method,
      path: API + endpoint,
      query: get ? toQuery(params) : undefined,
      body: get ? undefined : Buffer.from(JSON.stringify(dropUndefined(params))),
      contentType: get ? undefined : 'application/json',
      what: `${method} ${endpoint}`,
      idempotent: o.idempotent ?? get,
      signal: o.signal,
    };
    return this.request(spec, async (res, ctx) => parseJson<T>(await readBody(res, MAX_JSON_BYTES), ctx, res));
  }

  /** Plain-text endpoints outside the API (/health, /version). */
  async text(path: string, signal?: AbortSignal): Promise<string> {
    return this.request({ method: 'GET', path, what: `GET ${path}`, idempotent: true, signal }, async (res) =>
      (await readBody(res, 1 << 16)).toString('utf8').trim(),
    );
  }

  async putArtifact(
    artifactPath: string,
    bytes: Buffer,
    o: { signal?: AbortSignal; onUpload?: (done: number, total: number) => void } = {},
  ): Promise<void> {
    // A PUT of the same bytes to the same path is idempotent: safe to retry.
    await this.request(
      {
        method: 'PUT',
        path: `${ARTIFACTS}/${encodePath(artifactPath)}`,
        body: bytes,
        contentType: 'application/octet-stream',
        what: `upload of ${artifactPath}`,
        idempotent: true,
        ...o,
      },
      async (res) => readBody(res, 1 << 16),
    );
  }

  async listArtifacts<T>(dir: string): Promise<T> {
    const spec: Spec = {
      method: 'GET',
      path: ARTIFACTS,
      query: new URLSearchParams({ path: dir }),
      what: `listing of ${dir}`,
      idempotent: true,
    };
    return this.request(spec, async (res, ctx) => parseJson<T>(await readBody(res, MAX_JSON_BYTES), ctx, res));
  }

  async deleteArtifact(artifactPath: string): Promise<void> {
    await this.request(
      {
        method: 'DELETE',
        path: `${ARTIFACTS}/${encodePath(artifactPath)}`,
        what: `delete of ${artifactPath}`,
        idempotent: true,
      },
      async (res) => readBody(res, 1 << 16),
    );
  }

  /** Streams an artifact into `onChunk`; a failure half-way is not retried (the consumer has seen bytes). */
  async downloadArtifact(
    artifactPath: string,
    onChunk: (b: Buffer, total: number | undefined) => void | Promise<void>,
    signal?: AbortSignal,
  ): Promise<void> {
    await this.request(
      {
        method: 'GET',
        path: `${ARTIFACTS}/${encodePath(artifactPath)}`,
        what: `download of ${artifactPath}`,
        idempotent: true,
        signal,
      },
      async (res, ctx, timedOut) => {
        const len = Number(res.headers['content-length']);
        try {
          for await (const chunk of res) {
            if (signal?.aborted) throw cancelled('Downloading the model');
            await onChunk(chunk as Buffer, Number.isFinite(len) ? len : undefined);
          }
        } catch (e) {
          if (e instanceof MlopsError) throw e;
          if (signal?.aborted) throw cancelled('Downloading the model');
          throw networkFailure(ctx, timedOut() ? new TimeoutError() : e, this.opts.timeoutMs);
        }
      },
      false,
    );
  }

  close(): void {
    this.agent.destroy();
  }

  // ------------------------------------------------------------------ one request, with retries

  private async request<T>(
    spec: Spec,
    read: (res: IncomingMessage, ctx: CallContext, timedOut: () => boolean) => Promise<T>,
    retryBody = true,
  ): Promise<T> {
    const max = spec.idempotent ? Math.max(1, this.opts.retry.attempts) : 1;
    for (let attempt = 1; ; attempt++) {
      const ctx: CallContext = {
        server: this.server,
        what: spec.what,
        credentialsSent: this.auth !== undefined,
        attempts: attempt,
      };
      const started = Date.now();
      let res: IncomingMessage;
      let timedOut: () => boolean;
      try {
        ({ res, timedOut } = await this.once(spec));
      } catch (e) {
        if (spec.signal?.aborted) throw cancelled(`The request to ${this.server}`);
        if (attempt < max && isRetryableNetworkError(e)) {
          await this.pause(spec, attempt, undefined, errCode(e));
          continue;
        }
        throw networkFailure(ctx, e, this.opts.timeoutMs);
      }
      const status = res.statusCode ?? 0;
      this.opts.log?.('debug', `${spec.what} -> ${status} (${Date.now() - started} ms)`);
      if (status >= 300) {
        const body = await readBody(res, 1 << 16).catch(() => Buffer.alloc(0));
        if (attempt < max && RETRYABLE_STATUS.has(status)) {
          await this.pause(spec, attempt, header(res, 'retry-after'), String(status));
          continue;
        }
        throw httpFailure(ctx, status, header(res, 'content-type') ?? '', body.toString('utf8'));
      }
      try {
        return await read(res, ctx, timedOut);
      } catch (e) {
        if (e instanceof MlopsError) throw e;
        if (spec.signal?.aborted) throw cancelled(`The request to ${this.server}`);
        const err = timedOut() ? new TimeoutError() : e;
        if (retryBody && attempt < max && isRetryableNetworkError(err)) {
          await this.pause(spec, attempt, undefined, errCode(err));
          continue;
        }
        throw networkFailure(ctx, err, this.opts.timeoutMs);
      }
    }
  }

  private async pause(spec: Spec, attempt: number, retryAfter: string | undefined, why: string): Promise<void> {
    const ms = backoffDelay(attempt, this.opts.retry, retryAfter);
    this.opts.log?.(
      'warn',
      `${spec.what} failed (${why}); retrying in ${ms} ms (attempt ${attempt + 1} of ${this.opts.retry.attempts})`,
    );
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => {
        spec.signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = () => {
        clearTimeout(t);
        reject(cancelled(`The request to ${this.server}`));
      };
      spec.signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  private once(spec: Spec): Promise<{ res: IncomingMessage; timedOut: () => boolean }> {
    const url = new URL(this.opts.url + spec.path);
    if (spec.query) url.search = spec.query.toString();
    const headers: Record<string, string> = { Accept: 'application/json', 'User-Agent': 'mlops-studio' };
    if (this.auth) headers.Authorization = this.auth;
    if (spec.body) {
      headers['Content-Type'] = spec.contentType ?? 'application/octet-stream';
      headers['Content-Length'] = String(spec.body.length);
    }
    const mod = url.protocol === 'https:' ? https : http;
    let timedOut = false;
    return new Promise((resolve, reject) => {
      const req = mod.request(url, { method: spec.method, agent: this.agent, headers, signal: spec.signal }, (res) =>
        resolve({ res, timedOut: () => timedOut }),
      );
      req.setTimeout(this.opts.timeoutMs, () => {
        timedOut = true;
        req.destroy(new TimeoutError());
      });
      req.on('error', (e) => reject(timedOut ? new TimeoutError() : e));
      void writeBody(req, spec).catch((e: unknown) => req.destroy(e as Error));
    });
  }
}

async function writeBody(req: http.ClientRequest, spec: Spec): Promise<void> {
  const body = spec.body;
  if (!body) {
    req.end();
    return;
  }
  for (let off = 0; off < body.length; off += UPLOAD_CHUNK) {
    const end = Math.min(off + UPLOAD_CHUNK, body.length);
    if (!req.write(body.subarray(off, end))) {
      await new Promise<void>((resolve) => {
        const done = () => {
          req.off('drain', done);
          req.off('close', done);
          resolve();
        };
        req.on('drain', done);
        req.on('close', done);
      });
    }
    if (req.destroyed) return;
    spec.onUpload?.(end, body.length);
  }
  req.end();
}

function readCa(p: string | undefined): Buffer | undefined {
  if (!p) return undefined;
  try {
    return readFileSync(p);
  } catch (e) {
    const why = isNodeError(e, 'ENOENT') ? 'does not exist' : 'cannot be read';
    throw new MlopsError(
      'NOT_FOUND',
      `The CA certificate ${p} (MLFLOW_TRACKING_SERVER_CERT_PATH) ${why}.`,
      'Point MLFLOW_TRACKING_SERVER_CERT_PATH at a PEM file, or unset it.',
    );
  }
}

async function readBody(res: IncomingMessage, limit: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let n = 0;
  for await (const chunk of res) {
    n += (chunk as Buffer).length;
    if (n > limit) {
      res.destroy();
      throw new MlopsError(
        'REMOTE',
        `The server's answer is larger than ${limit} bytes.`,
        'Check that the registry URI points at an MLflow tracking server.',
      );
    }
    parts.push(chunk as Buffer);
  }
  return Buffer.concat(parts);
}

function parseJson<T>(body: Buffer, ctx: CallContext, res: IncomingMessage): T {
  const text = body.toString('utf8');
  if (text.trim() === '') return {} as T;
  try {
    const v: unknown = JSON.parse(text);
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) return v as T;
  } catch {
    // reported below
  }
  throw malformedBody(ctx, res.statusCode ?? 0, header(res, 'content-type') ?? '');
}

function header(res: IncomingMessage, name: string): string | undefined {
  const v = res.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

const errCode = (e: unknown): string =>
  String((e as NodeJS.ErrnoException)?.code ?? (e instanceof Error ? e.message : e));

/** GET parameters: repeated fields repeat the key (order_by=a&order_by=b). */
function toQuery(params: Params): URLSearchParams {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined) continue;
    if (Array.isArray(v)) for (const item of v) q.append(k, String(item));
    else q.append(k, String(v));
  }
  return q;
}

function dropUndefined(p: Params): Params {
  return Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined));
}

export function encodePath(p: string): string {
  return p
    .split('/')
    .filter((s) => s !== '')
    .map(encodeURIComponent)
    .join('/');
}
