import * as vscode from 'vscode';
import { errorMessage } from '../../core/errors';
import type { InferRequest, LoadTestReport } from '../../core/serving/types';
import {
  type CompareParams,
  type EndpointView,
  type HostToWebview,
  type LoadTestParams,
  type LoadTestView,
  parseWebviewMessage,
  type WebviewToHost,
} from '../../shared/servingProtocol';
import { checkRequest } from '../../shared/servingRequest';
import { showInfo } from '../ui/toast';
import type { Endpoint } from './endpoints';
import { servingPanelHtml } from './html';
import { sendInference } from './inferClient';
import { loadServingCore } from './loadServingCore';
import { loadTestExport } from './loadTestExport';
import { panelComparison } from './panelCompare';
import { pickDataFile, requestsOrDataProblem } from './panelData';
import { endpointSignature, type EndpointSignature } from './signature';
import { curlFor, externalUrl } from './urls';
import { panelOptions, panelPageHtml } from '../panelOptions';

export const SERVING_VIEW_TYPE = 'mlops.servingPanel';

export interface ServingPanelLog {
  info(msg: string): void;
  error(scope: string, e: unknown): void;
}

/** What a panel shows and last drew, for the API and the integration suite. */
export interface ServingPanelInfo {
  endpoint: string;
  ready: boolean;
  lastInference: { ok: boolean; modelVersion: string | null } | undefined;
  lastLoadTest: { p50: number; p99: number; throughput: number; cancelled: boolean } | undefined;
  lastCompare:
    { versions: [string, string]; compared: number; maxAbsDiff: number | null; top1Share: number | null } | undefined;
  /** The last problem shown next to the data field (a missing or malformed file). */
  lastDataError: string | undefined;
  rendered: { what: string; rows: number; charts: string[] }[];
}

/** Only what the panel draws crosses the boundary (not the plan, the target, the raw report). */
export function loadTestView(r: LoadTestReport): LoadTestView {
  const { count, p50, p90, p95, p99, max, mean } = r.latency;
  return {
    durationMs: r.durationMs,
    throughput: r.throughput,
    latency: { count, p50, p90, p95, p99, max, mean },
    errorCount: r.errorCount,
    errors: r.errors,
    cancelled: r.cancelled,
    histogram: r.histogram,
    perSecond: r.perSecond.map(({ t, requests, errors, p50: a, p95: b, p99: c }) => ({
      t,
      requests,
      errors,
      p50: a,
      p95: b,
      p99: c,
    })),
  };
}

/**
 * The test-serving panel of one endpoint, beside the editor: the signature as a form, a JSON editor,
 * Send and the load test. Every HTTP call is made here, in the extension host; inference runs in the
 * endpoint's worker threads, so the host only waits on sockets.
 */
export class ServingPanel implements vscode.Disposable {
  private static readonly open = new Map<string, ServingPanel>();
  private readonly disposables: vscode.Disposable[] = [];
  private ready = false;
  private endpointMsg: HostToWebview | undefined;
  private signature: EndpointSignature | undefined;
  private loadRun: AbortController | undefined;
  private compareRun: AbortController | undefined;
  private lastCompare: ServingPanelInfo['lastCompare'];
  private lastInference: ServingPanelInfo['lastInference'];
  private lastLoadTest: ServingPanelInfo['lastLoadTest'];
  private lastReport: LoadTestReport | undefined;
  private readonly rendered: ServingPanelInfo['rendered'] = [];
  private running = true;
  private lastDataError: string | undefined;

  static describeOpen(): ServingPanelInfo[] {
    return [...ServingPanel.open.values()].map((p) => ({
      endpoint: p.endpoint.label,
      ready: p.ready,
      lastInference: p.lastInference,
      lastLoadTest: p.lastLoadTest,
      lastCompare: p.lastCompare,
      lastDataError: p.lastDataError,
      rendered: [...p.rendered],
    }));
  }

  static show(context: vscode.ExtensionContext, endpoint: Endpoint, log: ServingPanelLog): ServingPanel {
    const existing = ServingPanel.open.get(endpoint.id);
    if (existing) {
      existing.panel.reveal(vscode.ViewColumn.Beside);
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(
      SERVING_VIEW_TYPE,
      `Serve: ${endpoint.label}`,
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: false },
      panelOptions(context),
    );
    return new ServingPanel(panel, context, endpoint, log);
  }

  /** The endpoint stopped: the panel says so and sends nothing more. */
  static endpointStopped(id: string): void {
    const p = ServingPanel.open.get(id);
    if (!p) return;
    p.running = false;
    p.loadRun?.abort();
    p.compareRun?.abort();
    void p.publishEndpoint();
  }

  private constructor(
    readonly panel: vscode.WebviewPanel,
    context: vscode.ExtensionContext,
    private readonly endpoint: Endpoint,
    private readonly log: ServingPanelLog,
  ) {
    ServingPanel.open.set(endpoint.id, this);
    panel.iconPath = vscode.Uri.joinPath(context.extensionUri, 'media', 'icon.png');
    const w = panel.webview;
    w.html = panelPageHtml(w, context, 'serving', servingPanelHtml);
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      w.onDidReceiveMessage((m: unknown) => this.receive(m)),
    );
    void this.publishEndpoint();
  }

  private async publishEndpoint(): Promise<void> {
    try {
      this.signature ??= await endpointSignature(this.endpoint);
      const s = this.signature;
      const endpoint: EndpointView = {
        label: this.endpoint.label,
        model: this.endpoint.model,
        url: await externalUrl(this.endpoint.url),
        running: this.running,
        inputs: s.inputs,
        outputs: s.outputs,
        example: s.example,
        exampleSource: s.exampleSource,
        versions: await this.otherVersions(),
      };
      this.endpointMsg = { type: 'endpoint', endpoint };
      this.post(this.endpointMsg);
    } catch (e) {
      this.log.error('serving panel', e);
    }
  }

  /** The model's other versions in the registry, newest first (Compare's choices). */
  private async otherVersions(): Promise<{ version: number; label: string }[]> {
    const reg = this.endpoint.registry;
    const live = this.endpoint.liveVersion();
    if (!reg || !live) return [];
    try {
      const page = await reg.listVersions(this.endpoint.model, { maxResults: 200 });
      return page.items
        .filter((v) => v.version !== live)
        .map((v) => ({
          version: v.version,
          label: `v${v.version}${v.aliases.length ? ` ${v.aliases.map((a) => `@${a}`).join(' ')}` : ''}${v.tags.optimization ? ` (${v.tags.optimization})` : ''}`,
        }));
    } catch (e) {
      this.log.error('serving panel: listing versions to compare with', e);
      return [];
    }
  }

  private post(m: HostToWebview): void {
    if (this.ready) void this.panel.webview.postMessage(m);
  }

  private receive(raw: unknown): void {
    const m = parseWebviewMessage(raw);
    if (!m) {
      this.log.info(`serving panel: ignored a message outside the contract: ${JSON.stringify(raw).slice(0, 200)}`);
      return;
    }
    void this.handle(m).catch((e: unknown) => this.log.error('serving panel', e));
  }

  private async handle(m: WebviewToHost): Promise<void> {
    switch (m.type) {
      case 'ready':
        this.ready = true;
        if (this.endpointMsg) this.post(this.endpointMsg);
        return;
      case 'send': {
        const problems = this.signature ? checkRequest(this.signature.inputs, m.request) : [];
        if (!this.running || problems.length) {
          this.post({
            type: 'inferResult',
            outcome: {
              id: m.id,
              ok: false,
              status: null,
              latencyMs: 0,
              message: this.running ? problems.map((p) => p.message).join(' ') : 'The endpoint is stopped.',
            },
          });
          return;
        }
        const outcome = await sendInference(this.endpoint.url, this.endpoint.model, m.id, m.request);
        this.lastInference = { ok: outcome.ok, modelVersion: outcome.ok ? outcome.modelVersion : null };
        this.post({ type: 'inferResult', outcome });
        return;
      }
      case 'copyCurl':
        await vscode.env.clipboard.writeText(await curlFor(this.endpoint, m.request));
        showInfo('The curl command is on the clipboard.');
        return;
      case 'loadTest':
        return this.loadTest(m.params);
      case 'cancelLoadTest':
        this.loadRun?.abort();
        return;
      case 'pickDataFile': {
        const picked = await pickDataFile();
        if (picked) this.post({ type: 'dataFile', path: picked });
        return;
      }
      case 'compare':
        return this.compare(m.params);
      case 'cancelCompare':
        this.compareRun?.abort();
        return;
      case 'exportLoadTest':
        return this.exportLoadTest(m.format);
      case 'rendered':
        this.rendered.push({ what: m.what, rows: m.rows, charts: m.charts });
        if (this.rendered.length > 20) this.rendered.shift();
        return;
    }
  }

  /** A load test against the endpoint over HTTP, with the endpoint's own example requests; progress streams to the webview. */
  private async loadTest(p: LoadTestParams): Promise<void> {
    if (this.loadRun) return;
    const ac = new AbortController();
    this.loadRun = ac;
    try {
      const core = await loadServingCore();
      const sig = this.signature ?? (await endpointSignature(this.endpoint));
      // Distinct valid requests, so caches stay honest; the example (reference row) goes first. A data
      // file is read and checked against the signature before anything is sent.
      const prepared = await requestsOrDataProblem(sig.inputs, sig.example as InferRequest, p.data, 64, ac.signal);
      this.lastDataError = prepared.ok ? undefined : prepared.problem;
      if (!prepared.ok) return this.post({ type: 'loadError', message: prepared.problem, field: 'data' });
      const bodies = prepared.requests.map((r) => core.oipBody(r));
      const target = new core.HttpTarget({
        url: `${this.endpoint.url}/v2/models/${encodeURIComponent(this.endpoint.model)}/infer`,
        bodies,
        connections: p.concurrency,
        timeoutMs: 30_000,
      });
      try {
        const report = await core.runLoadTest(
          target,
          {
            mode: p.mode,
            concurrency: p.concurrency,
            rate: p.mode === 'open' ? (p.rate ?? undefined) : undefined,
            durationMs: p.durationMs,
            warmupRequests: Math.min(50, p.concurrency * 2),
          },
          {
            signal: ac.signal,
            progressIntervalMs: 250,
            onProgress: (x) =>
              this.post({
                type: 'loadProgress',
                fraction: x.fraction,
                completed: x.completed,
                errors: x.errors,
                elapsedMs: x.elapsedMs,
              }),
          },
        );
        this.lastReport = report;
        this.lastLoadTest = {
          p50: report.latency.p50,
          p99: report.latency.p99,
          throughput: report.throughput,
          cancelled: report.cancelled,
        };
        this.post({ type: 'loadResult', report: loadTestView(report) });
        this.log.info(
          `load test of ${this.endpoint.label}: ${report.latency.count} requests, p50 ${report.latency.p50.toFixed(2)} ms, p99 ${report.latency.p99.toFixed(2)} ms, ${report.throughput.toFixed(0)} req/s${report.cancelled ? ' (cancelled)' : ''}`,
        );
      } finally {
        await target.close();
      }
    } catch (e) {
      this.log.error('serving panel load test', e);
      this.post({ type: 'loadError', message: errorMessage(e) });
    } finally {
      this.loadRun = undefined;
    }
  }

  /** Compare: the same requests on the served version and another one (see panelCompare.ts). */
  private async compare(p: CompareParams): Promise<void> {
    if (this.compareRun) return;
    const ac = new AbortController();
    this.compareRun = ac;
    try {
      const sig = this.signature ?? (await endpointSignature(this.endpoint));
      const r = await panelComparison(this.endpoint, sig, p, {
        signal: ac.signal,
        onProgress: (done, total) => {
          if (done % 10 === 0 || done === total) this.post({ type: 'compareProgress', done, total });
        },
      });
      this.lastDataError = r.ok ? undefined : r.dataProblem;
      if (!r.ok) return this.post({ type: 'compareError', message: r.dataProblem, field: 'data' });
      const { comparison: c, view } = r;
      this.lastCompare = {
        versions: [c.a.label, c.b.label],
        compared: c.compared,
        maxAbsDiff: view.maxAbsDiff,
        top1Share: c.top1?.share ?? null,
      };
      this.log.info(
        `compare ${c.a.label} vs ${c.b.label}: ${c.compared} requests, p50 ${c.a.latency.p50} vs ${c.b.latency.p50} ms, max abs diff ${c.maxAbsDiff}, top-1 ${c.top1 ? (c.top1.share * 100).toFixed(1) + '%' : 'n/a'}`,
      );
      this.post({ type: 'compareResult', result: view });
    } catch (e) {
      this.log.error('serving panel compare', e);
      this.post({ type: 'compareError', message: errorMessage(e) });
    } finally {
      this.compareRun = undefined;
    }
  }

  private async exportLoadTest(format: 'json' | 'csv'): Promise<void> {
    const r = this.lastReport;
    if (!r) return;
    const root = vscode.workspace.workspaceFolders?.[0]?.uri;
    const name = `loadtest-${this.endpoint.model}-${r.startedAt.replace(/[:.]/g, '-')}.${format}`;
    const target = await vscode.window.showSaveDialog({
      defaultUri: root ? vscode.Uri.joinPath(root, name) : undefined,
      filters: format === 'json' ? { JSON: ['json'] } : { CSV: ['csv'] },
      title: `Export the load test (${format.toUpperCase()})`,
    });
    if (!target) return;
    await vscode.workspace.fs.writeFile(target, Buffer.from(loadTestExport(r, format), 'utf8'));
    showInfo(`Load test saved to ${vscode.workspace.asRelativePath(target)}.`);
  }

  dispose(): void {
    ServingPanel.open.delete(this.endpoint.id);
    this.loadRun?.abort();
    this.compareRun?.abort();
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
  }
}
