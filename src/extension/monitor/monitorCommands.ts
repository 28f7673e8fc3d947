import { existsSync } from 'node:fs';
import * as vscode from 'vscode';
import { MlopsError } from '../../core/errors';
import type { MonitorsFile, MonitorSpec } from '../../core/monitor/types';
import { registerCommand } from '../boundary';
import type { Deps } from '../commands/deps';
import { pickModel } from '../commands/target';
import { readConfig } from '../config';
import { openDriftPanel } from '../drift/driftPanel';
import { COMMANDS } from '../ids';
import { pickOne } from '../ui/prompt';
import { showInfo, showWarning } from '../ui/toast';
import { CriticalAlerts, type MonitorAlert } from './criticalAlerts';
import { CheckHistoryPanel, type CheckHistoryInfo } from './historyPanel';
import { configFile, CONFIG_FILE, loadMonitorCore, monitorWorkspace } from './loadMonitorCore';
import { MonitorProblems } from './monitorProblems';
import { monitorsTemplate } from './template';
import {
  describeMonitorsView,
  MonitorsTreeProvider,
  type MonitorTreeElement,
  type MonitorViewRow,
} from './monitorsTree';
import { retrainTask, runTask } from './retrainTask';
import { VIEWS } from '../ids';

/** What a retrain from the editor ended with (returned to executeCommand callers and tests). */
export interface RetrainResult {
  exitCode: number | undefined;
  /** The new @challenger, when one arrived. */
  challenger: { model: string; version: number; parent: number | null } | null;
}

/** What the monitors part of the extension shows, for the exported API. */
export interface MonitorsApi {
  monitorsView(): Promise<MonitorViewRow[]>;
  onDidRefreshMonitors(listener: () => void): vscode.Disposable;
  monitorAlerts(): MonitorAlert[];
  checkHistoryPanels(): CheckHistoryInfo[];
}

/** The monitor a command is for: a row of the Monitors view, a monitor's or model's name, or asked for. */
function monitorName(arg: unknown): string | undefined {
  if (typeof arg === 'string') return arg;
  const e = arg as MonitorTreeElement | undefined;
  if (e?.kind === 'monitor') return e.row.name;
  if (e?.kind === 'check') return e.monitor.name;
  return undefined;
}

async function loadProject(): Promise<MonitorsFile> {
  const file = configFile();
  if (!file || !existsSync(file))
    throw new MlopsError(
      'NOT_FOUND',
      `There is no ${CONFIG_FILE} in the workspace folder to take monitors from.`,
      'Create one from the Monitors view.',
    );
  return (await loadMonitorCore()).readMonitors(file, CONFIG_FILE);
}

async function findMonitor(
  project: MonitorsFile,
  arg: unknown,
  title: string,
  want: (m: MonitorSpec) => boolean = () => true,
): Promise<MonitorSpec> {
  const name = monitorName(arg);
  const candidates = project.monitors.filter(want);
  if (name !== undefined) {
    const m =
      candidates.find((x) => x.name === name) ??
      candidates.find((x) => x.modelName === name) ??
      project.monitors.find((x) => x.name === name || x.modelName === name);
    if (!m)
      throw new MlopsError(
        'NOT_FOUND',
        `${CONFIG_FILE} has no monitor named "${name}".`,
        `Monitors: ${project.monitors.map((x) => x.name).join(', ') || 'none'}.`,
      );
    return m;
  }
  if (candidates.length === 0)
    throw new MlopsError('NOT_FOUND', `No monitor of ${CONFIG_FILE} fits ${title}.`, 'See the README, "Monitoring".');
  if (candidates.length === 1) return candidates[0];
  return pickOne(
    candidates.map((m) => ({ label: m.name, description: m.model, value: m })),
    { title, placeHolder: 'Monitor' },
  );
}

/** The Monitors view, the Problems entries, the Critical notification, and the monitor commands. */
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

  const retrain = async (arg?: unknown): Promise<RetrainResult> => {
    // The retrain command is a shell command from the workspace: it runs only where the user trusts it.
    if (!vscode.workspace.isTrusted)
      throw new MlopsError(
        'PERMISSION_DENIED',
        'This workspace is not trusted, so the retrain command of its mlops.yaml is not run.',
        'Trust the workspace to retrain.',
        { reason: 'READ_ONLY_REGISTRY' },
      );
    const project = await loadProject();
    const m = await findMonitor(project, arg, 'Retrain', (x) => x.retrain !== undefined);
    if (!m.retrain)
      throw new MlopsError(
        'INVALID_STATE',
        `The monitor "${m.name}" has no retrain: section, so there is nothing to run.`,
        'Add retrain: { command, output } to it in mlops.yaml.',
      );
    const folder = vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file');
    if (!folder) throw new MlopsError('INVALID_STATE', 'Open the folder of mlops.yaml to retrain.');
    const c = await loadMonitorCore();
    const reg = await d.service.get();
    const before = (await reg.getModel(m.modelName)).aliases[c.CHALLENGER_ALIAS];
    const registryUri = readConfig().registryUri;
    const loc = c.parseRegistryUri(registryUri, folder.uri.fsPath);
    // `mlops retrain` takes a monitor's or a model's name; the model's reads better in the terminal's tab.
    const sameModel = project.monitors.filter((x) => x.retrain && x.modelName === m.modelName).length;
    const exitCode = await runTask(
      retrainTask({
        extensionPath: context.extensionPath,
        folder,
        model: sameModel === 1 ? m.modelName : m.name,
        registryUri,
        credentials: loc.kind === 'mlflow' ? await d.secrets.get(loc.url) : undefined,
      }),
    );
    d.tree.refresh();
    tree.refresh();
    if (exitCode !== 0) {
      void showWarning(
        `Retraining ${m.modelName} failed${exitCode === undefined ? '' : ` (exit code ${exitCode})`}; nothing was registered. The terminal "retrain" shows why.`,
      );
      return { exitCode, challenger: null };
    }
    const model = await reg.getModel(m.modelName);
    const after = model.aliases[c.CHALLENGER_ALIAS];
    if (after === undefined || after === before) {
      showInfo(`Retraining ${m.modelName} ended without a new @challenger.`);
      return { exitCode, challenger: null };
    }
    const v = await reg.getVersion(m.modelName, after);
    const production = v.parentVersion ?? model.aliases[m.alias ?? 'production'];
    void d.lastModel.set(m.modelName);
    showInfo(
      `${m.modelName} v${after} is the new @challenger${production ? `, retrained from v${production}` : ''}. The terminal shows how it compares.`,
      ...(production !== undefined
        ? [
            {
              title: 'Compare',
              run: () =>
                vscode.commands.executeCommand(
                  COMMANDS.compareWith,
                  { model: m.modelName, version: production },
                  after,
                ),
            },
          ]
        : []),
      {
        title: 'Promote…',
        run: () => vscode.commands.executeCommand(COMMANDS.promote, { model: m.modelName, version: after }),
      },
    );
    return { exitCode, challenger: { model: m.modelName, version: after, parent: v.parentVersion ?? null } };
  };

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
    tree.onDidLoad(({ evaluations, specs }) => alerts.notify(evaluations, specs)),
    registerCommand(d.log, COMMANDS.runMonitors, () => problems.run()),
    registerCommand(d.log, COMMANDS.refreshMonitors, () => tree.reload().then((rows) => rows.length)),
    registerCommand(d.log, COMMANDS.retrain, retrain),
    registerCommand(d.log, COMMANDS.monitorShowDrift, showDrift),
    registerCommand(d.log, COMMANDS.checkHistory, checkHistory),
    registerCommand(d.log, COMMANDS.createMonitorsConfig, createConfig),
  ];
  return {
    disposables,
    api: {
      monitorsView: () => describeMonitorsView(tree),
      onDidRefreshMonitors: (listener) => tree.onDidChangeTreeData(() => listener()),
      monitorAlerts: () => [...alerts.shown],
      checkHistoryPanels: () => CheckHistoryPanel.describeOpen(),
    },
  };
}
