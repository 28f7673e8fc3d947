import path from 'node:path';
import * as vscode from 'vscode';
import { MlopsError, errorMessage } from '../../core/errors';
import { defaultSettings, type DriftSettings } from '../../core/drift/config';
import { type DriftScope, PROJECT_FILE, projectDriftSettings } from '../../core/drift/configFile';
import { renderHtml } from '../../core/drift/report/html';
import { renderMarkdown } from '../../core/drift/report/markdown';
import type { DriftResult } from '../../core/drift/result';
import { runDrift } from '../../core/drift/run';
import {
  type DriftFiles,
  type HostToWebview,
  parseViewState,
  parseWebviewMessage,
  type WebviewToHost,
} from '../../shared/driftProtocol';
import { showInfo } from '../ui/toast';
import { openDataFile, pickReportTarget } from './fileDialogs';
import { driftPanelHtml } from './html';
import { panelOptions, panelPageHtml } from '../panelOptions';

export const DRIFT_VIEW_TYPE = 'mlops.driftPanel';

/**
 * Where the panel's settings come from, read again on every recompute; `file` is watched. `scope` names
 * the files and the model, which pick the dataset's and the model's own settings (`datasets:`, `models:`).
 */
export interface DriftSettingsSource {
  load(scope: DriftScope): Promise<DriftSettings>;
  file?: vscode.Uri;
}

/** The workspace's mlops.yaml (its `drift:` section), else the defaults. */
export function projectSettingsSource(): DriftSettingsSource {
  const root = vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file')?.uri;
  if (!root) return { load: async () => defaultSettings() };
  const file = vscode.Uri.joinPath(root, PROJECT_FILE);
  return { file, load: (scope) => projectDriftSettings(file.fsPath, PROJECT_FILE, scope) };
}

/** The model version a panel is for (Show Drift); none when two files are compared directly. */
export interface DriftSubject {
  name: string;
  version: string;
}

/** What the panel needs from the extension's log (src/extension/log.ts `Log` fits). */
export interface DriftLog {
  info(msg: string): void;
  error(scope: string, e: unknown): void;
}

const REFRESH_DELAY_MS = 600;

export interface DriftPanelInfo {
  title: string;
  model: DriftSubject | undefined;
  reference: string;
  current: string;
  /** The webview's script has started (the ready handshake). */
  ready: boolean;
  /** Features in the last result computed, and how many drifted. */
  features: number | undefined;
  driftedFeatures: number | undefined;
  /** Rows the webview's table showed after drawing the last result it received, and that result's time. */
  renderedRows: number | undefined;
  renderedAt: string | undefined;
  /** The sentence the panel shows instead of a result, when the last computation failed. */
  error: string | undefined;
}

/**
 * The drift panel beside the active editor. Computes in a worker thread (never in the extension host's
 * thread, never in the webview), re-computes when either data file changes, and sends the webview only
 * the DriftResult it draws. The webview keeps its own view state (getState/setState).
 */
export class DriftPanel implements vscode.Disposable {
  private static readonly open = new Map<string, DriftPanel>();
  /** What the webview last reported drawing (the integration suite and the API read it). */
  private rendered: { rows: number; generatedAt: string } | undefined;

  /** The open panels and what each one shows. */
  static describeOpen(): DriftPanelInfo[] {
    return [...DriftPanel.open.values()].map((p) => ({
      title: p.panel.title,
      model: p.model,
      reference: p.reference.fsPath,
      current: p.current.fsPath,
      ready: p.ready,
      features: p.result?.features.length,
      driftedFeatures: p.result?.dataset.driftedFeatures,
      renderedRows: p.rendered?.rows,
      renderedAt: p.rendered?.generatedAt,
      error: p.last?.type === 'error' ? p.last.message : undefined,
    }));
  }
  private readonly disposables: vscode.Disposable[] = [];
  private ready = false;
  private last: HostToWebview | undefined;
  private result: DriftResult | undefined;
  private running: AbortController | undefined;
  private timer: NodeJS.Timeout | undefined;

  static show(
    context: vscode.ExtensionContext,
    reference: vscode.Uri,
    current: vscode.Uri,
    log: DriftLog,
    settings: DriftSettingsSource = projectSettingsSource(),
    model?: DriftSubject,
  ): DriftPanel {
    const key = panelKey(reference, current, model);
    const existing = DriftPanel.open.get(key);
    if (existing) {
      existing.panel.reveal(vscode.ViewColumn.Beside);
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(
      DRIFT_VIEW_TYPE,
      titleOf(reference, current, model),
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      panelOptions(context),
    );
    return new DriftPanel(panel, context, reference, current, log, settings, model);
  }

  constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly context: vscode.ExtensionContext,
    private readonly reference: vscode.Uri,
    private readonly current: vscode.Uri,
    private readonly log: DriftLog,
    private readonly settings: DriftSettingsSource,
    readonly model?: DriftSubject,
  ) {
    DriftPanel.open.set(this.key, this);
    panel.title = titleOf(reference, current, model);
    panel.iconPath = vscode.Uri.joinPath(context.extensionUri, 'media', 'icon.png');
    panel.webview.options = panelOptions(context);
    panel.webview.html = this.html();
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((m: unknown) => this.receive(m)),
      ...[reference, current, ...(settings.file ? [settings.file] : [])].map((uri) => this.watch(uri)),
    );
    void this.recompute();
  }

  private get key(): string {
    return panelKey(this.reference, this.current, this.model);
  }

  private get files(): DriftFiles {
    const label = (u: vscode.Uri) => vscode.workspace.asRelativePath(u, false);
    return {
      reference: { path: this.reference.fsPath, label: label(this.reference) },
      current: { path: this.current.fsPath, label: label(this.current) },
      model: this.model ?? null,
    };
  }

  private html(): string {
    const w = this.panel.webview;
    return panelPageHtml(w, this.context, 'drift', driftPanelHtml);
  }

  /** A watcher on one file (works for files outside the workspace too); changes are debounced. */
  private watch(uri: vscode.Uri): vscode.Disposable {
    const w = vscode.workspace.createFileSystemWatcher(
      new vscode.RelativePattern(vscode.Uri.file(path.dirname(uri.fsPath)), path.basename(uri.fsPath)),
    );
    const changed = () => {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => void this.recompute(), REFRESH_DELAY_MS);
    };
    return vscode.Disposable.from(w, w.onDidChange(changed), w.onDidCreate(changed), w.onDidDelete(changed));
  }

  private post(m: HostToWebview): void {
    this.last = m;
    if (this.ready) void this.panel.webview.postMessage(m);
  }

  private receive(raw: unknown): void {
    const m = parseWebviewMessage(raw);
    if (!m) {
      this.log.info(`drift panel: ignored a message outside the contract: ${JSON.stringify(raw).slice(0, 200)}`);
      return;
    }
    void this.handle(m);
  }

  private async handle(m: WebviewToHost): Promise<void> {
    switch (m.type) {
      case 'ready':
        // Handshake: a new (or restored) webview script is listening; send it the latest state.
        this.ready = true;
        if (this.last) void this.panel.webview.postMessage(this.last);
        return;
      case 'refresh':
        return this.recompute();
      case 'cancel':
        this.running?.abort();
        return;
      case 'openFile':
        await openDataFile(m.which === 'reference' ? this.reference : this.current);
        return;
      case 'exportReport':
        return this.exportReport(m.format);
      case 'rendered':
        this.rendered = { rows: m.rows, generatedAt: m.generatedAt };
        return;
    }
  }

  private async exportReport(format: 'html' | 'md' | 'json'): Promise<void> {
    if (!this.result) return;
    const base = this.current.with({ path: this.current.path.replace(/\.[^./]+$/, '') + `.drift.${format}` });
    const target = await pickReportTarget(base, format);
    if (!target) return;
    const text =
      format === 'html'
        ? renderHtml(this.result)
        : format === 'md'
          ? renderMarkdown(this.result)
          : JSON.stringify(this.result, null, 2);
    await vscode.workspace.fs.writeFile(target, Buffer.from(text, 'utf8'));
    showInfo(`Drift report saved to ${vscode.workspace.asRelativePath(target)}.`);
  }

  private async recompute(): Promise<void> {
    this.running?.abort();
    const ac = new AbortController();
    this.running = ac;
    const files = this.files;
    this.post({ type: 'loading', files, message: 'Reading the data files…', fraction: null });
    let settings: DriftSettings;
    try {
      settings = await this.settings.load({
        reference: this.reference.fsPath,
        current: this.current.fsPath,
        model: this.model?.name,
      });
    } catch (e) {
      if (this.running !== ac) return;
      this.log.error('drift panel settings', e);
      this.post({
        type: 'error',
        files,
        message: errorMessage(e instanceof MlopsError ? new MlopsError(e.code, e.message) : e),
        hint: e instanceof MlopsError ? (e.hint ?? null) : null,
      });
      return;
    }
    if (ac.signal.aborted) return;
    // Both files are read, and compared, in worker threads: the extension host only orchestrates.
    await runDrift({
      reference: this.reference.fsPath,
      current: this.current.fsPath,
      referenceName: files.reference.label,
      currentName: files.current.label,
      settings,
      threads: 'all',
      signal: ac.signal,
      onProgress: (e) => {
        if (e.phase === 'read')
          this.post({
            type: 'loading',
            files,
            message: `Reading ${e.file}: ${Math.floor((e.bytes / Math.max(1, e.total)) * 100)}%`,
            fraction: e.bytes / Math.max(1, e.total),
          });
        else this.post({ type: 'loading', files, message: e.message, fraction: null });
      },
    }).then(
      (result) => {
        if (ac.signal.aborted) return;
        this.result = result;
        this.post({ type: 'result', files, result });
        this.log.info(
          `drift: ${files.reference.label} vs ${files.current.label}: ${result.dataset.driftedFeatures}/${result.dataset.features} features drifted (${result.durationMs} ms)`,
        );
      },
      (e: unknown) => {
        if (this.running !== ac && ac.signal.aborted) return; // superseded by a newer run
        this.log.error('drift panel', e);
        this.post({
          type: 'error',
          files,
          message: errorMessage(e instanceof MlopsError ? new MlopsError(e.code, e.message) : e),
          hint: e instanceof MlopsError ? (e.hint ?? null) : 'See the MLOps log for details.',
        });
      },
    );
  }

  dispose(): void {
    DriftPanel.open.delete(this.key);
    clearTimeout(this.timer);
    this.running?.abort();
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
  }
}

function titleOf(reference: vscode.Uri, current: vscode.Uri, model?: DriftSubject): string {
  const files = `${path.basename(current.fsPath)} vs ${path.basename(reference.fsPath)}`;
  return model ? `Drift: ${model.name} v${model.version} (${files})` : `Drift: ${files}`;
}

function panelKey(reference: vscode.Uri, current: vscode.Uri, model?: DriftSubject): string {
  return `${reference.toString()}|${current.toString()}|${model ? `${model.name}@${model.version}` : ''}`;
}

/** Opens (or reveals) the drift panel for two data files beside the active editor. */
export function openDriftPanel(
  context: vscode.ExtensionContext,
  referenceUri: vscode.Uri,
  currentUri: vscode.Uri,
  log: DriftLog,
  settings?: DriftSettingsSource,
  model?: DriftSubject,
): DriftPanel {
  return DriftPanel.show(context, referenceUri, currentUri, log, settings, model);
}

/** Restores drift panels after a window reload from the files the webview saved in its state. */
export function driftPanelSerializer(context: vscode.ExtensionContext, log: DriftLog): vscode.WebviewPanelSerializer {
  return {
    async deserializeWebviewPanel(panel, state) {
      const s = parseViewState(state);
      if (!s?.files) {
        panel.dispose();
        return;
      }
      new DriftPanel(
        panel,
        context,
        vscode.Uri.file(s.files.reference.path),
        vscode.Uri.file(s.files.current.path),
        log,
        projectSettingsSource(),
        s.files.model ?? undefined,
      );
    },
  };
}
