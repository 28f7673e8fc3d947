import * as vscode from 'vscode';
import { MlopsError } from '../../core/errors';
import type { Deps } from '../commands/deps';
import { readConfig } from '../config';
import { COMMANDS } from '../ids';
import { showInfo, showWarning } from '../ui/toast';
import { loadMonitorCore, monitorWorkspace } from './loadMonitorCore';
import { findMonitor, loadProject } from './monitorLookup';
import { retrainTask, runTask } from './retrainTask';

/** What a retrain from the editor ended with (returned to executeCommand callers and tests). */
export interface RetrainResult {
  exitCode: number | undefined;
  /** The comparison's sentence as `mlops retrain` recorded it, when it did. */
  verdict?: string;
  /** The new @challenger, when one arrived. */
  challenger: { model: string; version: number; parent: number | null } | null;
}

/**
 * Retrain from the editor: the monitor's retrain command runs as a VS Code task (`mlops retrain`), and
 * when a new @challenger arrived the Models view refreshes and a notification offers Compare (production
 * vs challenger) and Promote… (the challenger). The registry, not the task's output, says what arrived.
 */
export async function retrainFromEditor(
  context: vscode.ExtensionContext,
  d: Deps,
  arg: unknown,
): Promise<RetrainResult> {
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
  if (exitCode !== 0) {
    void showWarning(
      `Retraining ${m.modelName} failed${exitCode === undefined ? '' : ` (exit code ${exitCode})`}; nothing was registered. The task's terminal shows why.`,
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
  // What `mlops retrain` concluded, as it recorded it (the terminal shows the whole table).
  const runs = await c
    .readRetrainRuns(monitorWorkspace(c, project.dir).monitorDir, m.modelName)
    .catch(() => [] as Awaited<ReturnType<typeof c.readRetrainRuns>>);
  const verdict = runs.filter((r) => r.outcome === 'compared' && r.version === after).at(-1)?.verdict;
  showInfo(
    `${m.modelName} v${after} is the new @challenger${production ? `, retrained from v${production}` : ''}. ${verdict ?? 'The terminal shows how it compares.'}`,
    ...(production !== undefined
      ? [
          {
            title: 'Compare',
            run: () =>
              vscode.commands.executeCommand(COMMANDS.compareWith, { model: m.modelName, version: production }, after),
          },
        ]
      : []),
    {
      title: 'Promote…',
      run: () => vscode.commands.executeCommand(COMMANDS.promote, { model: m.modelName, version: after }),
    },
  );
  return { exitCode, verdict, challenger: { model: m.modelName, version: after, parent: v.parentVersion ?? null } };
}
