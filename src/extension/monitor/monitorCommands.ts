import { existsSync } from 'node:fs';
import * as vscode from 'vscode';
import { MlopsError } from '../../core/errors';
import { registerCommand } from '../boundary';
import type { Deps } from '../commands/deps';
import { pickModel } from '../commands/target';
import { openDriftPanel } from '../drift/driftPanel';
import { COMMANDS, VIEWS } from '../ids';
import { pickOne } from '../ui/prompt';
import { CriticalAlerts, type MonitorAlert } from './criticalAlerts';
import { CheckHistoryPanel, HISTORY_VIEW_TYPE, type CheckHistoryInfo } from './historyPanel';
import { checkHistorySerializer } from './historyRestore';
import { configFile, CONFIG_FILE, loadMonitorCore, monitorWorkspace } from './loadMonitorCore';
import { MonitorProblems } from './monitorProblems';
import { monitorsTemplate } from './template';
import {
  describeMonitorsView,
  MonitorsTreeProvider,
  type MonitorTreeElement,
  type MonitorViewRow,
} from './monitorsTree';
import { retrainFromEditor } from './retrainCommand';
import { findMonitor, loadProject } from './monitorLookup';
import { registerPanelSerializer } from '../panelSerializers';

/** What the monitors part of the extension shows, for the exported API. */
export interface MonitorsApi {
  monitorsView(): Promise<MonitorViewRow[]>;
  onDidRefreshMonitors(listener: () => void): vscode.Disposable;
  monitorAlerts(): MonitorAlert[];
  checkHistoryPanels(): CheckHistoryInfo[];
  /** The monitors' status bar text (the worst state), or undefined while hidden. */
  monitorsStatusBar(): string | undefined;
}

/**
 * The Monitors view, the Problems entries, the Critical notification, the monitor commands, and the history
 * panel's serializer.
 */
export function registerMonitors(
  context: vscode.ExtensionContext,
  d: Deps,
): { disposables: vscode.Disposable[]; api: MonitorsApi } {
  const problems = new MonitorProblems(d);
  const tree = new MonitorsTreeProvider(d.log);
  const view = vscode.window.createTreeView<MonitorTreeElement>(VIEWS.monitors, {
    treeDataProvider: tree,
    showCollapseAll: true,
  });
  const alerts = new CriticalAlerts();

  const showDrift = async (arg?: unknown) => {
    const project = await loadProject();
    const m = await findMonitor(project, arg, 'Show Drift', (x) => x.checks.some((k) => k.kind === 'drift'));
    const c = await loadMonitorCore();
    const reg = await d.service.get();
    const version = await c.resolveModelRef(reg, m.model);
    const data = await c.resolveData(m, {
      dir: project.dir,
      ...monitorWorkspace(c, project.dir),
      referenceTag: version.tags.reference_data,
      now: Date.now(),
    });
    if (!data.reference || !data.current)
      throw new MlopsError(
        'NOT_FOUND',
        `The monitor "${m.name}" has no ${data.reference ? 'current' : 'reference'} data to compare${data.noData ? ` (${data.noData})` : ''}.`,
        'Set reference: (or the version’s reference_data tag) and current: in mlops.yaml.',
      );
    openDriftPanel(context, vscode.Uri.file(data.reference), vscode.Uri.file(data.current), d.log, undefined, {
      name: m.modelName,
      version: String(version.version),
    });
    return { reference: data.reference, current: data.current };
  };

  const checkHistory = async (arg?: unknown, kindArg?: unknown) => {
    const project = await loadProject();
    const e = arg as MonitorTreeElement | undefined;
    const m = await findMonitor(project, arg, 'Show History');
    const kind =
      e?.kind === 'check'
        ? e.row.kind
        : typeof kindArg === 'string'
          ? kindArg
          : await pickOne(
              m.checks.map((k) => ({ label: k.kind, value: k.kind })),
              { title: `Show History of ${m.name}`, placeHolder: 'Check' },
            );
    const spec = m.checks.find((k) => k.kind === kind);
    if (!spec) throw new MlopsError('NOT_FOUND', `The monitor "${m.name}" has no ${String(kind)} check.`);
    const ws = monitorWorkspace(await loadMonitorCore(), project.dir);
    CheckHistoryPanel.show(context, d.log, { monitor: m, check: spec, monitorDir: ws.monitorDir });
    return { monitor: m.name, check: spec.kind };
  };

  const createConfig = async (arg?: { model?: string }) => {
    const file = configFile();
    if (!file) throw new MlopsError('INVALID_STATE', `Open a folder to create ${CONFIG_FILE} in.`);
    if (!existsSync(file)) {
      let model = arg?.model;
      if (!model) {
        const reg = await d.service.get().catch(() => undefined);
        const names = reg ? (await reg.listModels({ maxResults: 2 })).items.map((x) => x.name) : [];
        model = names.length > 1 && reg ? await pickModel(reg, `Create ${CONFIG_FILE}: the model to watch`) : names[0];
      }
      await vscode.workspace.fs.writeFile(vscode.Uri.file(file), Buffer.from(monitorsTemplate(model ?? 'my-model')));
    }
    await vscode.window.showTextDocument(vscode.Uri.file(file), { preview: false });
    tree.refresh();
    return file;
  };

  const disposables: vscode.Disposable[] = [
    problems,
    tree,
    view,
    problems.onDidRun(async ({ project, evaluations }) => {
      await tree.reload();
      alerts.notify(evaluations, project.monitors);
    }),
    tree.onDidLoad(({ evaluations, specs }) => {
      alerts.notify(evaluations, specs);
      problems.showRecorded(evaluations, specs);
    }),
    registerCommand(d.log, COMMANDS.runMonitors, () => problems.run()),
    registerCommand(d.log, COMMANDS.refreshMonitors, () => tree.reload().then((rows) => rows.length)),
    registerCommand(d.log, COMMANDS.retrain, async (arg?: unknown) => {
      const res = await retrainFromEditor(context, d, arg);
      tree.refresh();
      return res;
    }),
    registerCommand(d.log, COMMANDS.monitorShowDrift, showDrift),
    registerCommand(d.log, COMMANDS.checkHistory, checkHistory),
    registerCommand(d.log, COMMANDS.createMonitorsConfig, createConfig),
    // A history panel open when the window reloads comes back showing the same check.
    registerPanelSerializer(HISTORY_VIEW_TYPE, checkHistorySerializer(context, d.log)),
  ];
  return {
    disposables,
    api: {
      monitorsView: () => describeMonitorsView(tree),
      onDidRefreshMonitors: (listener) => tree.onDidChangeTreeData(() => listener()),
      monitorAlerts: () => [...alerts.shown],
      checkHistoryPanels: () => CheckHistoryPanel.describeOpen(),
      monitorsStatusBar: () => problems.statusText(),
    },
  };
}
