import type { IncomingMessage } from 'node:http';
import { HttpError } from './httpError';

export interface ContentType {
  /** Lower-cased media type without parameters ("application/json"); "" when the header is absent. */
  mediaType: string;
  params: Record<string, string>;
}

export function contentTypeOf(req: IncomingMessage): ContentType {
  const raw = req.headers['content-type'] ?? '';
  const [type, ...rest] = raw.split(';');
  const params: Record<string, string> = {};
  for (const p of rest) {
    const eq = p.indexOf('=');
    if (eq > 0)
      params[p.slice(0, eq).trim().toLowerCase()] = p
        .slice(eq + 1)
        .trim()
        .replace(/^"(.*)"$/, '$1');
  }
  return { mediaType: type.trim().toLowerCase(), params };
}

/**
 * The request body, refused with 413 as soon as it is known to pass `limit` (from Content-Length, or
 * while it streams in), so an oversized upload is never buffered whole. Compressed bodies are refused
 * (415): clients of these protocols send plain JSON.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const encoding = req.headers['content-encoding'];
  if (encoding && encoding !== 'identity') {
    return Promise.reject(
      new HttpError(415, `Content-Encoding "${encoding}" is not supported; send the body uncompressed.`),
    );
  }
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(tooLarge(limit));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (err?: Error) => {
      if (done) return;
      done = true;
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onAborted);
      if (err) reject(err);
      else resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size));
    };
    const onData = (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        finish(tooLarge(limit));
        return;
      }
      chunks.push(c);
    };
    const onEnd = () => finish();
    const onError = (e: Error) => finish(e);
    const onAborted = () => finish(new HttpError(400, 'The client closed the connection before the body ended.'));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onAborted);
  });
}

function tooLarge(limit: number): HttpError {
  return new HttpError(
    413,
    `The request body is larger than the server's limit of ${limit} bytes; send fewer rows per request or start the server with a larger --max-body.`,
    { Connection: 'close' },
  );
}

/** JSON.parse with a 400 that says where the JSON broke. */
export function parseJsonBody(body: Buffer): unknown {
  if (body.length === 0) throw new HttpError(400, 'The request body is empty; send a JSON object.');
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (e) {
    throw new HttpError(400, `The request body is not valid JSON: ${e instanceof Error ? e.message : String(e)}.`);
  }
}
