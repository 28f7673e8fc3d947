/// <reference lib="dom" />
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { latencyPanelHtml } from '../../src/extension/serving/latencyHtml';
import type { LatencyLine, LatencyView } from '../../src/shared/latencyProtocol';
import {
  csp,
  host,
  openPanelPage,
  type PanelRig,
  posted,
  SHOTS,
  startPanelRig,
  vscodeInitScript,
} from './panelHarness';
import { DARK, LIGHT } from './theme';

/**
 * The Latency panel as VS Code would show it: the built dist/webview/latency.js and the host's real HTML
 * (CSP, nonce) in headless Chromium, in light, dark and high-contrast themes, drawing recorded host
 * messages: a live endpoint with a canary beside the primary, and a stopped one read from its log.
 */

/** Default High Contrast's chart and text colours (VS Code sets body.vscode-high-contrast). */
const HIGH_CONTRAST: Record<string, string> = {
  ...DARK,
  '--vscode-foreground': '#ffffff',
  '--vscode-editor-background': '#000000',
  '--vscode-descriptionForeground': '#ffffff',
  '--vscode-charts-blue': '#3794ff',
  '--vscode-charts-orange': '#d18616',
  '--vscode-charts-red': '#f14c4c',
  '--vscode-charts-yellow': '#cca700',
  '--vscode-charts-purple': '#b180d7',
  '--vscode-charts-green': '#89d185',
  '--vscode-editorWidget-border': '#6fc3df',
  '--vscode-contrastBorder': '#6fc3df',
  '--vscode-button-background': '#000000',
  '--vscode-button-border': '#6fc3df',
  '--vscode-button-secondaryBackground': '#000000',
  '--vscode-errorForeground': '#f48771',
};
const THEMES = { light: LIGHT, dark: DARK, 'high-contrast': HIGH_CONTRAST } as const;
type Kind = keyof typeof THEMES;

const T0 = Date.UTC(2026, 10, 29, 12, 0, 0);
const series = (version: number, role: LatencyLine['role'], n: number, scale: number): LatencyLine => ({
  version,
  role,
  points: Array.from({ length: n }, (_, i) => ({
    t: T0 + i * 2000,
    requests: Math.round(800 * scale) + (i % 5) * 10,
    errors: i === 7 ? 3 : 0,
    p50: 1.2 * (2 - scale) + (i % 3) * 0.1,
    p95: 3.4 * (2 - scale) + (i % 4) * 0.2,
    p99: 7.9 * (2 - scale) + (i % 6) * 0.5,
    queueMs: 0.4 + (i % 3) * 0.1,
    computeMs: 0.8 * (2 - scale),
    batchSize: 2 + (i % 4),
  })),
});

const LIVE: LatencyView = {
  title: 'fraud@production :53817',
  running: true,
  range: 'live',
  snapshot: {
    source: 'live',
    from: T0,
    to: T0 + 60_000,
    bucketMs: 2000,
    lines: [series(4, 'canary', 30, 0.1), series(3, 'primary', 30, 0.9)],
    roles: [
      { version: 3, role: 'primary', share: null },
      { version: 4, role: 'canary', share: 0.1 },
    ],
    totals: { requests: 24_450, errors: 6, perSecond: 407.5, p50: 1.3, p95: 3.8, p99: 9.1 },
    notes: ['Percentiles are estimated from the server’s latency histogram buckets (0.5 ms, 1 ms, 2.5 ms, 5 ms, …).'],
  },
};

const LOGGED: LatencyView = {
  title: 'fraud v3',
  running: false,
  range: 'hour',
  snapshot: {
    source: 'log',
    from: T0 - 3_600_000,
    to: T0,
    bucketMs: 60_000,
    lines: [
      {
        version: 3,
        role: 'primary',
        points: [5, 6, 7, 30, 31].map((m) => ({
          t: T0 - 3_600_000 + m * 60_000,
          requests: 120,
          errors: m === 30 ? 2 : 0,
          p50: 1.1,
          p95: 2.9,
          p99: 6.4,
          queueMs: 0.3,
          computeMs: 0.7,
          batchSize: 1.5,
        })),
      },
    ],
    roles: [{ version: 3, role: 'primary', share: null }],
    totals: { requests: 600, errors: 2, perSecond: 0.17, p50: 1.1, p95: 2.9, p99: 6.4 },
    notes: [
      'From the prediction log: only the requests it sampled (setting mlops.serving.logPredictions) are counted.',
    ],
  },
};

/** The primary with a shadow beside it: the shadow's copies are not timed, so it has a role and no line. */
const SHADOWED: LatencyView = {
  ...LIVE,
  snapshot: {
    ...LIVE.snapshot,
    lines: [series(3, 'primary', 30, 0.9)],
    roles: [
      { version: 3, role: 'primary', share: null },
      { version: 4, role: 'shadow', share: null },
    ],
    notes: ['v4 runs as a shadow: a copy of every request, compared with the answer but not timed, so it has no line.'],
  },
};

/** Canvases with enough painted pixels to be a chart (not just an empty frame). */
const paintedCanvases = (p: Page) =>
  p.evaluate(() =>
    ['pct-chart', 'tput-chart', 'split-chart', 'batch-chart'].map((id) => {
      const c = document.getElementById(id) as HTMLCanvasElement;
      const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let painted = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i] > 0) painted++;
      return { id, width: c.width, painted };
    }),
  );

describe('latency panel in a real Chromium (built bundle, strict CSP)', function () {
  this.timeout(120000);
  let rig: PanelRig;
  const problems: string[] = [];

  const open = (kind: Kind): Promise<Page> =>
    openPanelPage(rig, vscodeInitScript(THEMES[kind], `vscode-${kind}`, 'session'), problems, {
      label: kind,
      viewport: { width: 1100, height: 1000 },
    });

  before(async () => {
    rig = await startPanelRig('latency', latencyPanelHtml);
  });

  after(async () => {
    await rig?.close();
  });

  for (const kind of ['light', 'dark', 'high-contrast'] as const) {
    it(`${kind}: draws a live endpoint with a canary (summary and four charts) and tells the host what it drew`, async () => {
      const page = await open(kind);
      try {
        assert.deepEqual(await posted(page), [{ type: 'ready', protocol: 1 }]);
        await host(page, { type: 'latency', view: { ...LIVE, snapshot: { ...LIVE.snapshot, lines: 'nope' } } });
        assert.equal(await page.textContent('#subject'), 'Waiting for latency data…', 'a bad message is dropped');
        await host(page, { type: 'latency', view: LIVE });
        await page.waitForSelector('#charts-section', { state: 'visible' });
        assert.equal(await page.textContent('#subject'), 'fraud@production :53817');
        assert.match((await page.textContent('#span')) ?? '', /^Live · .* · a point every 2 s$/);
        assert.match((await page.textContent('#summary tr[data-metric="p99"]')) ?? '', /9\.10 ms/);
        assert.match((await page.textContent('#summary tr[data-metric="errors"]')) ?? '', /6 \(0\.0%\)/);
        assert.equal(await page.textContent('#summary tr[data-metric="versions"] td'), 'v3 (primary), v4 (canary 10%)');
        // The legend's names, as the charts' labels give them to a screen reader.
        assert.equal(
          await page.getAttribute('#pct-chart', 'aria-label'),
          'p50, p95 and p99 latency over time, per version: v4 (canary 10%), v3 (primary)',
        );
        assert.equal(await page.getAttribute('#range-live', 'aria-pressed'), 'true');
        const rendered = (await posted(page)).filter((m) => m.type === 'rendered');
        assert.deepEqual(rendered, [
          {
            type: 'rendered',
            range: 'live',
            charts: ['percentiles', 'throughput', 'queueCompute', 'batchSize'],
            points: 60,
          },
        ]);
        for (const d of await paintedCanvases(page))
          assert.ok(d.width > 100 && d.painted > 1000, `canvas drawn: ${JSON.stringify(d)}`);
        mkdirSync(SHOTS, { recursive: true });
        await page.screenshot({ path: path.join(SHOTS, `latency-panel-${kind}.png`), fullPage: true });
        assert.deepEqual(await csp(page), []);
      } finally {
        await page.close();
      }
    });
  }

  it('asks the host for the last hour, draws the log with its gaps, and keeps it (and what it is about) across a hide and show', async () => {
    const page = await open('dark');
    try {
      const about = { model: 'fraud', version: 3, title: 'fraud v3' };
      await host(page, { type: 'about', about });
      await host(page, { type: 'latency', view: LIVE });
      await page.click('#range-hour');
      assert.deepEqual((await posted(page)).at(-1), { type: 'setRange', range: 'hour' });
      await host(page, { type: 'latency', view: LIVE }); // a live sample arriving late is not drawn over the choice
      assert.equal(await page.textContent('#span'), 'Loading…');
      await host(page, { type: 'latency', view: LOGGED });
      await page.waitForFunction(() => /^Last hour/.test(document.getElementById('span')!.textContent ?? ''));
      assert.match((await page.textContent('#span')) ?? '', /a point every 1 min · endpoint stopped$/);
      assert.notEqual(await page.getAttribute('#range-live', 'disabled'), null, 'no live data for a stopped endpoint');
      assert.match((await page.textContent('#notes')) ?? '', /only the requests it sampled/);
      // What VS Code hands the serializer after a window reload: the subject, beside the range and the view.
      const state = JSON.parse((await page.evaluate(() => sessionStorage.getItem('state'))) ?? '{}') as Record<
        string,
        unknown
      >;
      assert.deepEqual([state.about, state.range], [about, 'hour']);
      // Hidden and shown again: a new page with the saved state draws before the host says anything.
      await page.reload();
      await page.waitForSelector('#charts-section', { state: 'visible' });
      assert.equal(await page.textContent('#subject'), 'fraud v3');
      assert.deepEqual(await posted(page), [{ type: 'ready', protocol: 1 }], 'drawn from the state, not reported');
      for (const d of await paintedCanvases(page)) assert.ok(d.painted > 1000, `canvas drawn: ${JSON.stringify(d)}`);
      assert.deepEqual(await csp(page), []);
    } finally {
      await page.close();
    }
  });

  it('names a shadow beside the primary though it has no line, and says why', async () => {
    const page = await open('dark');
    try {
      await host(page, { type: 'latency', view: LIVE });
      await host(page, { type: 'latency', view: SHADOWED });
      await page.waitForFunction(
        () =>
          document.querySelector('#summary tr[data-metric="versions"] td')?.textContent === 'v3 (primary), v4 (shadow)',
      );
      assert.equal(
        await page.getAttribute('#tput-chart', 'aria-label'),
        'Requests and errors per second over time, per version: v3 (primary)',
        'the label is replaced, not appended to',
      );
      assert.match((await page.textContent('#notes')) ?? '', /v4 runs as a shadow: .* not timed, so it has no line\./);
      assert.deepEqual(await csp(page), []);
    } finally {
      await page.close();
    }
  });

  it('shows why a range cannot be drawn (no prediction log) in place of the charts', async () => {
    const page = await open('light');
    try {
      await host(page, {
        type: 'latencyError',
        title: 'fraud v2',
        running: false,
        range: 'day',
        message: 'There is no prediction log to read for this model.',
      });
      await page.waitForSelector('#error', { state: 'visible' });
      assert.match((await page.textContent('#error')) ?? '', /no prediction log/);
      assert.equal(await page.isVisible('#charts-section'), false);
      assert.equal(await page.getAttribute('#range-day', 'aria-pressed'), 'true');
      assert.deepEqual((await posted(page)).at(-1), { type: 'rendered', range: 'day', charts: [], points: 0 });
    } finally {
      await page.close();
    }
  });

  it('had no CSP violation and no console error', () => {
    assert.deepEqual(problems, []);
  });
});
