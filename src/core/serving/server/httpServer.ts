import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { MlopsError } from '../../errors';
import { isNodeError } from '../../util/fsx';
import { HttpError, toHttpError } from './httpError';
import { MLFLOW_ROUTES, mlflowErrorCode } from './mlflowRoutes';
import { OIP_ROUTES } from './oipRoutes';
import { PROMETHEUS_CONTENT_TYPE } from './prometheus';
import { sendJson, sendText } from './respond';
import type { ErrorShape, Route, RouteContext, ServerState } from './route';
import type { ServingMetrics } from './servingMetrics';

export interface HttpServerOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** A client must send its headers within this time (slowloris). Default 10 s. */
  headersTimeoutMs?: number;
  /** A client must send its whole request within this time. Default 60 s. */
  requestTimeoutMs?: number;
  /** An idle keep-alive connection is closed after this time. Default 5 s. */
  keepAliveTimeoutMs?: number;
}

function metricsRoute(metrics: ServingMetrics): Route {
  return {
    methods: ['GET'],
    pattern: /^\/metrics$/,
    name: 'metrics',
    errors: 'oip',
    handle: (ctx) => sendText(ctx.res, 200, metrics.render(), PROMETHEUS_CONTENT_TYPE),
  };
}

const MATCH_CACHE_SIZE = 256;

/**
 * One abort signal per connection, made on first use and aborted when the connection closes: a request's
 * client has gone away exactly when its connection closes before the answer. An AbortSignal costs ~4 us
 * to create, plus its garbage; made per request, it took ~15 us of HTTP-thread CPU per request on the
 * small MLP at c=64 (A/B, medians: 74 -> 59 us/request). Keep-alive clients now pay it once per
 * connection. A request answered before the close has already removed its listener: the late abort
 * touches nothing.
 */
const connectionSignals = new WeakMap<Socket, AbortSignal>();

function connectionSignal(socket: Socket): AbortSignal {
  let signal = connectionSignals.get(socket);
  if (!signal) {
    const abort = new AbortController();
    signal = abort.signal;
    connectionSignals.set(socket, signal);
    if (socket.destroyed) abort.abort();
    else socket.once('close', () => abort.abort());
  }
  return signal;
}

/** The handler's view of one request; `signal` is made only for the routes that read it. */
class Context implements RouteContext {
  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    readonly state: ServerState,
    readonly params: string[],
    readonly arrivedAt: number,
    readonly arrivedPerf: number,
  ) {}

  get signal(): AbortSignal {
    return connectionSignal(this.req.socket);
  }
}

function sendError(res: ServerResponse, shape: ErrorShape, e: HttpError): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body =
    shape === 'mlflow' ? { error_code: mlflowErrorCode(e.status), message: e.message } : { error: e.message };
  sendJson(res, e.status, body, e.headers);
}

/**
 * The endpoint: Open Inference Protocol v2, MLflow's scoring protocol and /metrics on one node:http
 * server. Handlers only parse, hand requests to the runtime's workers and write answers, so health and
 * metrics answer at once while models run. Slow clients are cut by the header and request timeouts.
 */
export class InferenceHttpServer {
  private readonly server: http.Server;
  private readonly routes: Route[];
  /**
   * "METHOD url" -> its route and decoded parameters: clients repeat the same few URLs, and matching
   * runs every route's pattern. Bounded (cleared when full) so varied URLs cannot grow it.
   */
  private readonly matched = new Map<string, { route: Route; params: string[] }>();
  private inflight = 0;
  private idle: (() => void) | undefined;
  url = '';

  private constructor(
    private readonly state: ServerState,
    private readonly metrics: ServingMetrics,
    opts: HttpServerOptions,
  ) {
    this.routes = [...OIP_ROUTES, ...MLFLOW_ROUTES, metricsRoute(metrics)];
    const headersTimeout = opts.headersTimeoutMs ?? 10_000;
    const requestTimeout = Math.max(opts.requestTimeoutMs ?? 60_000, headersTimeout);
    this.server = http.createServer(
      {
        headersTimeout,
        requestTimeout,
        keepAliveTimeout: opts.keepAliveTimeoutMs ?? 5_000,
        // Timeouts are enforced by a periodic sweep (30 s by default): sweep often enough to honour them.
        connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(headersTimeout / 4))),
      },
      (req, res) => this.onRequest(req, res),
    );
  }

  static async listen(
    state: ServerState,
    metrics: ServingMetrics,
    opts: HttpServerOptions,
  ): Promise<InferenceHttpServer> {
    const s = new InferenceHttpServer(state, metrics, opts);
    await new Promise<void>((resolve, reject) => {
      const refuse = (e: unknown) => reject(listenError(e, opts.host, opts.port));
      s.server.once('error', refuse);
      s.server.listen(opts.port, opts.host, () => {
        s.server.off('error', refuse);
        resolve();
      });
    });
    const addr = s.server.address() as AddressInfo;
    const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
    s.url = `http://${host}:${addr.port}`;
    return s;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  private match(method: string, path: string): { route?: Route; params: string[]; allow?: string[] } {
    let allow: string[] | undefined;
    // HEAD is GET without the body (node:http drops it): load balancers probe health endpoints with it.
    const as = method === 'HEAD' ? 'GET' : method;
    for (const r of this.routes) {
      const m = r.pattern.exec(path);
      if (!m) continue;
      if (!r.methods.includes(as)) {
        allow = [...(allow ?? []), ...r.methods];
        continue;
      }
      return { route: r, params: m.slice(1).map((p) => (p === undefined ? '' : p)) };
    }
    return { params: [], allow };
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    const arrivedAt = Date.now();
    const arrivedPerf = performance.now();
    this.inflight++;
    res.once('close', () => {
      if (--this.inflight === 0) this.idle?.();
    });
    if (this.state.draining) res.setHeader('Connection', 'close');
    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    const key = `${method} ${url}`;
    const known = this.matched.get(key);
    if (known) return this.handle(known.route, known.params, req, res, arrivedAt, arrivedPerf);
    const q = url.indexOf('?');
    const rawPath = q < 0 ? url : url.slice(0, q);
    const { route, params, allow } = this.match(method, rawPath);
    if (!route) {
      const status = allow ? 405 : 404;
      res.once('finish', () => this.metrics.httpRequest('unknown', res.statusCode));
      const shape: ErrorShape = rawPath.startsWith('/v2') ? 'oip' : 'mlflow';
      const e = allow
        ? new HttpError(405, `${req.method} is not allowed on ${rawPath}; use ${[...new Set(allow)].join(', ')}.`, {
            Allow: [...new Set(allow)].join(', '),
          })
        : new HttpError(
            404,
            `There is no route ${rawPath}. Routes: /v2, /v2/health/{live,ready}, /v2/models/{model}[/versions/{v}][/ready|/infer], /v2/repository/index, /invocations, /ping, /health, /version, /metrics.`,
          );
      sendError(res, shape, new HttpError(status, e.message, e.headers));
      return;
    }
    let decoded: string[];
    try {
      decoded = params.map((p) => decodeURIComponent(p));
    } catch {
      res.once('finish', () => this.metrics.httpRequest(route.name, res.statusCode));
      sendError(res, route.errors, new HttpError(400, `The path ${rawPath} is not valid URL encoding.`));
      return;
    }
    Object.freeze(decoded);
    if (this.matched.size >= MATCH_CACHE_SIZE) this.matched.clear();
    this.matched.set(key, { route, params: decoded });
    this.handle(route, decoded, req, res, arrivedAt, arrivedPerf);
  }

  private handle(
    route: Route,
    params: string[],
    req: IncomingMessage,
    res: ServerResponse,
    arrivedAt: number,
    arrivedPerf: number,
  ): void {
    res.once('finish', () => this.metrics.httpRequest(route.name, res.statusCode));
    const ctx = new Context(req, res, this.state, params, arrivedAt, arrivedPerf);
    const fail = (e: unknown) => sendError(res, route.errors, toHttpError(e));
    try {
      const done = route.handle(ctx);
      if (done) done.catch(fail);
    } catch (e) {
      fail(e);
    }
  }

  /**
   * Graceful stop: no new connections, readiness false, requests in flight answered (keep-alive
   * connections are told to close), then every connection closed.
   */
  async close(): Promise<void> {
    this.state.draining = true;
    const closed = new Promise<void>((r) => this.server.close(() => r()));
    this.server.closeIdleConnections();
    if (this.inflight > 0) await new Promise<void>((r) => (this.idle = r));
    this.server.closeAllConnections();
    await closed;
  }
}

/** Why the server could not listen, as one sentence with what to do (was: node's error and a stack trace). */
function listenError(e: unknown, host: string, port: number): Error {
  const code = isNodeError(e) ? e.code : undefined;
  const at = `${host}:${port}`;
  if (code === 'EADDRINUSE')
    return new MlopsError(
      'UNAVAILABLE',
      `Port ${port} on ${host} is already in use.`,
      'Choose another port (0 picks a free one).',
      {
        cause: e,
        reason: 'PORT_IN_USE',
      },
    );
  if (code === 'EACCES')
    return new MlopsError(
      'PERMISSION_DENIED',
      `Listening on ${at} needs privileges this process does not have.`,
      'Choose a port above 1023 (0 picks a free one).',
      { cause: e },
    );
  if (code === 'EADDRNOTAVAIL')
    return new MlopsError(
      'INVALID_ARGUMENT',
      `${host} is not an address of this machine.`,
      "Use 127.0.0.1 (the default), 0.0.0.0 for every interface, or one of this machine's addresses.",
      { cause: e },
    );
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN')
    return new MlopsError(
      'INVALID_ARGUMENT',
      `The host "${host}" does not resolve to an address.`,
      'Give an IP address such as 127.0.0.1, or a name this machine resolves.',
      { cause: e },
    );
  return e instanceof Error ? e : new Error(String(e));
}
