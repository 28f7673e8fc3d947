import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

const REPO = path.resolve(__dirname, '..', '..', '..');

/**
 * Serves a panel's HTML at / and the built webview bundles under /dist/webview on 127.0.0.1, so Chromium
 * loads the page as the webview would (same CSP, same bundles) without VS Code.
 */
export function servePanel(html: () => string): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/favicon.ico') {
      // A browser tab asks for one; a VS Code webview does not.
      res.writeHead(204);
      return res.end();
    }
    if (url.pathname === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      return res.end(html());
    }
    const file = path.join(REPO, url.pathname);
    if (!file.startsWith(path.join(REPO, 'dist', 'webview')) || !existsSync(file)) {
      res.writeHead(404);
      return res.end();
    }
    res.writeHead(200, { 'content-type': file.endsWith('.css') ? 'text/css' : 'text/javascript' });
    res.end(readFileSync(file));
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(() => r())) });
    }),
  );
}
