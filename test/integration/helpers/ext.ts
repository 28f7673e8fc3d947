import * as vscode from 'vscode';
import type { MlopsStudioApi } from '../../../src/extension/api';
import type { TreeElement, VersionElement, ModelElement } from '../../../src/extension/tree/elements';
import { EXTENSION_ID } from './env';
import { waitFor } from '../../helpers/wait';

export async function api(): Promise<MlopsStudioApi> {
  const ext = vscode.extensions.getExtension<MlopsStudioApi>(EXTENSION_ID);
  if (!ext) throw new Error(`${EXTENSION_ID} is not loaded`);
  return ext.activate();
}

export function packageJson(): { contributes: Record<string, unknown> } {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  if (!ext) throw new Error(`${EXTENSION_ID} is not loaded`);
  return ext.packageJSON as { contributes: Record<string, unknown> };
}

/** Sets an `mlops.*` setting in the workspace (as a user editing .vscode/settings.json would). */
export async function setSetting(key: string, value: unknown): Promise<void> {
  await vscode.workspace.getConfiguration('mlops').update(key, value, vscode.ConfigurationTarget.Workspace);
}

export async function models(a: MlopsStudioApi): Promise<ModelElement[]> {
  return (await a.treeChildren()).filter((e): e is ModelElement => e.kind === 'model');
}

export async function versions(a: MlopsStudioApi, model: string): Promise<VersionElement[]> {
  const m = (await models(a)).find((e) => e.name === model);
  if (!m) return [];
  return (await a.treeChildren(m)).filter((e): e is VersionElement => e.kind === 'version');
}

export async function children(a: MlopsStudioApi, model: string): Promise<TreeElement[]> {
  const m = (await models(a)).find((e) => e.name === model);
  return m ? a.treeChildren(m) : [];
}

/** Waits until the Models tree (as VS Code would read it) satisfies `check`. */
export async function waitForTree<T>(what: string, check: () => Promise<T>, timeoutMs = 5000): Promise<NonNullable<T>> {
  return waitFor(`the Models tree to show ${what}`, check, timeoutMs);
}

export async function showModelsView(): Promise<void> {
  await vscode.commands.executeCommand('workbench.view.extension.mlops');
}

/**
 * Waits until the Models tree has not refreshed for `quietMs`: a row a user right-clicks during a
 * refresh has no element behind it yet, as in real life, so a test clicks once the view settled.
 */
export async function treeSettled(a: MlopsStudioApi, quietMs = 400, timeoutMs = 5000): Promise<void> {
  let last = Date.now();
  const sub = a.onDidRefreshTree(() => (last = Date.now()));
  try {
    await waitFor('the Models tree to settle', () => Date.now() - last >= quietMs, timeoutMs);
  } finally {
    sub.dispose();
  }
}
