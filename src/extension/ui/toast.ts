import * as vscode from 'vscode';

/** Thin wrappers over window messages (CONVENTIONS 2): commands call these, never `window` directly. */

export interface Action {
  title: string;
  run: () => unknown;
}

/** Shows one sentence with actions; runs the one the user clicks. Resolves when the message closes. */
export async function showError(message: string, ...actions: Action[]): Promise<void> {
  const picked = await vscode.window.showErrorMessage(message, ...actions.map((a) => a.title));
  await actions.find((a) => a.title === picked)?.run();
}

export async function showWarning(message: string, ...actions: Action[]): Promise<void> {
  const picked = await vscode.window.showWarningMessage(message, ...actions.map((a) => a.title));
  await actions.find((a) => a.title === picked)?.run();
}

export function showInfo(message: string, ...actions: Action[]): void {
  // Not awaited: an information message must not hold the command open until it is dismissed.
  void vscode.window
    .showInformationMessage(message, ...actions.map((a) => a.title))
    .then((picked) => actions.find((a) => a.title === picked)?.run());
}

/** A modal yes/no; true only when the user pressed `confirm`. */
export async function confirmModal(message: string, detail: string, confirm: string): Promise<boolean> {
  const picked = await vscode.window.showWarningMessage(message, { modal: true, detail }, confirm);
  return picked === confirm;
}

/** A short note in the status bar that goes away by itself ("Copied models:/churn/3"). */
export function flashStatus(message: string, ms = 4000): void {
  vscode.window.setStatusBarMessage(message, ms);
}
