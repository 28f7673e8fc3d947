import path from 'node:path';
import * as vscode from 'vscode';
import { UserCancelled } from '../boundary';

/**
 * The drift commands' file dialogs, kept out of the commands (CONVENTIONS 2) so the commands never call
 * `window` directly. `pickDataFile` is the drift twin of the push command's model-file picker: when a
 * shared picker lands in src/extension/ui/, this file should call it.
 */
export const DATA_FILTERS = { 'Data files': ['csv', 'tsv', 'jsonl', 'ndjson', 'parquet'] };

/** One data file from an open dialog starting beside `near` (or in the workspace); Escape cancels quietly. */
export async function pickDataFile(title: string, near?: vscode.Uri): Promise<vscode.Uri> {
  const picked = await vscode.window.showOpenDialog({
    title,
    canSelectMany: false,
    filters: DATA_FILTERS,
    defaultUri: near ? vscode.Uri.file(path.dirname(near.fsPath)) : vscode.workspace.workspaceFolders?.[0]?.uri,
    openLabel: 'Select',
  });
  if (!picked?.[0]) throw new UserCancelled();
  return picked[0];
}

/** Where to save a report, or undefined when the user closes the dialog. */
export async function pickReportTarget(suggested: vscode.Uri, format: string): Promise<vscode.Uri | undefined> {
  return vscode.window.showSaveDialog({ defaultUri: suggested, filters: { Report: [format] } });
}

/** Opens a data file in the first editor column, as a preview. */
export async function openDataFile(uri: vscode.Uri): Promise<void> {
  await vscode.window.showTextDocument(uri, { viewColumn: vscode.ViewColumn.One, preview: true });
}

/** The file of the active editor, if any (Compare Drift With… from the editor title). */
export function activeEditorFile(): vscode.Uri | undefined {
  return vscode.window.activeTextEditor?.document.uri;
}
