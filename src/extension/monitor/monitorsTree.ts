import { existsSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { ConfigIssue } from '../../core/monitor/config';
import type { Evaluation, Level, MonitorSpec } from '../../core/monitor/types';
import { STATE_LABEL } from '../../core/monitor/types';
import { CONTEXT_KEYS, CONTEXT_VALUES } from '../ids';
import type { Log } from '../log';
import { workspaceRoot } from '../registry/registryService';
import { configFile, CONFIG_FILE, loadMonitorCore, monitorWorkspace } from './loadMonitorCore';
import { type CheckRow, checkDescription, fmtValue, monitorRows, type MonitorRow, breachOperator } from './monitorRows';

export type MonitorTreeElement =
  | { kind: 'monitor'; row: MonitorRow }
  | { kind: 'check'; row: CheckRow; monitor: MonitorRow }
  | { kind: 'problem'; issue: ConfigIssue };

/** State icons: a codicon in a theme colour, so light, dark and high-contrast themes all read right. */
const ICON: Record<Level, [string, string]> = {
  ok: ['pass', 'testing.iconPassed'],
  warning: ['warning', 'problemsWarningIcon.foreground'],
  critical: ['error', 'problemsErrorIcon.foreground'],
  nodata: ['circle-slash', 'disabledForeground'],
};
const stateIcon = (s: Level) => new vscode.ThemeIcon(ICON[s][0], new vscode.ThemeColor(ICON[s][1]));
const DEBOUNCE_MS = 300;

/**
 * The Monitors view: mlops.yaml's monitors -> their checks, each with its state (from the last evaluation in
 * the monitor history, `.mlops/monitor/<model>.jsonl`) and its last value against the threshold. It
 * reloads when mlops.yaml or the history changes (a Run Monitors here, `mlops monitor` in a terminal or
 * cron), and nothing is read until the view is shown.
 */
export class MonitorsTreeProvider implements vscode.TreeDataProvider<MonitorTreeElement>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<MonitorTreeElement | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly loaded = new vscode.EventEmitter<{ evaluations: Evaluation[]; specs: MonitorSpec[] }>();
  /** After each load: the last evaluation of every monitor (the Critical notification reads them). */
  readonly onDidLoad = this.loaded.event;
  private readonly disposables: vscode.Disposable[] = [this.changed, this.loaded];
  private everLoaded = false;
  private historyWatcher: vscode.Disposable | undefined;
  private watchedDir: string | undefined;
  private loading: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private rows: MonitorRow[] = [];
  private issues: ConfigIssue[] = [];
  /** The parsed monitors of the last load (the commands look monitors up here). */
  specs: MonitorSpec[] = [];

  constructor(private readonly log: Log) {
    const root = workspaceRoot();
    void this.setNoConfig();
    if (root) {
      const w = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(root, CONFIG_FILE));
      const changed = () => {
        void this.setNoConfig();
        this.refresh();
      };
      this.disposables.push(w, w.onDidCreate(changed), w.onDidChange(changed), w.onDidDelete(changed));
    }
  }

  private setNoConfig(): Thenable<unknown> {
    const file = configFile();
    return vscode.commands.executeCommand('setContext', CONTEXT_KEYS.noMonitorsConfig, !file || !existsSync(file));
  }

  /** Reloads on the next read (debounced: a save and a history append come together). */
  refresh(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      // Once shown, the view keeps its data current (and so the notifications); before, it loads when shown.
      this.loading = this.everLoaded ? this.load() : undefined;
      this.changed.fire(undefined);
    }, DEBOUNCE_MS);
  }

  /** Reloads now and returns the rows (Run Monitors awaits this, so the view is current when it returns). */
  async reload(): Promise<MonitorRow[]> {
    clearTimeout(this.timer);
    this.loading = this.load();
    await this.loading;
    this.changed.fire(undefined);
    return this.rows;
  }

  private async load(): Promise<void> {
    this.everLoaded = true;
    const file = configFile();
    this.rows = [];
    this.issues = [];
    this.specs = [];
    if (!file || !existsSync(file)) return;
    try {
      const c = await loadMonitorCore();
      const text = Buffer.from(await vscode.workspace.fs.readFile(vscode.Uri.file(file))).toString('utf8');
      const parsed = c.parseMonitors(text, CONFIG_FILE);
      this.issues = parsed.issues;
      this.specs = parsed.monitors;
      const ws = monitorWorkspace(c, path.dirname(file));
      this.watchHistory(ws.monitorDir);
      const last = new Map<string, Evaluation | undefined>();
      for (const m of parsed.monitors)
        last.set(m.name, (await c.readHistory(ws.monitorDir, m.modelName, m.name, 1))[0]);
      this.rows = monitorRows(parsed.monitors, (name) => last.get(name));
      const evaluations = [...last.values()].filter((e): e is Evaluation => e !== undefined);
      this.loaded.fire({ evaluations, specs: parsed.monitors });
    } catch (e) {
      this.log.error('Monitors view', e);
      this.issues = [{ message: e instanceof Error ? e.message : String(e), line: 1, col: 1 }];
    }
  }

  /** The history folder follows the registry setting: the watcher moves with it. */
  private watchHistory(dir: string): void {
    if (dir === this.watchedDir) return;
    this.historyWatcher?.dispose();
    this.watchedDir = dir;
    const w = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(dir), '*.jsonl'));
    const changed = () => this.refresh();
    this.historyWatcher = vscode.Disposable.from(w, w.onDidCreate(changed), w.onDidChange(changed));
  }

  async getChildren(e?: MonitorTreeElement): Promise<MonitorTreeElement[]> {
    if (!e) {
      await (this.loading ??= this.load());
      if (this.issues.length) return this.issues.map((issue) => ({ kind: 'problem', issue }));
      return this.rows.map((row) => ({ kind: 'monitor', row }));
    }
    if (e.kind === 'monitor') return e.row.checks.map((row) => ({ kind: 'check', row, monitor: e.row }));
    return [];
  }

  getTreeItem(e: MonitorTreeElement): vscode.TreeItem {
    const file = configFile();
    const at = (line: number, col: number) => {
      const p = new vscode.Position(Math.max(0, line - 1), Math.max(0, col - 1));
      return file
        ? {
            title: 'Open mlops.yaml',
            command: 'vscode.open',
            arguments: [vscode.Uri.file(file), { selection: new vscode.Range(p, p) }],
          }
        : undefined;
    };
    if (e.kind === 'problem') {
      const item = new vscode.TreeItem(`${CONFIG_FILE}:${e.issue.line}: ${e.issue.message}`);
      item.iconPath = new vscode.ThemeIcon('error', new vscode.ThemeColor('problemsErrorIcon.foreground'));
      item.tooltip = `${e.issue.message}\nFix it in ${CONFIG_FILE} (line ${e.issue.line}, column ${e.issue.col}).`;
      item.contextValue = CONTEXT_VALUES.monitorProblem;
      item.command = at(e.issue.line, e.issue.col);
      return item;
    }
    if (e.kind === 'monitor') {
      const r = e.row;
      // An unnamed monitor is named by its model URI; the row drops the `models:/` every one of them has.
      const label = r.name === r.model ? r.model.replace(/^models:\//, '') : r.name;
      const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.Expanded);
      item.id = `monitor:${r.name}`;
      item.iconPath = stateIcon(r.state);
      item.description = r.error ? `${STATE_LABEL[r.state]} · ${r.error}` : STATE_LABEL[r.state];
      item.contextValue = monitorContext(r);
      // Plain text: names and paths are shown as they are (Markdown would read `*` or `_` in them).
      item.tooltip = [
        `${r.name}: ${STATE_LABEL[r.state]}`,
        `Watches ${r.model}`,
        r.at ? `Last evaluated ${new Date(r.at).toLocaleString()}` : 'Not evaluated yet: Run Monitors.',
        `Data: ${r.window}`,
        ...(r.error ? [r.error] : []),
      ].join('\n');
      item.command = at(r.pos.line, r.pos.col);
      return item;
    }
    const c = e.row;
    const item = new vscode.TreeItem(c.kind);
    item.id = `check:${c.monitor}:${c.kind}`;
    item.iconPath = stateIcon(c.state);
    item.description = checkDescription(c);
    item.contextValue = `${CONTEXT_VALUES.check}+${c.kind}`;
    const op = breachOperator(c);
    item.tooltip = [
      `${c.kind} of ${e.monitor.name}: ${STATE_LABEL[c.state]}`,
      `Last value: ${fmtValue(c.value, c.unit)}`,
      ...(c.warning !== null ? [`Warning ${op} ${fmtValue(c.warning, c.unit)}`] : []),
      ...(c.critical !== null ? [`Critical ${op} ${fmtValue(c.critical, c.unit)}`] : []),
      ...(c.message ? [c.message] : []),
      `Data window: ${e.monitor.window}`,
      ...(e.monitor.at ? [`Evaluated ${new Date(e.monitor.at).toLocaleString()}`] : []),
    ].join('\n');
    item.command = at(c.pos.line, c.pos.col);
    return item;
  }

  /** The rows as last loaded (for commands that act on a monitor by name). */
  monitorRows(): MonitorRow[] {
    return this.rows;
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.historyWatcher?.dispose();
    for (const d of this.disposables) d.dispose();
  }
}

/** mlops:monitor plus the flags its menus match: +retrain (Retrain), +drift (Show Drift), +alias. */
export function monitorContext(r: MonitorRow): string {
  const flags = [
    r.hasRetrain ? '+retrain' : '',
    r.checks.some((c) => c.kind === 'drift') ? '+drift' : '',
    r.alias ? '+alias' : '',
  ];
  return CONTEXT_VALUES.monitor + flags.join('');
}

/** A row as the view renders it, for the exported API (tests and other extensions). */
export interface MonitorViewRow {
  label: string;
  description: string;
  icon: string;
  color: string;
  contextValue: string;
  tooltip: string;
  children: MonitorViewRow[];
}

export async function describeMonitorsView(tree: MonitorsTreeProvider): Promise<MonitorViewRow[]> {
  const describe = async (e: MonitorTreeElement): Promise<MonitorViewRow> => {
    const item = tree.getTreeItem(e);
    const [icon, color] = e.kind === 'problem' ? ['error', 'problemsErrorIcon.foreground'] : ICON[e.row.state];
    const tip = item.tooltip;
    return {
      label: typeof item.label === 'string' ? item.label : (item.label?.label ?? ''),
      description: typeof item.description === 'string' ? item.description : '',
      icon,
      color,
      contextValue: item.contextValue ?? '',
      tooltip: typeof tip === 'string' ? tip : (tip?.value ?? ''),
      children: await Promise.all((await tree.getChildren(e)).map(describe)),
    };
  };
  return Promise.all((await tree.getChildren()).map(describe));
}
