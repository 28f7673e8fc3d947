import type { IncomingMessage, ServerResponse } from 'node:http';
import { errorJson } from './builders';
import { DoubleError } from './store';

/** Request parsing and the answers' shapes of the MLflow TEST DOUBLE (Flask/Werkzeug pages included). */

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

export function sendError(res: ServerResponse, e: DoubleError): void {
  sendJson(res, e.status, errorJson(e.code, e.message));
}

/** Werkzeug's default error pages: what a real server answers for an unknown route or method. */
export function sendHtml(res: ServerResponse, status: 404 | 405, headers: Record<string, string> = {}): void {
  const [title, text] =
    status === 404
      ? [
          'Not Found',
          'The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.',
        ]
      : ['Method Not Allowed', 'The method is not allowed for the requested URL.'];
  const body = `<!doctype html>\n<html lang=en>\n<title>${status} ${title}</title>\n<h1>${title}</h1>\n<p>${text}</p>\n`;
  res.writeHead(status, {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    ...headers,
  });
  res.end(body);
}

export function sendText(
  res: ServerResponse,
  status: number,
  text: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

export const UNAUTHENTICATED_TEXT =
  'You are not authenticated. Please see https://www.mlflow.org/docs/latest/auth/index.html#authenticating-to-mlflow on how to authenticate.';

export function readRaw(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => resolve(Buffer.concat(parts)));
    req.on('error', reject);
  });
}

/**
 * A request's parameters the way MLflow reads them: GET from the query string (repeated keys are lists),
 * every other method from a JSON body (DELETE included: its query string is ignored), and JSON bodies
 * must say `Content-Type: application/json`.
 */
export class Params {
  private constructor(private readonly values: Record<string, unknown>) {}

  static fromQuery(q: URLSearchParams): Params {
    const v: Record<string, unknown> = {};
    for (const key of new Set(q.keys())) {
      const all = q.getAll(key);
      v[key] = all.length > 1 ? all : all[0];
    }
    return new Params(v);
  }

  static fromJson(req: IncomingMessage, raw: Buffer): Params {
    const ct = (req.headers['content-type'] ?? '').split(';')[0].trim();
    if (req.method !== 'DELETE' && ct === '')
      throw new DoubleError(400, 'INVALID_PARAMETER_VALUE', 'Bad Request. Content-Type header is missing.');
    if (req.method !== 'DELETE' && ct !== 'application/json')
      throw new DoubleError(
        400,
        'INVALID_PARAMETER_VALUE',
        "Bad Request. Content-Type must be one of ['application/json'].",
      );
    if (raw.length === 0) return new Params({});
    try {
      const v: unknown = JSON.parse(raw.toString('utf8'));
      if (v && typeof v === 'object' && !Array.isArray(v)) return new Params(v as Record<string, unknown>);
    } catch {
      // below
    }
    throw new DoubleError(400, 'MALFORMED_REQUEST', 'Failed to parse the request body as JSON.');
  }

  has(name: string): boolean {
    return this.values[name] !== undefined;
  }

  str(name: string): string {
    const v = this.values[name];
    if (v === undefined || v === '')
      throw new DoubleError(400, 'INVALID_PARAMETER_VALUE', `Missing value for required parameter '${name}'.`);
    if (typeof v !== 'string') throw invalidType(name, v);
    return v;
  }

  optStr(name: string): string {
    const v = this.values[name];
    if (v === undefined) return '';
    if (typeof v !== 'string') throw invalidType(name, v);
    return v;
  }

  /** `version` travels as a string ("1"); a JSON number is refused, as real servers do. */
  version(): number {
    const s = this.str('version');
    if (!/^\d+$/.test(s))
      throw new DoubleError(400, 'INVALID_PARAMETER_VALUE', `Version must be an integer, got '${s}'.`);
    return Number(s);
  }

  int(name: string, dflt: number): number {
    const v = this.values[name];
    if (v === undefined) return dflt;
    const n = typeof v === 'number' ? v : Number(v);
    if (!Number.isInteger(n)) throw invalidType(name, v);
    return n;
  }

  list(name: string): string[] {
    const v = this.values[name];
    if (v === undefined) return [];
    return Array.isArray(v) ? v.map(String) : [String(v)];
  }

  tags(name = 'tags'): { key: string; value: string }[] {
    const v = this.values[name];
    if (v === undefined) return [];
    if (!Array.isArray(v)) throw invalidType(name, v);
    return v.map((t: { key?: unknown; value?: unknown }) => ({
      key: String(t.key ?? ''),
      value: String(t.value ?? ''),
    }));
  }

  raw(name: string): unknown {
    return this.values[name];
  }
}

function invalidType(name: string, v: unknown): DoubleError {
  return new DoubleError(
    400,
    'INVALID_PARAMETER_VALUE',
    `Invalid value ${JSON.stringify(v)} for parameter '${name}' supplied. Hint: Value was of type '${typeof v === 'number' ? 'int' : typeof v}'.`,
  );
}
