import path from 'node:path';
import * as vscode from 'vscode';
import { UserCancelled } from '../boundary';

/**
 * The one file picker every command uses (CONVENTIONS 2): a single file, opened near `near` (its
 * folder) or else at the workspace root; Escape cancels the command quietly. Push Model Version… asks
 * for its ONNX file and training data with it; the drift commands ask for their data files with it.
 */
export async function pickFile(opts: {
  title: string;
  /** e.g. { 'ONNX models': ['onnx'] } */
  filters?: Record<string, string[]>;
  openLabel?: string;
  /** Open in this file's folder (the reference data's, the model's...). */
  near?: vscode.Uri;
}): Promise<vscode.Uri> {
  const picked = await vscode.window.showOpenDialog({
    title: opts.title,
    canSelectMany: false,
    filters: opts.filters,
    defaultUri: opts.near
      ? vscode.Uri.file(path.dirname(opts.near.fsPath))
      : vscode.workspace.workspaceFolders?.[0]?.uri,
    openLabel: opts.openLabel ?? 'Select',
  });
  if (!picked?.[0]) throw new UserCancelled();
  return picked[0];
}

/** A single folder (Select Registry…'s "Registry folder…"). */
export async function pickFolder(opts: { title: string; openLabel: string }): Promise<vscode.Uri> {
  const picked = await vscode.window.showOpenDialog({
    title: opts.title,
    canSelectFiles: false,
    canSelectFolders: true,
    canSelectMany: false,
    openLabel: opts.openLabel,
  });
  if (!picked?.[0]) throw new UserCancelled();
  return picked[0];
}

/** Data files the drift readers take (CSV, TSV, JSONL, Parquet), as a picker filter. */
export const DATA_FILE_FILTERS = { 'Data files': ['csv', 'tsv', 'jsonl', 'ndjson', 'parquet'] };
