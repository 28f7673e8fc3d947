/// <reference lib="dom" />
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { servingPanelHtml } from '../../src/extension/serving/html';
import type { EndpointView, LoadTestView } from '../../src/shared/servingProtocol';
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
 * The test-serving panel as VS Code would show it: the built dist/webview/serving.js, the host's real
 * HTML with its CSP and nonce, in Debian's headless Chromium; acquireVsCodeApi stubbed as VS Code
 * provides it. The host's messages are recorded ones (an endpoint, an answer, a 10-second load test).
 */

const ENDPOINT: EndpointView = {
  label: 'fraud@production',
  model: 'fraud',
  url: 'http://127.0.0.1:53817',
  running: true,
  inputs: [{ name: 'features', datatype: 'FP32', shape: [null, 4] }],
  outputs: [{ name: 'probabilities', datatype: 'FP32', shape: [null, 3] }],
  example: { inputs: [{ name: 'features', datatype: 'FP32', shape: [1, 4], data: [5.1, 3.5, 1.4, 0.2] }] },
  exampleSource: 'first row of iris_train.csv',
};

/** A 10-second closed-loop run as the host sends it (log-spaced histogram, one entry per second). */
const REPORT: LoadTestView = {
  durationMs: 10_000,
  throughput: 412.3,
  latency: { count: 4123, p50: 1.8, p90: 3.1, p95: 4.2, p99: 9.7, max: 31.5, mean: 2.1 },
  errorCount: 2,
  errors: { http_503: 2 },
  cancelled: false,
  histogram: [0.5, 0.7, 1, 1.4, 2, 2.8, 4, 5.6, 8, 11, 16, 23, 32].map((le, i) => ({
    le,
    count: [3, 40, 300, 900, 1500, 800, 350, 120, 60, 30, 12, 5, 3][i],
  })),
  perSecond: Array.from({ length: 10 }, (_, t) => ({
    t,
    requests: 400 + t * 3,
    errors: t === 4 ? 2 : 0,
    p50: 1.7 + t * 0.02,
    p95: 4 + (t % 3) * 0.3,
    p99: 9 + (t % 4),
  })),
};

/** Light Modern's input, dropdown and secondary-button colours, which the shared LIGHT subset leaves dark. */
const LIGHT_CONTROLS: Record<string, string> = {
  ...LIGHT,
  '--vscode-settings-textInputBackground': '#ffffff',
  '--vscode-settings-textInputForeground': '#3b3b3b',
  '--vscode-editor-foreground': '#3b3b3b',
  '--vscode-settings-textInputBorder': '#cecece',
  '--vscode-settings-dropdownBackground': '#ffffff',
  '--vscode-settings-dropdownForeground': '#3b3b3b',
  '--vscode-settings-dropdownBorder': '#cecece',
  '--vscode-button-secondaryBackground': '#e5e5e5',
  '--vscode-button-secondaryForeground': '#3b3b3b',
};

const setValue = (p: Page, sel: string, value: string) =>
  p.evaluate(
    ([s, v]) => {
      const el = document.querySelector(s) as HTMLElement & { value: string };
      el.value = v;
      el.dispatchEvent(new Event('input', { bubbles: true }));
      el.dispatchEvent(new Event('change', { bubbles: true }));
    },
    [sel, value] as const,
  );

describe('serving panel in a real Chromium (built bundle, strict CSP)', function () {
  this.timeout(120000);
  let rig: PanelRig;
  const problems: string[] = [];

  const open = (kind: 'dark' | 'light'): Promise<Page> =>
    openPanelPage(rig, vscodeInitScript(kind === 'dark' ? DARK : LIGHT_CONTROLS, `vscode-${kind}`), problems, {
      label: kind,
      viewport: { width: 1000, height: 1400 },
    });

  before(async () => {
    rig = await startPanelRig('serving', servingPanelHtml);
  });

  after(async () => {
    await rig?.close();
  });

  for (const kind of ['dark', 'light'] as const) {
    it(`${kind}: shakes hands, renders the signature as a form pre-filled with the example, ignores what does not fit`, async () => {
      const page = await open(kind);
      try {
        assert.deepEqual(await posted(page), [{ type: 'ready', protocol: 1 }]);
        await host(page, { type: 'endpoint', endpoint: { ...ENDPOINT, inputs: 'nope' } });
        assert.equal(await page.textContent('#subject'), 'Waiting for the endpoint…');
        await host(page, { type: 'endpoint', endpoint: ENDPOINT });
        await page.waitForSelector('#fields .field');
        assert.equal(await page.textContent('#subject'), 'fraud@production · fraud');
        assert.match((await page.textContent('#fields .field label')) ?? '', /features FP32 \[\?, 4\]/);
        const value = await page.evaluate(
          () => (document.querySelector('#field-features') as HTMLElement & { value: string }).value,
        );
        assert.equal(value, '5.1, 3.5, 1.4, 0.2');
        assert.match((await page.textContent('#example-source')) ?? '', /first row of iris_train\.csv/);
      } finally {
        await page.close();
      }
    });

    it(`${kind}: draws a load test's summary and three charts, and tells the host what it drew`, async () => {
      const page = await open(kind);
      try {
        await host(page, { type: 'endpoint', endpoint: ENDPOINT });
        await host(page, {
          type: 'inferResult',
          outcome: {
            id: 1,
            ok: true,
            status: 200,
            latencyMs: 1.92,
            modelVersion: '3',
            outputs: [{ name: 'probabilities', datatype: 'FP32', shape: [1, 3], data: [0.02, 0.91, 0.07] }],
          },
        });
        await host(page, { type: 'loadResult', report: REPORT });
        await page.waitForSelector('#load-result', { state: 'visible' });
        assert.match((await page.textContent('#load-summary tr[data-metric="p99"]')) ?? '', /9\.70 ms/);
        assert.match((await page.textContent('#load-summary tr[data-metric="throughput"]')) ?? '', /412\.3 req\/s/);
        assert.match((await page.textContent('#load-summary tr[data-metric="errors"]')) ?? '', /2 \(http_503 ×2\)/);
        const rendered = (await posted(page)).filter((m) => m.type === 'rendered' && m.what === 'loadtest');
        assert.deepEqual(rendered, [
          { type: 'rendered', what: 'loadtest', rows: 8, charts: ['histogram', 'percentiles', 'throughput'] },
        ]);
        const drawn = await page.evaluate(() =>
          ['hist-chart', 'pct-chart', 'tput-chart'].map((id) => {
            const c = document.getElementById(id) as HTMLCanvasElement;
            const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
            let painted = 0;
            for (let i = 3; i < data.length; i += 4) if (data[i] > 0) painted++;
            return { id, width: c.width, painted };
          }),
        );
        for (const d of drawn) assert.ok(d.width > 100 && d.painted > 1000, `canvas drawn: ${JSON.stringify(d)}`);
        mkdirSync(SHOTS, { recursive: true });
        await page.screenshot({ path: path.join(SHOTS, `serving-panel-${kind}.png`), fullPage: true });
        assert.deepEqual(await csp(page), []);
        await page.click('#export-csv');
        assert.deepEqual((await posted(page)).at(-1), { type: 'exportLoadTest', format: 'csv' });
      } finally {
        await page.close();
      }
    });
  }

  it('shows "not a number" next to the field and posts nothing', async () => {
    const page = await open('dark');
    try {
      await host(page, { type: 'endpoint', endpoint: ENDPOINT });
      await page.waitForSelector('#field-features');
      await setValue(page, '#field-features', '5.1, abc, 1.4, 0.2');
      await page.click('#send');
      await page.waitForSelector('#error-features', { state: 'visible' });
      assert.match(
        (await page.textContent('#error-features')) ?? '',
        /Value 2 \("abc"\) is not a number, as FP32 needs/,
      );
      assert.equal(await page.getAttribute('#field-features', 'aria-describedby'), 'error-features');
      assert.deepEqual(
        (await posted(page)).map((m) => m.type),
        ['ready'],
        'nothing sent',
      );
    } finally {
      await page.close();
    }
  });

  it('shows a wrong shape in the JSON editor and posts nothing; a valid request is sent and its answer drawn', async () => {
    const page = await open('dark');
    try {
      await host(page, { type: 'endpoint', endpoint: ENDPOINT });
      await page.click('#tab-json');
      assert.equal(await page.isVisible('#json-pane'), true);
      const wrong = { inputs: [{ ...ENDPOINT.example.inputs[0], shape: [1, 3] }] };
      await setValue(page, '#json', JSON.stringify(wrong));
      await page.click('#send');
      await page.waitForSelector('#json-error', { state: 'visible' });
      assert.match((await page.textContent('#json-error')) ?? '', /takes shape \[\?, 4\], the request gives \[1, 3\]/);
      assert.deepEqual(
        (await posted(page)).map((m) => m.type),
        ['ready'],
      );

      await setValue(page, '#json', JSON.stringify(ENDPOINT.example));
      await page.click('#send');
      const sent = (await posted(page)).filter((m) => m.type === 'send');
      assert.deepEqual(sent, [{ type: 'send', id: 1, request: ENDPOINT.example }]);
      assert.equal(await page.isVisible('#json-error'), false);
      await host(page, {
        type: 'inferResult',
        outcome: {
          id: 1,
          ok: true,
          status: 200,
          latencyMs: 2.345,
          modelVersion: '3',
          outputs: [{ name: 'probabilities', datatype: 'FP32', shape: [1, 3], data: [0.1, 0.85, 0.05] }],
        },
      });
      await page.waitForSelector('#outputs table tr:nth-child(2)');
      assert.equal(await page.textContent('#response-summary'), 'HTTP 200 in 2.35 ms · answered by v3');
      // Top-k for a classifier's scores: class 1 first.
      assert.equal(await page.textContent('#outputs table tr:nth-child(2) td:nth-child(2)'), '1');
      assert.equal(await page.locator('#history tr').count(), 2, 'the history has the request');
      const rendered = (await posted(page)).filter((m) => m.type === 'rendered');
      assert.deepEqual(rendered, [{ type: 'rendered', what: 'inference', rows: 3, charts: [] }]);
      const state = await page.evaluate(
        () => (window as unknown as { __state: { mode: string; history: unknown[] } }).__state,
      );
      assert.equal(state.mode, 'json');
      assert.equal(state.history.length, 1);
    } finally {
      await page.close();
    }
  });

  it('refuses load-test parameters out of bounds next to the form, and shows progress and Cancel while one runs', async () => {
    const page = await open('dark');
    try {
      await host(page, { type: 'endpoint', endpoint: ENDPOINT });
      await setValue(page, '#load-concurrency', '0');
      await page.click('#load-start');
      await page.waitForSelector('#load-error', { state: 'visible' });
      assert.match((await page.textContent('#load-error')) ?? '', /Concurrency must be between 1 and 1000/);
      assert.deepEqual(
        (await posted(page)).map((m) => m.type),
        ['ready'],
      );
      await setValue(page, '#load-concurrency', '4');
      await setValue(page, '#load-duration', '2');
      await page.click('#load-start');
      const run = (await posted(page)).filter((m) => m.type === 'loadTest');
      assert.deepEqual(run, [
        { type: 'loadTest', params: { mode: 'closed', concurrency: 4, rate: null, durationMs: 2000, data: null } },
      ]);
      await host(page, { type: 'loadProgress', fraction: 0.5, completed: 800, errors: 0, elapsedMs: 1000 });
      assert.equal(await page.isVisible('#load-cancel'), true);
      assert.match((await page.textContent('#load-progress-text')) ?? '', /50% · 800 requests/);
      await page.click('#load-cancel');
      assert.equal((await posted(page)).at(-1)?.type, 'cancelLoadTest');
    } finally {
      await page.close();
    }
  });

  it('load test from a workspace file: a path outside the workspace and a malformed file are shown next to the data field, nothing sent', async () => {
    const page = await open('dark');
    try {
      await host(page, { type: 'endpoint', endpoint: ENDPOINT });
      await setValue(page, '#load-data', '../secrets/train.csv');
      await page.click('#load-start');
      await page.waitForSelector('#data-error', { state: 'visible' });
      assert.match((await page.textContent('#data-error')) ?? '', /inside the workspace/);
      assert.deepEqual(
        (await posted(page)).map((m) => m.type),
        ['ready'],
        'nothing sent',
      );
      await page.click('#load-browse');
      assert.deepEqual((await posted(page)).at(-1), { type: 'pickDataFile' });
      await host(page, { type: 'dataFile', path: 'data/val.csv' });
      assert.equal(await page.isVisible('#data-error'), false);
      await setValue(page, '#load-duration', '2');
      await page.click('#load-start');
      assert.deepEqual((await posted(page)).at(-1), {
        type: 'loadTest',
        params: { mode: 'closed', concurrency: 8, rate: null, durationMs: 2000, data: 'data/val.csv' },
      });
      // The host read the file before sending anything and found it unusable: shown next to the field.
      await host(page, {
        type: 'loadError',
        field: 'data',
        message: "data/val.csv has 3 numeric columns, the model's input takes 4 features.",
      });
      await page.waitForSelector('#data-error', { state: 'visible' });
      assert.match((await page.textContent('#data-error')) ?? '', /has 3 numeric columns/);
      assert.equal(await page.isVisible('#load-error'), false);
      assert.equal(await page.isVisible('#load-cancel'), false, 'the run is over');
    } finally {
      await page.close();
    }
  });

  it('Compare: offers the other versions, posts the comparison and draws latency side by side and agreement', async () => {
    const page = await open('light');
    try {
      await host(page, { type: 'endpoint', endpoint: { ...ENDPOINT, versions: [] } });
      assert.equal(await page.isVisible('#compare-form'), false, 'no other version: no form');
      await host(page, {
        type: 'endpoint',
        endpoint: {
          ...ENDPOINT,
          versions: [
            { version: 4, label: 'v4 @challenger (int8-dynamic-u8)' },
            { version: 2, label: 'v2' },
          ],
        },
      });
      assert.equal(await page.isVisible('#compare-form'), true);
      await setValue(page, '#compare-requests', '0');
      await page.click('#compare-start');
      assert.match((await page.textContent('#compare-error')) ?? '', /Requests must be between 1 and 10000/);
      assert.equal((await posted(page)).filter((m) => m.type === 'compare').length, 0);
      await setValue(page, '#compare-requests', '100');
      await page.click('#compare-start');
      assert.deepEqual((await posted(page)).at(-1), {
        type: 'compare',
        params: { version: 4, requests: 100, data: null },
      });
      assert.equal(await page.isVisible('#compare-cancel'), true);
      await host(page, { type: 'compareProgress', done: 50, total: 100 });
      assert.equal(await page.textContent('#compare-progress-text'), '50 of 100 requests');
      const side = (label: string, p50: number) => ({
        label,
        count: 100,
        errors: 0,
        firstError: null,
        p50,
        p95: p50 * 2,
        p99: p50 * 3,
        mean: p50 * 1.1,
        max: p50 * 5,
      });
      await host(page, {
        type: 'compareResult',
        result: {
          a: side('fraud v3', 0.42),
          b: side('fraud v4', 0.21),
          requests: 100,
          compared: 100,
          maxAbsDiff: 0.0123,
          top1: { equal: 98, rows: 100, share: 0.98 },
          mismatched: [],
          cancelled: false,
          source: '100 examples generated from the signature',
        },
      });
      await page.waitForSelector('#compare-result', { state: 'visible' });
      assert.match((await page.textContent('#compare-table tr[data-metric="p50"]')) ?? '', /0\.42 ms.*0\.21 ms/);
      assert.match((await page.textContent('#agreement tr[data-metric="maxAbsDiff"]')) ?? '', /0\.0123/);
      assert.match((await page.textContent('#agreement tr[data-metric="top1"]')) ?? '', /98\.0% \(98 of 100 rows\)/);
      assert.deepEqual((await posted(page)).at(-1), { type: 'rendered', what: 'compare', rows: 10, charts: [] });
      assert.equal(await page.isVisible('#compare-cancel'), false);
      mkdirSync(SHOTS, { recursive: true });
      await page.screenshot({ path: path.join(SHOTS, 'serving-panel-compare-light.png'), fullPage: true });
    } finally {
      await page.close();
    }
  });

  it('had no CSP violation and no console error', () => {
    assert.deepEqual(problems, []);
  });
});
