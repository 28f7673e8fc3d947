/// <reference lib="dom" />
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { historyPanelHtml } from '../../src/extension/monitor/historyHtml';
import { newNonce } from '../../src/extension/webviewPage';
import type { HostToWebview } from '../../src/shared/monitorProtocol';
import { servePanel } from './pageServer';
import { DARK, LIGHT } from './theme';

/**
 * The check history panel as VS Code would show it: the built dist/webview/monitor bundle, the host's real
 * HTML with its CSP and nonce, in Debian's headless Chromium, with acquireVsCodeApi stubbed as VS Code
 * provides it.
 */
const REPO = path.resolve(__dirname, '..', '..', '..');
const CHROMIUM = '/usr/bin/chromium';
const OUT = path.join(REPO, 'test-results');

function initScript(vars: Record<string, string>, themeClass: string): string {
  return `
    window.__posted = []; window.__state = undefined; window.__csp = [];
    window.acquireVsCodeApi = () => ({ postMessage: (m) => window.__posted.push(m), getState: () => window.__state, setState: (s) => { window.__state = s; } });
    document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
    const applyVars = () => { for (const [k, v] of Object.entries(${JSON.stringify(vars)})) document.documentElement.style.setProperty(k, v); };
    if (document.documentElement) applyVars();
    else new MutationObserver((_, o) => { if (document.documentElement) { applyVars(); o.disconnect(); } }).observe(document, { childList: true });
    document.addEventListener('DOMContentLoaded', () => document.body.classList.add(${JSON.stringify(themeClass)}));`;
}

const subject = {
  monitor: 'models:/fraud@production',
  model: 'models:/fraud@production',
  check: 'drift',
  unit: 'share',
};
const t0 = Date.UTC(2026, 10, 29, 8);
const history: HostToWebview = {
  type: 'history',
  subject,
  thresholds: { warning: 0.2, critical: 0.5, lowerIsWorse: false },
  points: [0.05, 0.1, 0.3, null, 0.75, 1].map((value, i) => ({
    at: new Date(t0 + i * 15 * 60_000).toISOString(),
    value,
    state: value === null ? 'nodata' : value >= 0.5 ? 'critical' : value >= 0.2 ? 'warning' : 'ok',
  })),
  window: 'reference data/ref.csv · current data/cur.csv',
};

type Win = { __posted: { type: string; points?: number }[]; __csp: string[] };

/** Pixels of the chart canvas within a small distance of `hex` (lines are anti-aliased). */
async function pixelsNear(page: Page, hex: string): Promise<number> {
  return page.evaluate((h) => {
    const c = document.getElementById('history-chart') as HTMLCanvasElement;
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    const [r, g, b] = [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16));
    let n = 0;
    for (let i = 0; i < d.length; i += 4)
      if (d[i + 3] > 200 && Math.abs(d[i] - r) + Math.abs(d[i + 1] - g) + Math.abs(d[i + 2] - b) < 40) n++;
    return n;
  }, hex);
}

describe('check history panel in a real Chromium (built bundle, strict CSP)', function () {
  this.timeout(120000);
  let browser: Browser;
  let server: { url: string; close: () => Promise<void> };

  before(async () => {
    assert.ok(
      existsSync(path.join(REPO, 'dist', 'webview', 'monitor.js')),
      'run `npm run build` first: dist/webview/monitor.js is missing',
    );
    assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install chromium`);
    server = await servePanel(() =>
      historyPanelHtml({
        cspSource: server.url,
        nonce: newNonce(),
        scriptUri: `${server.url}/dist/webview/monitor.js`,
        styleUri: `${server.url}/dist/webview/monitor.css`,
      }),
    );
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-sync'],
    });
    mkdirSync(OUT, { recursive: true });
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  for (const [name, vars, themeClass] of [
    ['dark', DARK, 'vscode-dark'],
    ['light', LIGHT, 'vscode-light'],
  ] as const) {
    it(`${name}: handshake, ignores what does not fit, draws the series and both thresholds in theme colours, reports it`, async () => {
      const page = await browser.newPage({ viewport: { width: 900, height: 600 } });
      const problems: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error' || /Content Security Policy/i.test(m.text())) problems.push(`console: ${m.text()}`);
      });
      page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
      try {
        await page.addInitScript(initScript(vars, themeClass));
        await page.goto(server.url);
        await page.waitForFunction(() => (window as unknown as Win).__posted.some((m) => m.type === 'ready'));
        assert.deepEqual(await page.evaluate(() => (window as unknown as Win).__posted), [
          { type: 'ready', protocol: 1 },
        ]);

        await page.evaluate(
          (h) => window.postMessage({ ...h, points: [{ at: 'x', value: 'high', state: 'ok' }] }, '*'),
          history,
        );
        await page.waitForTimeout(100);
        assert.equal(await page.isVisible('#content'), false, 'a message outside the contract is dropped');

        await page.evaluate((h) => window.postMessage(h, '*'), history);
        await page.waitForFunction(() => (window as unknown as Win).__posted.some((m) => m.type === 'rendered'));
        const rendered = await page.evaluate(() =>
          (window as unknown as Win).__posted.filter((m) => m.type === 'rendered'),
        );
        assert.deepEqual(rendered, [{ type: 'rendered', points: 5 }], 'five values drawn, one gap');
        assert.equal(await page.textContent('#subject'), 'drift of models:/fraud@production');
        assert.equal(await page.textContent('#summary'), 'Critical · last value 100% · 6 evaluation(s)');
        assert.equal(await page.getAttribute('#summary', 'class'), 'summary critical');
        assert.equal(await page.textContent('#window'), 'Data: reference data/ref.csv · current data/cur.csv');
        assert.equal(
          await page.getAttribute('#history-chart', 'aria-label'),
          'drift (share): 5 evaluations, warning 0.2, critical 0.5',
        );
        // The series in the theme's blue, the critical line in its red: colours come from the theme only.
        assert.ok((await pixelsNear(page, vars['--vscode-charts-blue'])) > 50, 'the series is drawn in charts.blue');
        assert.ok((await pixelsNear(page, vars['--vscode-charts-red'])) > 50, 'the critical line in charts.red');
        const other = name === 'dark' ? LIGHT : DARK;
        assert.ok(
          (await pixelsNear(page, other['--vscode-charts-blue'])) <
            (await pixelsNear(page, vars['--vscode-charts-blue'])),
          'not the other theme’s blue',
        );
        const state = await page.evaluate(() => (window as unknown as { __state: unknown }).__state);
        assert.deepEqual(state, { protocol: 1, subject });

        await page.click('#refresh');
        assert.equal(
          await page.evaluate(() => (window as unknown as Win).__posted.at(-1)?.type),
          'refresh',
          'Refresh asks the host',
        );
        await page.screenshot({ path: path.join(OUT, `monitor-history-${name}.png`) });
        assert.deepEqual(await page.evaluate(() => (window as unknown as Win).__csp), [], 'no CSP violation');
        assert.deepEqual(problems, []);
      } finally {
        await page.close();
      }
    });
  }

  it('shows an error from the host, and an empty history as a hint to run the monitors', async () => {
    const page = await browser.newPage({ viewport: { width: 700, height: 500 } });
    try {
      await page.addInitScript(initScript(DARK, 'vscode-dark'));
      await page.goto(server.url);
      await page.waitForFunction(() => (window as unknown as Win).__posted.some((m) => m.type === 'ready'));
      await page.evaluate(
        (s) => window.postMessage({ type: 'error', subject: s, message: 'mlops.yaml: the monitor is gone.' }, '*'),
        subject,
      );
      await page.waitForSelector('#error', { state: 'visible' });
      assert.equal(await page.textContent('#error-text'), 'mlops.yaml: the monitor is gone.');
      assert.equal(await page.isVisible('#content'), false);
      await page.evaluate((h) => window.postMessage({ ...h, points: [] }, '*'), history);
      await page.waitForSelector('#empty', { state: 'visible' });
      assert.equal(await page.isVisible('#error'), false);
      assert.deepEqual(await page.evaluate(() => (window as unknown as Win).__csp), []);
    } finally {
      await page.close();
    }
  });
});
