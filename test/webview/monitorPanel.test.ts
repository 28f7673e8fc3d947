/// <reference lib="dom" />
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { historyPanelHtml } from '../../src/extension/monitor/historyHtml';
import type { HostToWebview } from '../../src/shared/monitorProtocol';
import {
  csp,
  host,
  openPanelPage,
  type PanelRig,
  type Posted,
  posted,
  REPO,
  startPanelRig,
  vscodeInitScript,
} from './panelHarness';
import { DARK, LIGHT } from './theme';

/**
 * The check history panel as VS Code would show it: the built dist/webview/monitor bundle, the host's real
 * HTML with its CSP and nonce, in Debian's headless Chromium, with acquireVsCodeApi stubbed as VS Code
 * provides it.
 */
const OUT = path.join(REPO, 'test-results');

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
  let rig: PanelRig;

  before(async () => {
    rig = await startPanelRig('monitor', historyPanelHtml);
    mkdirSync(OUT, { recursive: true });
  });

  after(async () => {
    await rig?.close();
  });

  for (const [name, vars, themeClass] of [
    ['dark', DARK, 'vscode-dark'],
    ['light', LIGHT, 'vscode-light'],
  ] as const) {
    it(`${name}: handshake, ignores what does not fit, draws the series and both thresholds in theme colours, reports it`, async () => {
      const problems: string[] = [];
      const page = await openPanelPage(rig, vscodeInitScript(vars, themeClass), problems, {
        label: name,
        viewport: { width: 900, height: 600 },
      });
      try {
        assert.deepEqual(await posted(page), [{ type: 'ready', protocol: 1 }]);

        await host(page, { ...history, points: [{ at: 'x', value: 'high', state: 'ok' }] });
        await page.waitForTimeout(100);
        assert.equal(await page.isVisible('#content'), false, 'a message outside the contract is dropped');

        await host(page, history);
        await page.waitForFunction(() =>
          (window as unknown as { __posted: Posted[] }).__posted.some((m) => m.type === 'rendered'),
        );
        const rendered = (await posted(page)).filter((m) => m.type === 'rendered');
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
        assert.equal((await posted(page)).at(-1)?.type, 'refresh', 'Refresh asks the host');
        await page.screenshot({ path: path.join(OUT, `monitor-history-${name}.png`) });
        assert.deepEqual(await csp(page), [], 'no CSP violation');
        assert.deepEqual(problems, []);
      } finally {
        await page.close();
      }
    });
  }

  it('shows an error from the host, and an empty history as a hint to run the monitors', async () => {
    const page = await openPanelPage(rig, vscodeInitScript(DARK, 'vscode-dark'), [], {
      label: 'dark',
      viewport: { width: 700, height: 500 },
    });
    try {
      await host(page, { type: 'error', subject, message: 'mlops.yaml: the monitor is gone.' });
      await page.waitForSelector('#error', { state: 'visible' });
      assert.equal(await page.textContent('#error-text'), 'mlops.yaml: the monitor is gone.');
      assert.equal(await page.isVisible('#content'), false);
      await host(page, { ...history, points: [] });
      await page.waitForSelector('#empty', { state: 'visible' });
      assert.equal(await page.isVisible('#error'), false);
      assert.deepEqual(await csp(page), []);
    } finally {
      await page.close();
    }
  });
});
