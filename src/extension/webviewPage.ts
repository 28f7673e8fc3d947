import { randomBytes } from 'node:crypto';

/**
 * What every panel's HTML shares, kept free of the vscode API so the Chromium tests render exactly what the
 * panels show. One Content Security Policy for all of them (CONVENTIONS 5): nothing by default, the script
 * only with this render's nonce, styles, fonts and images only from the extension's own resources
 * (cspSource); no inline style or script, no remote URL, no connection (the host does the talking).
 */
export function newNonce(): string {
  return randomBytes(18).toString('base64');
}

export interface PanelHtmlOptions {
  cspSource: string;
  nonce: string;
  scriptUri: string;
  styleUri: string;
}

export const escapeHtml = (s: string) =>
  s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** The document up to `<body>`: doctype, the CSP, the viewport, the panel's stylesheet and its title. */
export function pageHead(o: PanelHtmlOptions, title: string): string {
  const csp = [
    `default-src 'none'`,
    `script-src 'nonce-${o.nonce}'`,
    `style-src ${o.cspSource}`,
    `font-src ${o.cspSource}`,
    `img-src ${o.cspSource}`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${escapeHtml(o.styleUri)}">
<title>${escapeHtml(title)}</title>
</head>`;
}
