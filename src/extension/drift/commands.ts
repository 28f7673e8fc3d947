import path from 'node:path';
import * as vscode from 'vscode';
import { MlopsError } from '../../core/errors';
import { registerCommand, UserCancelled } from '../boundary';
import type { Deps } from '../commands/deps';
import { targetVersion } from '../commands/target';
import { COMMANDS } from '../ids';
import { driftPanelSerializer, DRIFT_VIEW_TYPE, openDriftPanel } from './driftPanel';

const DATA_FILTERS = { 'Data files': ['csv', 'tsv', 'jsonl', 'ndjson', 'parquet'] };

async function pickFile(title: string, near?: vscode.Uri): Promise<vscode.Uri> {
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

/** Files given up front (tests, other extensions), like the other commands' answers argument. */
interface DriftFiles {
  reference?: vscode.Uri;
  current?: vscode.Uri;
}

const asUri = (x: unknown): vscode.Uri | undefined => (x instanceof vscode.Uri ? x : undefined);

/**
 * The drift commands and the panel serializer (a panel survives a window reload):
 * - Compare Data Drift… (palette) asks for the reference, then the current file;
 * - Compare Drift With… (Explorer context menu on a data file) takes the clicked file as the reference;
 * - Show Drift (a model version) uses its `reference_data` tag, and `current_data` when it has one.
 */
export function registerDriftCommands(context: vscode.ExtensionContext, d: Deps): vscode.Disposable[] {
  const open = (reference: vscode.Uri, current: vscode.Uri) => {
    openDriftPanel(context, reference, current, d.log);
    return { reference: reference.toString(), current: current.toString() };
  };
  return [
    registerCommand(d.log, COMMANDS.driftCompare, async (files: DriftFiles = {}) => {
      const reference =
        asUri(files.reference) ?? (await pickFile('Drift: choose the REFERENCE data (e.g. the training set)'));
      const current =
        asUri(files.current) ?? (await pickFile('Drift: choose the CURRENT data to compare with it', reference));
      return open(reference, current);
    }),
    registerCommand(d.log, COMMANDS.driftCompareWith, async (clicked?: unknown, files: DriftFiles = {}) => {
      const reference =
        asUri(clicked) ??
        vscode.window.activeTextEditor?.document.uri ??
        (await pickFile('Drift: choose the REFERENCE data'));
      const current =
        asUri(files.current) ??
        (await pickFile(`Compare drift of ${path.basename(reference.fsPath)} with…`, reference));
      return open(reference, current);
    }),
    registerCommand(d.log, COMMANDS.showDrift, async (arg?: unknown, files: DriftFiles = {}) => {
      const reg = await d.service.get();
      const v = await targetVersion(reg, arg, 'Show Drift', true);
      const root = vscode.workspace.workspaceFolders?.[0]?.uri;
      const resolve = (p: string) => (path.isAbsolute(p) || !root ? vscode.Uri.file(p) : vscode.Uri.joinPath(root, p));
      if (!v.tags.reference_data) {
        throw new MlopsError(
          'INVALID_STATE',
          `${v.model} v${v.version} has no "reference_data" tag naming its training data.`,
          `Push it with --tag reference_data=<file>, or run "MLOps: Compare Data Drift…" and pick the files.`,
        );
      }
      const reference = resolve(v.tags.reference_data);
      const current =
        asUri(files.current) ??
        (v.tags.current_data
          ? resolve(v.tags.current_data)
          : await pickFile(`Drift of ${v.model} v${v.version}: choose the CURRENT data`, reference));
      return open(reference, current);
    }),
    vscode.window.registerWebviewPanelSerializer(DRIFT_VIEW_TYPE, driftPanelSerializer(context, d.log)),
  ];
}
