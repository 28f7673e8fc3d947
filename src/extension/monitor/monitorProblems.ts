import { existsSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { Evaluation, Level, MonitorsFile, MonitorSpec } from '../../core/monitor/types';
import { STATE_LABEL } from '../../core/monitor/types';
import type { Deps } from '../commands/deps';
import { COMMANDS } from '../ids';
import { workspaceRoot } from '../registry/registryService';
import { type DiagnosticSpec, issueSpecs, resultSpecs, worstState } from './diagnosticSpecs';
import { CONFIG_FILE, configFile, loadMonitorCore, monitorWorkspace } from './loadMonitorCore';

const DEBOUNCE_MS = 300;
const ICON: Record<Level, string> = {
  ok: '$(pass)',
  warning: '$(warning)',
  critical: '$(pulse)',
  nodata: '$(circle-slash)',
};

/** One Run Monitors round: the project it read and what each monitor's evaluation found. */
export interface MonitorRound {
  project: MonitorsFile;
  evaluations: Evaluation[];
}

/**
 * The Problems entries of the workspace's mlops.yaml: its `monitors:` section's config problems (kept
 * fresh by a file watcher) and one entry per breached check on that check's line, from the last
 * evaluation of each monitor: Run Monitors here, or the one recorded in the monitor history by
 * `mlops monitor` (cron, CI, a terminal), read when the workspace opens and when the history changes.
 * A status bar item shows the worst of those states; clicking it runs the monitors again.
 */
export class MonitorProblems implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('mlops');
  private readonly item = vscode.window.createStatusBarItem('mlops.monitors', vscode.StatusBarAlignment.Left, 90);
  private readonly ran = new vscode.EventEmitter<MonitorRound>();
  /** Fires after every round of Run Monitors (the Monitors view and the Critical notification listen). */
  readonly onDidRun = this.ran.event;
  private readonly disposables: vscode.Disposable[] = [this.ran];
  private configSpecs: DiagnosticSpec[] = [];
  private resultSpecs: DiagnosticSpec[] = [];
  private timer: NodeJS.Timeout | undefined;
  /** The lines of mlops.yaml as last read: a diagnostic spans the rest of its line, not one character. */
  private lines: string[] = [];
  /** Whether a state was shown yet (the recorded one is read once, when the workspace opens). */
  private everShown = false;
  private shown = false;

  constructor(private readonly d: Deps) {
    this.item.name = 'MLOps Monitors';
    this.item.command = COMMANDS.runMonitors;
    const root = workspaceRoot();
    if (root) {
      const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(root, CONFIG_FILE));
      const changed = () => this.schedule();
      this.disposables.push(
        watcher,
        watcher.onDidCreate(changed),
        watcher.onDidChange(changed),
        watcher.onDidDelete(changed),
      );
      this.disposables.push(
        vscode.workspace.onDidSaveTextDocument((doc) => doc.uri.fsPath === this.file() && changed()),
      );
      // Only when the file exists is the parser loaded, and then after activation has returned.
      if (existsSync(configFile()!)) this.schedule();
    }
  }

  private file(): string | undefined {
    return configFile();
  }

  private schedule(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(
      () => void this.refreshConfig().catch((e) => this.d.log.error('mlops.yaml problems', e)),
      DEBOUNCE_MS,
    );
  }

  /**
   * Re-reads mlops.yaml and replaces its config problems (results stay until the next evaluation); the
   * first time, also shows the recorded results.
   */
  async refreshConfig(): Promise<DiagnosticSpec[]> {
    const file = this.file();
    if (!file) return [];
    let text: string | undefined;
    try {
      text = await vscode.workspace.fs.readFile(vscode.Uri.file(file)).then((b) => Buffer.from(b).toString('utf8'));
    } catch {
      text = undefined; // deleted: nothing to report
    }
    if (text === undefined) {
      this.configSpecs = [];
      this.resultSpecs = [];
    } else {
      const c = await loadMonitorCore();
      const parsed = c.parseMonitors(text, CONFIG_FILE);
      this.configSpecs = issueSpecs(parsed.issues);
      this.lines = text.split(/\r?\n/);
      if (!this.everShown && parsed.issues.length === 0) {
        // Opening the workspace: what the last recorded evaluations found, before anything runs here.
        const ws = monitorWorkspace(c, path.dirname(file));
        const last = await Promise.all(
          parsed.monitors.map((m) => c.readHistory(ws.monitorDir, m.modelName, m.name, 1)),
        );
        this.showRecorded(last.flat(), parsed.monitors);
        return this.configSpecs;
      }
    }
    this.publish();
    return this.configSpecs;
  }

  /**
   * Shows the last recorded evaluation of each monitor (the monitor history, as the Monitors view reads it):
   * what `mlops monitor` found in a terminal, a cron job or CI appears here without a Run Monitors.
   */
  showRecorded(evaluations: readonly Evaluation[], monitors: readonly MonitorSpec[]): void {
    this.everShown = true;
    const pos = new Map(monitors.map((m) => [m.name, m.pos]));
    this.resultSpecs = resultSpecs(evaluations, (name) => pos.get(name));
    this.publish();
    const newest = evaluations
      .map((e) => e.at)
      .sort()
      .at(-1);
    this.showState(worstState(evaluations), newest);
  }

  /** The status bar item's text, or undefined while it is hidden (for the exported API). */
  statusText(): string | undefined {
    return this.shown ? this.item.text : undefined;
  }

  /** Evaluates every monitor once (as `mlops monitor --once --no-retrain`) and shows what breached. */
  async run(): Promise<{ state: Level | undefined; evaluations: Evaluation[] }> {
    const file = this.file();
    if (!file || !existsSync(file)) {
      void vscode.window.showInformationMessage(
        `There is no ${CONFIG_FILE} in the workspace folder to take monitors from.`,
      );
      return { state: undefined, evaluations: [] };
    }
    const c = await loadMonitorCore();
    const issues = await this.refreshConfig();
    if (issues.length) {
      void this.offerProblems(`${CONFIG_FILE} has ${issues.length} problem(s); fix them to run the monitors.`);
      return { state: undefined, evaluations: [] };
    }
    const project: MonitorsFile = await c.readMonitors(file, CONFIG_FILE);
    const registry = await this.d.service.get();
    const workspace = monitorWorkspace(c, project.dir);
    const evaluations = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: 'Running monitors' },
      async () => {
        const out: Evaluation[] = [];
        for (const m of project.monitors) out.push(await c.evaluateMonitor(m, { registry, project, workspace }));
        return out;
      },
    );
    const pos = new Map(project.monitors.map((m) => [m.name, m.pos]));
    this.everShown = true;
    this.resultSpecs = resultSpecs(evaluations, (name) => pos.get(name));
    this.publish();
    const state = worstState(evaluations);
    this.showState(state);
    this.ran.fire({ project, evaluations });
    return { state, evaluations };
  }

  /** The status bar item; a change to Critical is announced per monitor by the caller (criticalAlerts.ts). */
  private showState(state: Level | undefined, recordedAt?: string): void {
    this.shown = !!state;
    if (!state) return this.item.hide();
    this.item.text = `${ICON[state]} ${STATE_LABEL[state]}`;
    const when = recordedAt ? ` (last evaluated ${new Date(recordedAt).toLocaleString()})` : '';
    this.item.tooltip = `Monitors of ${CONFIG_FILE}: ${STATE_LABEL[state]}${when}. Click to run them again.`;
    this.item.backgroundColor =
      state === 'critical'
        ? new vscode.ThemeColor('statusBarItem.errorBackground')
        : state === 'warning'
          ? new vscode.ThemeColor('statusBarItem.warningBackground')
          : undefined;
    this.item.show();
  }

  private async offerProblems(message: string): Promise<void> {
    if ((await vscode.window.showWarningMessage(message, 'Show Problems')) === 'Show Problems')
      await vscode.commands.executeCommand('workbench.actions.view.problems');
  }

  private publish(): void {
    const file = this.file();
    if (!file) return;
    const specs = [...this.configSpecs, ...this.resultSpecs];
    this.collection.set(
      vscode.Uri.file(file),
      specs.map((s) => {
        const at = new vscode.Position(Math.max(0, s.line - 1), Math.max(0, s.col - 1));
        const d = new vscode.Diagnostic(
          new vscode.Range(
            at,
            at.with(undefined, Math.max(at.character + 1, this.lines[at.line]?.trimEnd().length ?? 0)),
          ),
          s.message,
          s.severity === 'error' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning,
        );
        d.source = 'MLOps';
        return d;
      }),
    );
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.collection.dispose();
    this.item.dispose();
    for (const x of this.disposables) x.dispose();
  }
}
