import * as vscode from 'vscode';
import { errorMessage, MlopsError } from '../../core/errors';
import { latencyFromLog } from '../../core/serving/latency/fromLog';
import {
  type HostToWebview,
  type LatencyRange,
  parseWebviewMessage,
  type WebviewToHost,
} from '../../shared/latencyProtocol';
import type { Endpoint, EndpointManager } from './endpoints';
import { latencyPanelHtml } from './latencyHtml';
import type { LatencySubject } from './latencySubject';
import { panelOptions, panelPageHtml } from '../panelOptions';

export const LATENCY_VIEW_TYPE = 'mlops.latencyPanel';

export interface LatencyPanelLog {
  info(msg: string): void;
  error(scope: string, e: unknown): void;
}

/** What every Latency panel works with: the extension (for its files), the running endpoints, the log. */
export interface LatencyPanelDeps {
  context: vscode.ExtensionContext;
  endpoints: EndpointManager;
  log: LatencyPanelLog;
}

/** What a panel shows and last drew, for the API and the integration suite. */
export interface LatencyPanelInfo {
  title: string;
  ready: boolean;
  range: LatencyRange;
  rendered: { range: LatencyRange; charts: string[]; points: number }[];
  /** The totals of the last data sent (before the webview drew it). */
  lastSent: { range: LatencyRange; requests: number; p50: number; p99: number } | undefined;
}

const NO_LOG = new MlopsError(
  'NOT_FOUND',
  'There is no prediction log to read for this model.',
  'Prediction logs are written by endpoints served from an embedded registry while mlops.serving.logPredictions is above 0.',
);

/**
 * The Latency panel of one endpoint or version, beside the editor. Live: the endpoint's in-process
 * metrics, sampled every 2 s by the EndpointManager, sent on each sample while the panel is visible.
 * Last hour / day: read from the prediction log when asked. State survives hide and show through the
 * webview's setState and the `ready` handshake (no retainContextWhenHidden).
 */
export class LatencyPanel implements vscode.Disposable {
  private static readonly open = new Map<string, LatencyPanel>();
  private readonly disposables: vscode.Disposable[] = [];
  private ready = false;
  private range: LatencyRange;
  private last: HostToWebview | undefined;
  private readonly rendered: LatencyPanelInfo['rendered'] = [];
  private reading: AbortController | undefined;
  private lastSent: LatencyPanelInfo['lastSent'];

  static describeOpen(): LatencyPanelInfo[] {
    return [...LatencyPanel.open.values()].map((p) => ({
      title: p.subject.title,
      ready: p.ready,
      range: p.range,
      rendered: [...p.rendered],
      lastSent: p.lastSent,
    }));
  }

  /** Opens the subject's panel beside the editor, or reveals the one already open. */
  static show(subject: LatencySubject, deps: LatencyPanelDeps): LatencyPanel {
    const existing = LatencyPanel.open.get(subject.key);
    if (existing) {
      existing.panel.reveal(vscode.ViewColumn.Beside);
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(
      LATENCY_VIEW_TYPE,
      `Latency: ${subject.title}`,
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: false },
      panelOptions(deps.context),
    );
    return new LatencyPanel(panel, subject, deps);
  }

  /**
   * Takes over a panel VS Code restored after a window reload (see latencyRestore.ts). A second restored
   * panel on the same subject closes: one panel per subject, as show() keeps it.
   */
  static restore(panel: vscode.WebviewPanel, subject: LatencySubject, deps: LatencyPanelDeps): LatencyPanel {
    const existing = LatencyPanel.open.get(subject.key);
    if (existing) {
      panel.dispose();
      return existing;
    }
    panel.title = `Latency: ${subject.title}`;
    panel.webview.options = panelOptions(deps.context);
    return new LatencyPanel(panel, subject, deps);
  }

  private readonly endpoints: EndpointManager;
  private readonly log: LatencyPanelLog;

  private constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly subject: LatencySubject,
    { context, endpoints, log }: LatencyPanelDeps,
  ) {
    this.endpoints = endpoints;
    this.log = log;
    LatencyPanel.open.set(subject.key, this);
    this.range = this.endpoint() ? 'live' : 'hour';
    panel.iconPath = vscode.Uri.joinPath(context.extensionUri, 'media', 'icon.png');
    const w = panel.webview;
    w.html = panelPageHtml(w, context, 'latency', latencyPanelHtml);
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      w.onDidReceiveMessage((m: unknown) => this.receive(m)),
      // Every sample of the endpoints (2 s) and every start / stop.
      endpoints.onDidChange(() => this.onEndpointsChanged()),
    );
  }

  private endpoint(): Endpoint | undefined {
    return this.subject.endpointId ? this.endpoints.get(this.subject.endpointId) : undefined;
  }

  private onEndpointsChanged(): void {
    if (this.range !== 'live') return;
    // The endpoint stopped: its history is in its log.
    if (!this.endpoint()) this.range = 'hour';
    if (this.panel.visible || this.range !== 'live') void this.publish();
  }

  private post(m: HostToWebview): void {
    this.last = m;
    if (this.ready) void this.panel.webview.postMessage(m);
  }

  /** Reads the range and posts it (a newer request cancels an older log read). */
  private async publish(): Promise<void> {
    const range = this.range;
    const endpoint = this.endpoint();
    const running = endpoint !== undefined;
    this.reading?.abort();
    const ac = new AbortController();
    this.reading = ac;
    try {
      let snapshot;
      if (range === 'live') {
        if (!endpoint)
          throw new MlopsError('NOT_FOUND', 'The endpoint is not running.', 'Choose Last hour or Last day.');
        snapshot = endpoint.latency.snapshot();
      } else {
        if (!this.subject.logDir) throw NO_LOG;
        snapshot = await latencyFromLog(this.subject.logDir, {
          range,
          version: this.subject.version,
          signal: ac.signal,
        });
      }
      if (ac.signal.aborted || range !== this.range) return;
      const { requests, p50, p99 } = snapshot.totals;
      this.lastSent = { range, requests, p50, p99 };
      this.post({ type: 'latency', view: { title: this.subject.title, running, range, snapshot } });
    } catch (e) {
      if (ac.signal.aborted) return;
      this.post({ type: 'latencyError', title: this.subject.title, running, range, message: errorMessage(e) });
    }
  }

  private receive(raw: unknown): void {
    const m = parseWebviewMessage(raw);
    if (!m) {
      this.log.info(`latency panel: ignored a message outside the contract: ${JSON.stringify(raw).slice(0, 200)}`);
      return;
    }
    this.handle(m);
  }

  private handle(m: WebviewToHost): void {
    switch (m.type) {
      case 'ready':
        this.ready = true;
        void this.panel.webview.postMessage({ type: 'about', about: this.subject.about } satisfies HostToWebview);
        // What was last sent comes back at once; fresh data follows.
        if (this.last) void this.panel.webview.postMessage(this.last);
        void this.publish();
        return;
      case 'setRange':
        this.range = m.range === 'live' && !this.endpoint() ? 'hour' : m.range;
        void this.publish();
        return;
      case 'rendered':
        this.rendered.push({ range: m.range, charts: m.charts, points: m.points });
        if (this.rendered.length > 50) this.rendered.shift();
        return;
    }
  }

  dispose(): void {
    LatencyPanel.open.delete(this.subject.key);
    this.reading?.abort();
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
  }
}
