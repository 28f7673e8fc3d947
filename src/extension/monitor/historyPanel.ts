import * as vscode from 'vscode';
import { errorMessage, MlopsError } from '../../core/errors';
import type { CheckSpec, MonitorSpec } from '../../core/monitor/types';
import {
  type HistorySubject,
  type HostToWebview,
  parseWebviewMessage,
  type WebviewToHost,
} from '../../shared/monitorProtocol';
import { historyPanelHtml } from './historyHtml';
import { loadMonitorCore } from './loadMonitorCore';
import { checkSeries, dataWindow } from './monitorRows';
import { panelOptions, panelPageHtml } from '../panelOptions';

export const HISTORY_VIEW_TYPE = 'mlops.checkHistory';
/** The chart shows this many evaluations at most (the newest). */
const MAX_POINTS = 500;
const REFRESH_DELAY_MS = 400;

/** What a panel needs of the extension's context (a restore in the integration suite passes just this). */
export type PanelContext = Pick<vscode.ExtensionContext, 'extensionUri'>;

interface PanelLog {
  info(msg: string): void;
  error(scope: string, e: unknown): void;
}

export interface CheckHistorySource {
  monitor: MonitorSpec;
  check: CheckSpec;
  monitorDir: string;
}

/** Finds a panel's monitor and check in mlops.yaml as it is now (a restored panel; throws when gone). */
export type FindCheckHistorySource = (subject: HistorySubject) => Promise<CheckHistorySource>;

/** An open panel and what its webview last reported drawing. */
export interface CheckHistoryInfo {
  title: string;
  monitor: string;
  check: string;
  ready: boolean;
  /** Points sent with a value, and points the webview said it drew. */
  sent: number | undefined;
  rendered: number | undefined;
  /** The sentence the panel shows instead of the chart (the monitor is gone, the history unreadable). */
  error: string | undefined;
}

/**
 * A check's value over the monitor history with its warning and critical lines, in a small panel beside
 * the editor. The host reads the history and sends only the series it draws; it re-sends when the
 * history file changes (another evaluation).
 */
export class CheckHistoryPanel implements vscode.Disposable {
  private static readonly open = new Map<string, CheckHistoryPanel>();
  private readonly disposables: vscode.Disposable[] = [];
  private ready = false;
  private last: HostToWebview | undefined;
  private rendered: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private watching: string | undefined;

  static describeOpen(): CheckHistoryInfo[] {
    return [...CheckHistoryPanel.open.values()].map((p) => ({
      title: p.panel.title,
      monitor: p.subject.monitor,
      check: p.subject.check,
      ready: p.ready,
      sent: p.last?.type === 'history' ? p.last.points.filter((x) => x.value !== null).length : undefined,
      rendered: p.rendered,
      error: p.last?.type === 'error' ? p.last.message : undefined,
    }));
  }

  static show(context: PanelContext, log: PanelLog, src: CheckHistorySource): CheckHistoryPanel {
    const key = panelKey(src.monitor.name, src.check.kind);
    const existing = CheckHistoryPanel.open.get(key);
    if (existing) {
      existing.src = src;
      existing.panel.reveal(vscode.ViewColumn.Beside);
      void existing.load();
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(
      HISTORY_VIEW_TYPE,
      `${src.check.kind} of ${src.monitor.name}`,
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      panelOptions(context),
    );
    return new CheckHistoryPanel(panel, context, log, subjectOf(src), src);
  }

  /**
   * A panel VS Code kept over a window reload: it shows the check its webview saved, looked up again in
   * mlops.yaml on every load (so Refresh recovers once a removed monitor is back), or says why it cannot.
   */
  static restore(
    panel: vscode.WebviewPanel,
    context: PanelContext,
    log: PanelLog,
    subject: HistorySubject,
    find: FindCheckHistorySource,
  ): CheckHistoryPanel {
    const key = panelKey(subject.monitor, subject.check);
    // Two restored copies of one check (one per editor group) would share the map's slot: keep the first.
    const existing = CheckHistoryPanel.open.get(key);
    if (existing) {
      panel.dispose();
      return existing;
    }
    panel.title = `${subject.check} of ${subject.monitor}`;
    return new CheckHistoryPanel(panel, context, log, subject, undefined, find);
  }

  private constructor(
    readonly panel: vscode.WebviewPanel,
    context: PanelContext,
    private readonly log: PanelLog,
    private readonly saved: HistorySubject,
    private src: CheckHistorySource | undefined,
    private readonly find?: FindCheckHistorySource,
  ) {
    CheckHistoryPanel.open.set(this.key, this);
    panel.iconPath = vscode.Uri.joinPath(context.extensionUri, 'media', 'icon.png');
    const w = panel.webview;
    panel.webview.options = panelOptions(context);
    w.html = panelPageHtml(w, context, 'monitor', historyPanelHtml);
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      w.onDidReceiveMessage((m: unknown) => this.receive(m)),
    );
    void this.load();
  }

  private get key(): string {
    return panelKey(this.saved.monitor, this.saved.check);
  }

  private get subject(): HistorySubject {
    return this.src ? subjectOf(this.src) : { ...this.saved, unit: '' };
  }

  /** Re-reads the history when another evaluation writes it (the watcher follows the monitor folder). */
  private watch(monitorDir: string): void {
    if (this.watching === monitorDir) return;
    this.watching = monitorDir;
    // Any model's history file: cheap to re-read, and no need to load the core to name the one file.
    const watcher = vscode.workspace.createFileSystemWatcher(
      new vscode.RelativePattern(vscode.Uri.file(monitorDir), '*.jsonl'),
    );
    const changed = () => {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => void this.load(), REFRESH_DELAY_MS);
    };
    this.disposables.push(watcher, watcher.onDidChange(changed), watcher.onDidCreate(changed));
  }

  private async load(): Promise<void> {
    try {
      if (this.find) this.src = await this.find(this.saved);
      if (!this.src) return;
      const { monitor, check, monitorDir } = this.src;
      this.watch(monitorDir);
      const c = await loadMonitorCore();
      const history = await c.readHistory(monitorDir, monitor.modelName, monitor.name, MAX_POINTS);
      const unit = history.flatMap((e) => e.checks).find((x) => x.kind === check.kind)?.unit ?? '';
      this.post({
        type: 'history',
        subject: { ...this.subject, unit },
        thresholds: {
          warning: check.warning ?? null,
          critical: check.critical ?? null,
          lowerIsWorse: check.lowerIsWorse,
        },
        points: checkSeries(history, check.kind),
        window: dataWindow(monitor, history.at(-1)),
      });
    } catch (e) {
      // A restored panel whose monitor is gone is an expected state, said in the panel: no stack in the log.
      if (e instanceof MlopsError && e.code === 'NOT_FOUND') this.log.info(`check history panel: ${e.message}`);
      else this.log.error('check history panel', e);
      this.post({ type: 'error', subject: this.subject, message: errorMessage(e) });
    }
  }

  private post(m: HostToWebview): void {
    this.last = m;
    if (this.ready) void this.panel.webview.postMessage(m);
  }

  private receive(raw: unknown): void {
    const m: WebviewToHost | undefined = parseWebviewMessage(raw);
    if (!m) {
      this.log.info(`history panel: ignored a message outside the contract: ${JSON.stringify(raw).slice(0, 200)}`);
      return;
    }
    switch (m.type) {
      case 'ready':
        this.ready = true;
        if (this.last) void this.panel.webview.postMessage(this.last);
        return;
      case 'refresh':
        void this.load();
        return;
      case 'rendered':
        this.rendered = m.points;
        return;
    }
  }

  dispose(): void {
    if (CheckHistoryPanel.open.get(this.key) === this) CheckHistoryPanel.open.delete(this.key);
    clearTimeout(this.timer);
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
  }
}

function panelKey(monitor: string, check: string): string {
  return `${monitor}|${check}`;
}

function subjectOf(src: CheckHistorySource): HistorySubject {
  return { monitor: src.monitor.name, model: src.monitor.model, check: src.check.kind, unit: '' };
}
