import type { ServerResponse } from 'node:http';

/** Writes a JSON answer with its length (keep-alive friendly). */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  sendText(res, status, JSON.stringify(body), 'application/json', headers);
}

export function sendText(
  res: ServerResponse,
  status: number,
  text: string,
  contentType = 'text/plain; charset=utf-8',
  headers: Record<string, string> = {},
): void {
  // One header object, filled in place (no spread): this runs for every answer.
  const all: Record<string, string | number> = {
    'Content-Type': contentType,
    'Content-Length': Buffer.byteLength(text),
  };
  for (const k in headers) all[k] = headers[k];
  res.writeHead(status, all);
  res.end(text);
}
