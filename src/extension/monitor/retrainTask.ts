import path from 'node:path';
import * as vscode from 'vscode';
import type { MlflowCredentials } from '../../core/registry/mlflow/credentials';

/** The task type package.json declares (contributes.taskDefinitions). */
export const TASK_TYPE = 'mlops';

export interface RetrainTaskDefinition extends vscode.TaskDefinition {
  type: typeof TASK_TYPE;
  command: 'retrain';
  /** The monitor's name or its model's name, as `mlops retrain` takes it. */
  model: string;
}

export interface RetrainTaskOptions {
  /** The extension's folder: the bundled CLI is dist/cli.js in it. */
  extensionPath: string;
  folder: vscode.WorkspaceFolder;
  model: string;
  /** mlops.registry.uri, passed on as --registry when set (the CLI resolves it from the same folder). */
  registryUri: string;
  /** Stored MLflow credentials, handed to the CLI the way MLflow's own clients take them. */
  credentials?: MlflowCredentials;
}

/**
 * `mlops retrain <model>` as a VS Code task, so its output (the training command's lines, then the
 * comparison with production) is in a terminal the user can read. The bundled CLI runs on the editor's
 * own runtime: process.execPath is Electron in desktop VS Code (ELECTRON_RUN_AS_NODE=1 makes it Node) and
 * Node itself in code-server and remote hosts (where the variable is ignored).
 */
export function retrainTask(o: RetrainTaskOptions): vscode.Task {
  const cli = path.join(o.extensionPath, 'dist', 'cli.js');
  const args = [cli, 'retrain', o.model];
  if (o.registryUri) args.push('--registry', o.registryUri);
  const env: Record<string, string> = { ELECTRON_RUN_AS_NODE: '1' };
  const c = o.credentials;
  if (c?.kind === 'basic')
    Object.assign(env, { MLFLOW_TRACKING_USERNAME: c.username, MLFLOW_TRACKING_PASSWORD: c.password });
  if (c?.kind === 'bearer') env.MLFLOW_TRACKING_TOKEN = c.token;
  const definition: RetrainTaskDefinition = { type: TASK_TYPE, command: 'retrain', model: o.model };
  const task = new vscode.Task(
    definition,
    o.folder,
    `retrain ${o.model}`,
    'MLOps',
    new vscode.ProcessExecution(process.execPath, args, { cwd: o.folder.uri.fsPath, env }),
  );
  task.presentationOptions = {
    reveal: vscode.TaskRevealKind.Always,
    clear: true,
    panel: vscode.TaskPanelKind.Dedicated,
  };
  return task;
}

/** Runs the task and resolves with its process's exit code when it ends (undefined: it never started). */
export async function runTask(task: vscode.Task): Promise<number | undefined> {
  const mine = (e: { execution: vscode.TaskExecution }) =>
    e.execution.task.name === task.name && e.execution.task.definition.model === task.definition.model;
  return new Promise<number | undefined>((resolve, reject) => {
    let code: number | undefined;
    const subs: vscode.Disposable[] = [
      vscode.tasks.onDidEndTaskProcess((e) => {
        if (mine(e)) code = e.exitCode;
      }),
      vscode.tasks.onDidEndTask((e) => {
        if (!mine(e)) return;
        for (const s of subs) s.dispose();
        resolve(code);
      }),
    ];
    vscode.tasks.executeTask(task).then(undefined, (e: unknown) => {
      for (const s of subs) s.dispose();
      reject(e instanceof Error ? e : new Error(String(e)));
    });
  });
}
