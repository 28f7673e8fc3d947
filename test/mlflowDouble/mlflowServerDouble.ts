import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { FaultQueue, type Fault } from './faults';
import { Params, readRaw, sendError, sendHtml, sendJson, sendText, UNAUTHENTICATED_TEXT } from './http';
import { registryRoutes, type Handler } from './registryRoutes';
import { runRoutes } from './runRoutes';
import { DoubleError, DoubleStore } from './store';

/**
 * A TEST DOUBLE of an MLflow tracking server (not MLflow): node:http on 127.0.0.1, a random port, state in
 * memory. It answers the Model Registry, run and artifact-proxy calls our MLflow backend makes, with the
 * quirks recorded in shared/reference/mlflow-rest.md (string versions, JSON-bodied DELETE, 400 for
 * already-exists, no aliases in version search results, dangling aliases, "" optionals, omitted empty
 * lists, Werkzeug HTML for unknown routes and methods, text/html 401 with WWW-Authenticate), plus fault
 * injection. Tests use it because no real MLflow server can run on this machine (no PyPI).
 */
export interface DoubleOptions {
  /** What GET /version answers. */
  version?: string;
  /** Require credentials: Basic users (name -> password) and/or Bearer tokens. /health stays open. */
  auth?: {
    users?: Record<string, string>;
    tokens?: string[];
    deny?: (who: string, method: string, path: string) => boolean;
  };
  /** Serve https with this key and certificate (see tls/README.md). */
  tls?: { key: Buffer; cert: Buffer };
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export interface MlflowDouble {
  url: string;
  port: number;
  store: DoubleStore;
  faults: FaultQueue;
  requests: RecordedRequest[];
  /** Requests whose path contains `part` (e.g. 'model-versions/create'). */
  calls(part: string, method?: string): RecordedRequest[];
  inject(f: Fault): void;
  close(): Promise<void>;
}

const API = '/api/2.0/mlflow/';
const ARTIFACTS = '/api/2.0/mlflow-artifacts/artifacts';
const ROUTES: Record<string, Handler> = { ...registryRoutes, ...runRoutes };

export async function startMlflowDouble(opts: DoubleOptions = {}): Promise<MlflowDouble> {
  const store = new DoubleStore();
  const faults = new FaultQueue();
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    void handle(req, res).catch((e: unknown) => {
      if (!res.headersSent)
        sendJson(res, 500, { error_code: 'INTERNAL_ERROR', message: `test double failure: ${String(e)}` });
    });
  };
  const server = opts.tls
    ? https.createServer({ key: opts.tls.key, cert: opts.tls.cert }, onRequest)
    : http.createServer(onRequest);
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    const body = await readRaw(req);
    requests.push({ method, path: url.pathname, query: url.searchParams, headers: req.headers, body });

    const fault = faults.take(method, url.pathname);
    if (fault && applyFaultBefore(fault, res)) return;
    if (url.pathname !== '/health' && !authorized(req, res, url.pathname)) return;

    try {
      if (url.pathname === '/health' || url.pathname === '/version') {
        if (method !== 'GET') return sendHtml(res, 405, { Allow: 'GET, HEAD, OPTIONS' });
        return sendText(res, 200, url.pathname === '/health' ? 'OK' : (opts.version ?? '2.17.0'), {
          'Content-Type': 'text/plain; charset=utf-8',
        });
      }
      if (url.pathname === ARTIFACTS || url.pathname.startsWith(`${ARTIFACTS}/`)) {
        return artifacts(req, res, url, body, fault);
      }
      if (!url.pathname.startsWith(API)) return sendHtml(res, 404);
      const endpoint = url.pathname.slice(API.length);
      const handler = ROUTES[`${method} ${endpoint}`];
      if (!handler) {
        const methods = Object.keys(ROUTES)
          .filter((k) => k.endsWith(` ${endpoint}`))
          .map((k) => k.split(' ')[0]);
        return methods.length ? sendHtml(res, 405, { Allow: methods.join(', ') }) : sendHtml(res, 404);
      }
      const params = method === 'GET' ? Params.fromQuery(url.searchParams) : Params.fromJson(req, body);
      const out = handler(params, store);
      if (fault?.kind === 'reset-after') return void req.socket.destroy();
      sendJson(res, 200, out);
      faults.answered(method, url.pathname);
    } catch (e) {
      if (e instanceof DoubleError) return sendError(res, e);
      throw e;
    }
  }

  /** Faults that replace the answer; false when the request must still be handled. */
  function applyFaultBefore(f: Fault, res: ServerResponse): boolean {
    switch (f.kind) {
      case 'unauthorized-text':
        sendText(res, 401, UNAUTHENTICATED_TEXT, { 'WWW-Authenticate': 'Basic realm="mlflow"' });
        return true;
      case 'forbidden-text':
        sendText(res, 403, 'Permission denied');
        return true;
      case 'not-found-html':
        sendHtml(res, 404);
        return true;
      case 'status': {
        const status = f.status ?? 500;
        const code =
          status === 429 ? 'REQUEST_LIMIT_EXCEEDED' : status === 503 ? 'TEMPORARILY_UNAVAILABLE' : 'INTERNAL_ERROR';
        res.writeHead(status, {
          'Content-Type': 'application/json',
          ...(f.retryAfter ? { 'Retry-After': f.retryAfter } : {}),
        });
        res.end(JSON.stringify({ error_code: code, message: `injected ${status}` }));
        return true;
      }
      case 'hang':
        return true; // never answered; close() destroys the socket
      case 'malformed-json':
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end('{"registered_model": {"name": "churn", ');
        return true;
      case 'reset':
        res.socket?.destroy();
        return true;
      default:
        return false; // reset-after, corrupt-upload: handled with the request
    }
  }

  function authorized(req: IncomingMessage, res: ServerResponse, path: string): boolean {
    const auth = opts.auth;
    if (!auth) return true;
    const h = req.headers.authorization ?? '';
    let who: string | undefined;
    const basic = /^Basic\s+(.+)$/i.exec(h);
    const bearer = /^Bearer\s+(.+)$/i.exec(h);
    if (basic) {
      const [user, ...rest] = Buffer.from(basic[1], 'base64').toString('utf8').split(':');
      if (auth.users?.[user] !== undefined && auth.users[user] === rest.join(':')) who = user;
    } else if (bearer && auth.tokens?.includes(bearer[1])) {
      who = `token:${bearer[1].slice(0, 4)}`;
    }
    if (!who) {
      sendText(res, 401, UNAUTHENTICATED_TEXT, { 'WWW-Authenticate': 'Basic realm="mlflow"' });
      return false;
    }
    if (auth.deny?.(who, req.method ?? 'GET', path)) {
      sendText(res, 403, 'Permission denied');
      return false;
    }
    return true;
  }

  function artifacts(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    body: Buffer,
    fault: Fault | undefined,
  ): void {
    const rel = decodeURIComponent(url.pathname.slice(ARTIFACTS.length).replace(/^\/+/, ''));
    const method = req.method ?? 'GET';
    if (rel === '') {
      if (method !== 'GET') return sendHtml(res, 405, { Allow: 'GET' });
      const dir = (url.searchParams.get('path') ?? '').replace(/\/+$/, '');
      const files = [...store.artifacts.entries()]
        .filter(([p]) => p.startsWith(`${dir}/`))
        .map(([p, b]) => ({ path: p.slice(dir.length + 1), size: b.length }))
        .filter((f) => !f.path.includes('/'))
        .map((f) => ({ path: f.path, is_dir: false, file_size: f.size }));
      return sendJson(res, 200, files.length ? { files } : {});
    }
    if (method === 'PUT') {
      const stored =
        fault?.kind === 'corrupt-upload'
          ? Buffer.concat([body.subarray(0, Math.max(0, body.length - 1)), Buffer.from([0x2a])])
          : body;
      store.artifacts.set(rel, stored);
      return sendJson(res, 200, {});
    }
    if (method === 'GET') {
      const b = store.artifacts.get(rel);
      if (!b) return sendError(res, new DoubleError(404, 'RESOURCE_DOES_NOT_EXIST', `File ${rel} not found`));
      res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': b.length });
      return void res.end(b);
    }
    if (method === 'DELETE') {
      for (const k of [...store.artifacts.keys()]) if (k === rel || k.startsWith(`${rel}/`)) store.artifacts.delete(k);
      return sendJson(res, 200, {});
    }
    return sendHtml(res, 405, { Allow: 'GET, PUT, DELETE' });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `${opts.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    store,
    faults,
    requests,
    calls: (part, method) => requests.filter((r) => r.path.includes(part) && (!method || r.method === method)),
    inject: (f) => faults.add(f),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A port nothing listens on (bound, then released), for "connection refused". */
export async function closedPort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}
