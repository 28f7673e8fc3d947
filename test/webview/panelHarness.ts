/// <reference lib="dom" />
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { newNonce } from '../../src/extension/webviewPage';
import { CHROMIUM, launchChromium } from '../helpers/chromium';
import { servePanel } from './pageServer';

/**
 * What every webview test needs to show a panel as VS Code would: the built bundle and the host's real
 * HTML (CSP, nonce) served on 127.0.0.1, Debian's headless Chromium, and VS Code's injected API and theme
 * variables in place before any page script runs.
 */

export const REPO = path.resolve(__dirname, '..', '..', '..');
/** The README's screenshots are refreshed only on request (MLOPS_UPDATE_SCREENSHOTS=1), so a test run leaves git clean. */
export const SHOTS =
  process.env.MLOPS_UPDATE_SCREENSHOTS === '1'
    ? path.join(REPO, 'media', 'screenshots')
    : path.join(REPO, 'test-results');

/** A panel's HTML builder, as the extension host calls it. */
type PanelHtml = (o: { cspSource: string; nonce: string; scriptUri: string; styleUri: string }) => string;

export interface PanelRig {
  browser: Browser;
  server: { url: string; close: () => Promise<void> };
  close(): Promise<void>;
}

/** Serves dist/webview/<bundle>.js/.css under the host's HTML and launches Chromium. */
export async function startPanelRig(bundle: string, html: PanelHtml): Promise<PanelRig> {
  assert.ok(
    existsSync(path.join(REPO, 'dist', 'webview', `${bundle}.js`)),
    `run \`npm run build\` first: dist/webview/${bundle}.js is missing`,
  );
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install chromium`);
  // The server's origin stands in for webview.cspSource; the HTML is the host's own, fresh nonce per render.
  const server: PanelRig['server'] = await servePanel(() =>
    html({
      cspSource: server.url,
      nonce: newNonce(),
      scriptUri: `${server.url}/dist/webview/${bundle}.js`,
      styleUri: `${server.url}/dist/webview/${bundle}.css`,
    }),
  );
  const browser = await launchChromium();
  return {
    browser,
    server,
    close: async () => {
      await browser.close();
      await server.close();
    },
  };
}

/**
 * acquireVsCodeApi as VS Code injects it (messages posted to the host land in window.__posted), CSP
 * violations collected in window.__csp, the theme's CSS variables and body class. `state: 'session'`
 * keeps setState across a reload of the page, as VS Code keeps it for a hidden panel.
 */
export function vscodeInitScript(
  vars: Record<string, string>,
  themeClass: string,
  state: 'memory' | 'session' = 'memory',
): string {
  const api =
    state === 'session'
      ? `const saved = sessionStorage.getItem('state');
    window.acquireVsCodeApi = () => ({ postMessage: (m) => window.__posted.push(m), getState: () => saved ? JSON.parse(saved) : undefined, setState: (s) => sessionStorage.setItem('state', JSON.stringify(s)) });`
      : `window.__state = undefined;
    window.acquireVsCodeApi = () => ({ postMessage: (m) => window.__posted.push(m), getState: () => window.__state, setState: (s) => { window.__state = s; } });`;
  return `
    window.__posted = []; window.__csp = [];
    ${api}
    document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
    const applyVars = () => { for (const [k, v] of Object.entries(${JSON.stringify(vars)})) document.documentElement.style.setProperty(k, v); };
    if (document.documentElement) applyVars();
    else new MutationObserver((_, o) => { if (document.documentElement) { applyVars(); o.disconnect(); } }).observe(document, { childList: true });
    document.addEventListener('DOMContentLoaded', () => document.body.classList.add(${JSON.stringify(themeClass)}));`;
}

export type Posted = { type: string; [k: string]: unknown };
/** What the page has posted to the host so far. */
export const posted = (p: Page) => p.evaluate(() => (window as unknown as { __posted: Posted[] }).__posted);
/** A message from the host to the page. */
export const host = (p: Page, m: unknown) => p.evaluate((msg) => window.postMessage(msg, '*'), m);
/** The CSP violations the page reported. */
export const csp = (p: Page) => p.evaluate(() => (window as unknown as { __csp: string[] }).__csp);

/**
 * A new page with the init script, console errors, CSP messages and page errors collected into `problems`
 * (prefixed by `label`), loaded and, unless told otherwise, past the webview's ready handshake.
 */
export async function openPanelPage(
  rig: PanelRig,
  init: string,
  problems: string[],
  o: { label: string; viewport: { width: number; height: number }; waitReady?: boolean },
): Promise<Page> {
  const page = await rig.browser.newPage({ viewport: o.viewport });
  page.on('console', (m) => {
    if (m.type() === 'error' || /Content Security Policy/i.test(m.text()))
      problems.push(`${o.label} console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`${o.label} page error: ${e.stack ?? e.message}`));
  await page.addInitScript(init);
  await page.goto(rig.server.url);
  if (o.waitReady !== false)
    await page.waitForFunction(() =>
      (window as unknown as { __posted: Posted[] }).__posted.some((m) => m.type === 'ready'),
    );
  return page;
}
