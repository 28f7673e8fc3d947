import http from 'node:http';
import { failed, type LoadTarget, OK, type SendOutcome } from './target';

export interface HttpTargetOptions {
  /** The full URL requests are POSTed to (".../v2/models/fraud/infer", ".../invocations"). */
  url: string;
  /** Pre-serialised request bodies, cycled through by sequence number. */
  bodies: Buffer[];
  /** Keep-alive connections to open at most (the load test's concurrency). */
  connections: number;
  /** A request unanswered after this long fails with kind 'timeout'. */
  timeoutMs: number;
  headers?: Record<string, string>;
  /** Headers of each body (same index), over the common ones: a binary body's JSON length. */
  bodyHeaders?: Record<string, string>[];
}

/**
 * Sends pre-serialised bodies (JSON, or JSON + binary tensors) over keep-alive connections (node:http Agent): the costly parts
 * (building and serialising requests) are done before the run, so each send is a header block and a
 * buffer write. Outcomes: 2xx ok; any other status 'http_<status>'; no answer in time 'timeout'; a
 * refused, reset or closed connection 'connection'. Response bodies are read and dropped.
 */
export class HttpTarget implements LoadTarget {
  readonly name: string;
  private readonly agent: http.Agent;
  private readonly url: URL;
  private readonly headers: Record<string, string>[];

  constructor(private readonly opts: HttpTargetOptions) {
    if (opts.bodies.length === 0) throw new Error('HttpTarget needs at least one body');
    this.url = new URL(opts.url);
    if (this.url.protocol !== 'http:') throw new Error(`HttpTarget speaks http only, got ${this.url.protocol}`);
    this.name = opts.url;
    this.agent = new http.Agent({ keepAlive: true, maxSockets: opts.connections, maxFreeSockets: opts.connections });
    this.headers = opts.bodies.map((b, i) => ({
      'content-type': 'application/json',
      'content-length': String(b.length),
      ...opts.headers,
      ...opts.bodyHeaders?.[i],
    }));
  }

  send(seq: number, signal: AbortSignal): Promise<SendOutcome> {
    const k = seq % this.opts.bodies.length;
    return new Promise<SendOutcome>((resolve) => {
      let settled = false;
      const done = (o: SendOutcome) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        resolve(o);
      };
      const req = http.request({
        agent: this.agent,
        host: this.url.hostname,
        port: this.url.port || 80,
        path: this.url.pathname + this.url.search,
        method: 'POST',
        headers: this.headers[k],
      });
      const timer = setTimeout(() => {
        done(failed('timeout'));
        req.destroy();
      }, this.opts.timeoutMs);
      const onAbort = () => {
        done(failed('cancelled'));
        req.destroy();
      };
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      req.on('response', (res) => {
        const status = res.statusCode ?? 0;
        const ok = status >= 200 && status < 300;
        // A failure's body says why (OIP {"error"}, MLflow {"message"}); only failures are read, and only their start.
        let said = '';
        res.on('data', (chunk: Buffer) => {
          if (!ok && said.length < MAX_ERROR_TEXT) said += chunk.toString('utf8', 0, MAX_ERROR_TEXT - said.length);
        });
        res.on('end', () => done(ok ? OK : failed(`http_${status}`, errorText(said))));
        res.on('error', () => done(failed('connection')));
      });
      // Refused, reset, closed mid-answer, unknown host: all the connection failing.
      req.on('error', () => done(failed('connection')));
      req.end(this.opts.bodies[k]);
    });
  }

  close(): Promise<void> {
    this.agent.destroy();
    return Promise.resolve();
  }
}

const MAX_ERROR_TEXT = 2048;

/** The message of an error body: OIP's {"error": ...}, MLflow's {"message": ...}, or its text. */
function errorText(body: string): string | undefined {
  const text = body.trim();
  if (!text) return undefined;
  try {
    const j = JSON.parse(text) as { error?: unknown; message?: unknown };
    if (typeof j.error === 'string') return j.error;
    if (typeof j.message === 'string') return j.message;
  } catch {
    // not JSON (or cut at MAX_ERROR_TEXT): the text itself
  }
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}
