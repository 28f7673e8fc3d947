import http from 'node:http';
import net from 'node:net';

export interface HttpResult {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  /** The raw body (binary responses). */
  body: Buffer;
  json: <T = any>() => T; // eslint-disable-line @typescript-eslint/no-explicit-any
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

/** One real HTTP request on 127.0.0.1 (keep-alive agent shared by the tests). */
export function request(
  method: string,
  url: string,
  body?: string | Buffer | object,
  headers: Record<string, string> = {},
): Promise<HttpResult> {
  const payload =
    body === undefined ? undefined : typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
  const h: Record<string, string | number> = { ...headers };
  if (payload !== undefined) {
    if (
      !Object.keys(h).some((k) => k.toLowerCase() === 'content-type') &&
      typeof body === 'object' &&
      !Buffer.isBuffer(body)
    )
      h['Content-Type'] = 'application/json';
    h['Content-Length'] = Buffer.byteLength(payload);
  }
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers: h, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const raw = Buffer.concat(chunks);
        const text = raw.toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, body: raw, json: () => JSON.parse(text) });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

/** Opens a raw socket, sends `data`, and resolves with everything received until the server closes it. */
export function rawExchange(
  port: number,
  data: string,
  timeoutMs = 10_000,
): Promise<{ received: string; closedAfterMs: number }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const s = net.connect(port, '127.0.0.1', () => s.write(data));
    let received = '';
    s.on('data', (d) => (received += d.toString()));
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error(`the server did not close the connection within ${timeoutMs} ms`));
    }, timeoutMs);
    s.on('close', () => {
      clearTimeout(timer);
      resolve({ received, closedAfterMs: Date.now() - started });
    });
    s.on('error', () => undefined);
  });
}
