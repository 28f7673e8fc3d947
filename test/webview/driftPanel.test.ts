/// <reference lib="dom" />
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { defaultSettings } from '../../src/core/drift/config';
import type { DriftResult } from '../../src/core/drift/result';
import { runDrift } from '../../src/core/drift/run';
import { driftPanelHtml } from '../../src/extension/drift/html';
import type { DriftFiles } from '../../src/shared/driftProtocol';
import {
  csp,
  host,
  openPanelPage,
  type PanelRig,
  type Posted,
  posted,
  REPO,
  SHOTS,
  startPanelRig,
  vscodeInitScript,
} from './panelHarness';
import { DARK, LIGHT } from './theme';

/**
 * The drift panel as VS Code would show it: the built dist/webview bundle, the host's real HTML with its
 * CSP and nonce, in Debian's headless Chromium. acquireVsCodeApi is stubbed the way VS Code provides it.
 */
const SCREENSHOT = path.join(SHOTS, 'drift-panel.png');

describe('drift panel in a real Chromium (built bundle, strict CSP)', function () {
  this.timeout(120000);
  let rig: PanelRig;
  let page: Page;
  let result: DriftResult;
  const problems: string[] = [];
  const files: DriftFiles = {
    reference: { path: '/data/small_reference.csv', label: 'small_reference.csv' },
    current: { path: '/data/small_current.csv', label: 'small_current.csv' },
  };

  before(async () => {
    rig = await startPanelRig('drift', driftPanelHtml);
    const s = defaultSettings();
    s.timestamp = 'event_time';
    s.window = { by: 'time', ms: 86_400_000 * 7, label: '1w' };
    s.ttl = { ms: 86_400_000, label: '24h' };
    const fx = path.join(REPO, 'test', 'fixtures', 'drift');
    result = await runDrift({
      reference: path.join(fx, 'small_reference.csv'),
      current: path.join(fx, 'small_current.csv'),
      referenceName: 'small_reference.csv',
      currentName: 'small_current.csv',
      settings: s,
      now: Date.UTC(2024, 2, 22),
    });
    page = await openPanelPage(rig, vscodeInitScript(DARK, 'vscode-dark'), problems, {
      label: 'dark',
      viewport: { width: 1100, height: 1000 },
      waitReady: false,
    });
  });

  after(async () => {
    await rig?.close();
  });

  it('sends ready (the handshake) and waits for the host', async () => {
    await page.waitForFunction(() =>
      (window as unknown as { __posted: Posted[] }).__posted.some((m) => m.type === 'ready'),
    );
    assert.deepEqual(await posted(page), [{ type: 'ready', protocol: 1 }]);
  });

  it('ignores a message that does not fit the contract', async () => {
    await host(page, { type: 'result', files: null, result: { nope: 1 } });
    assert.equal(await page.isVisible('#content'), false);
  });

  it('renders the verdict, one table row per feature, and draws both charts', async () => {
    await host(page, { type: 'result', files, result });
    await page.waitForSelector('#features tbody tr');
    assert.equal(await page.locator('#features tbody tr').count(), result.features.length);
    const rendered = (await posted(page)).filter((m) => m.type === 'rendered');
    assert.deepEqual(
      rendered.map((m) => m.rows),
      [result.features.length],
      'the panel tells the host what it drew',
    );
    assert.match((await page.textContent('#verdict')) ?? '', /4 of 9 features drifted/);
    assert.match((await page.textContent('#stale')) ?? '', /Fresh data/);
    assert.equal(
      await page.evaluate(() =>
        getComputedStyle(document.documentElement).getPropertyValue('--drift-reference').trim(),
      ),
      '#3794ff',
      'theme variables reach the panel',
    );
    const drawn = await page.evaluate(() =>
      ['dist-chart', 'time-chart'].map((id) => {
        const c = document.getElementById(id) as HTMLCanvasElement;
        const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        let painted = 0;
        for (let i = 3; i < data.length; i += 4) if (data[i] > 0) painted++;
        return { width: c.width, painted };
      }),
    );
    for (const d of drawn) assert.ok(d.width > 100 && d.painted > 1000, `canvas drawn: ${JSON.stringify(d)}`);
  });

  it('sorts by a column, selects a feature and keeps that in the webview state', async () => {
    await page.click('#features th:nth-child(1) button');
    assert.equal(await page.getAttribute('#features th:nth-child(1)', 'aria-sort'), 'ascending');
    assert.equal(await page.textContent('#features tbody tr:first-child td:first-child'), 'active');
    await page.click('#features th:nth-child(1) button');
    assert.equal(await page.getAttribute('#features th:nth-child(1)', 'aria-sort'), 'descending');
    await page.click('#features tbody tr[data-feature="country"]');
    assert.match((await page.textContent('#chart-title')) ?? '', /^country/);
    // A p-value series spans decades: drawn on a log axis, and said so to screen readers.
    assert.match(
      (await page.getAttribute('#time-chart', 'aria-label')) ?? '',
      /^country: p-value per window \(log scale\), threshold 0\.05; \d+ of \d+ windows drifted$/,
    );
    const state = await page.evaluate(
      () => (window as unknown as { __state: { selected: string; sort: { key: string } } }).__state,
    );
    assert.equal(state.selected, 'country');
    assert.equal(state.sort.key, 'name');
    await page.click('#refresh');
    assert.deepEqual(
      (await posted(page)).map((m) => m.type),
      ['ready', 'rendered', 'refresh'],
    );
  });

  it('redraws with the light theme when VS Code switches it', async () => {
    await page.evaluate((vars) => {
      for (const [k, v] of Object.entries(vars)) document.documentElement.style.setProperty(k, v);
      document.body.classList.replace('vscode-dark', 'vscode-light');
    }, LIGHT);
    await page.waitForTimeout(200);
    assert.equal(
      await page.evaluate(() =>
        getComputedStyle(document.documentElement).getPropertyValue('--drift-reference').trim(),
      ),
      '#1a85ff',
    );
    await page.evaluate((vars) => {
      for (const [k, v] of Object.entries(vars)) document.documentElement.style.setProperty(k, v);
      document.body.classList.replace('vscode-light', 'vscode-dark');
    }, DARK);
  });

  it('beside the editor (537 px) keeps Verdict, PSI and Missing in view (was: cut off at 851 px)', async () => {
    await page.setViewportSize({ width: 537, height: 1000 });
    await page.waitForTimeout(100);
    const fit = await page.evaluate(() => {
      const box = document.querySelector('.table-box') as HTMLElement;
      const visible = (sel: string) => {
        const el = document.querySelector(sel) as HTMLElement | null;
        const r = el?.getBoundingClientRect();
        return !!r && r.width > 0 && r.right <= document.documentElement.clientWidth;
      };
      return {
        overflow: box.scrollWidth - box.clientWidth,
        shown: ['name', 'score', 'verdict', 'psi', 'missing'].map((k) => [k, visible(`#features th.col-${k}`)]),
        hidden: ['type', 'method'].map(
          (k) => (document.querySelector(`#features th.col-${k}`) as HTMLElement).offsetWidth,
        ),
      };
    });
    assert.equal(fit.overflow, 0, 'the table fits without scrolling');
    assert.deepEqual(
      fit.shown,
      ['name', 'score', 'verdict', 'psi', 'missing'].map((k) => [k, true]),
    );
    assert.deepEqual(fit.hidden, [0, 0], 'type and method give way (the chart subtitle says them)');
    await page.waitForFunction(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth);
    await page.screenshot({ path: path.join(REPO, 'test-results', 'drift-panel-narrow.png') });
    await page.setViewportSize({ width: 1100, height: 1000 });
  });

  it('names the model version it is for', async () => {
    const forModel = { ...files, model: { name: 'fraud', version: '3' } };
    await page.evaluate(([f, r]) => window.postMessage({ type: 'result', files: f, result: r }, '*'), [
      forModel,
      result,
    ] as const);
    await page.waitForFunction(() => !(document.getElementById('subject') as HTMLElement).hidden);
    assert.equal(await page.textContent('#subject'), 'fraud v3');
  });

  it('renders the error state, header included (was: stuck on "Loading…")', async () => {
    const fresh = await openPanelPage(rig, vscodeInitScript(DARK, 'vscode-dark'), problems, {
      label: 'error state',
      viewport: { width: 800, height: 600 },
    });
    try {
      await host(fresh, {
        type: 'error',
        files,
        message: 'cur.csv: there is no timestamp column "ts".',
        hint: 'Columns: a, b.',
      });
      await fresh.waitForSelector('#error', { state: 'visible' });
      assert.equal(await fresh.textContent('#verdict'), 'Drift could not be computed.');
      assert.equal(await fresh.textContent('#verdict-badge'), 'Error');
      assert.match((await fresh.textContent('#error-text')) ?? '', /no timestamp column "ts"/);
      assert.equal(await fresh.isVisible('#loading'), false);
      assert.equal(await fresh.isVisible('#content'), false);
    } finally {
      await fresh.close();
    }
  });

  it('has no CSP violation and no console error; saves the README screenshot', async () => {
    await page.click('#features tbody tr[data-feature="age"]');
    await page.waitForTimeout(200);
    mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    assert.deepEqual(await csp(page), []);
    assert.deepEqual(problems, []);
  });
});
