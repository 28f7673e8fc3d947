import { existsSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { MlopsError } from '../../core/errors';
import { registerCommand } from '../boundary';
import type { Deps } from '../commands/deps';
import { targetVersion } from '../commands/target';
import { COMMANDS } from '../ids';
import { pickOne } from '../ui/prompt';
import { driftPanelSerializer, DRIFT_VIEW_TYPE, openDriftPanel, type DriftSubject } from './driftPanel';
import { activeEditorFile, pickDataFile } from './fileDialogs';
import { registerPanelSerializer } from '../panelSerializers';

/** Files given up front (tests, other extensions), like the other commands' answers argument. */
interface DriftFiles {
  reference?: vscode.Uri;
  current?: vscode.Uri;
}

const asUri = (x: unknown): vscode.Uri | undefined => (x instanceof vscode.Uri ? x : undefined);

/** Workspace state: the current-data file last chosen per model version ("name@version" -> fsPath). */
export const CURRENT_DATA_KEY = 'mlops.drift.currentData';

/**
 * The drift commands and the panel serializer (a panel survives a window reload):
 * - Compare Data Drift… (palette) asks for the reference, then the current file;
 * - Compare Drift With… (Explorer context menu on a data file) takes the clicked file as the reference;
 * - Show Drift (a model version) uses its `reference_data` tag, and `current_data` when it has one, else
 *   the file last chosen for that version (offered first), else asks and remembers the answer.
 */
export function registerDriftCommands(context: vscode.ExtensionContext, d: Deps): vscode.Disposable[] {
  const open = (reference: vscode.Uri, current: vscode.Uri, model?: DriftSubject) => {
    openDriftPanel(context, reference, current, d.log, undefined, model);
    return { reference: reference.toString(), current: current.toString() };
  };
  const remembered = () => context.workspaceState.get<Record<string, string>>(CURRENT_DATA_KEY) ?? {};
  const remember = (key: string, uri: vscode.Uri) =>
    context.workspaceState.update(CURRENT_DATA_KEY, { ...remembered(), [key]: uri.fsPath });

  /** The current data for a version without a `current_data` tag: the last one chosen, or a new pick. */
  const currentFor = async (key: string, title: string, reference: vscode.Uri): Promise<vscode.Uri> => {
    const last = remembered()[key];
    if (last && existsSync(last)) {
      const choice = await pickOne(
        [
          { label: path.basename(last), description: `last used for ${key}`, detail: last, value: 'last' as const },
          { label: 'Choose another file…', value: 'other' as const },
        ],
        { title },
      );
      if (choice === 'last') return vscode.Uri.file(last);
    }
    const picked = await pickDataFile(title, reference);
    await remember(key, picked);
    return picked;
  };

  return [
    registerCommand(d.log, COMMANDS.driftCompare, async (files: DriftFiles = {}) => {
      const reference =
        asUri(files.reference) ?? (await pickDataFile('Drift: choose the REFERENCE data (e.g. the training set)'));
      const current =
        asUri(files.current) ?? (await pickDataFile('Drift: choose the CURRENT data to compare with it', reference));
      return open(reference, current);
    }),
    registerCommand(d.log, COMMANDS.driftCompareWith, async (clicked?: unknown, files: DriftFiles = {}) => {
      const reference =
        asUri(clicked) ?? activeEditorFile() ?? (await pickDataFile('Drift: choose the REFERENCE data'));
      const current =
        asUri(files.current) ??
        (await pickDataFile(`Compare drift of ${path.basename(reference.fsPath)} with…`, reference));
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
      const model: DriftSubject = { name: v.model, version: String(v.version) };
      const key = `${v.model}@${v.version}`;
      const reference = resolve(v.tags.reference_data);
      const given = asUri(files.current);
      if (given) await remember(key, given);
      const current =
        given ??
        (v.tags.current_data
          ? resolve(v.tags.current_data)
          : await currentFor(key, `Drift of ${v.model} v${v.version}: choose the CURRENT data`, reference));
      return open(reference, current, model);
    }),
    registerPanelSerializer(DRIFT_VIEW_TYPE, driftPanelSerializer(context, d.log)),
  ];
}
