import * as vscode from 'vscode';
import { SETTINGS, SETTINGS_SECTION } from './ids';

/** Typed view of the `mlops.*` settings (CONVENTIONS 13); read fresh each time, so changes apply at once. */
export interface MlopsConfig {
  /** "" = `.mlops` at the workspace root; a folder path, file: URI or http(s):// MLflow URL. */
  registryUri: string;
  pageSize: number;
  showArchived: boolean;
  /** Metric shown in a version's row; "" = the first one. */
  keyMetric: string;
  promotionAliases: string[];
  /** Model whose serving version the status bar shows; "" hides the item. */
  statusBarModel: string;
}

export const DEFAULT_ALIASES = ['staging', 'production'];

export function readConfig(): MlopsConfig {
  const c = vscode.workspace.getConfiguration(SETTINGS_SECTION);
  const pageSize = c.get<number>(SETTINGS.pageSize, 50);
  const aliases = c.get<unknown>(SETTINGS.promotionAliases, DEFAULT_ALIASES);
  return {
    registryUri: (c.get<string>(SETTINGS.registryUri, '') ?? '').trim(),
    pageSize: Number.isInteger(pageSize) && pageSize > 0 ? Math.min(pageSize, 1000) : 50,
    showArchived: c.get<boolean>(SETTINGS.showArchived, false) === true,
    keyMetric: (c.get<string>(SETTINGS.keyMetric, '') ?? '').trim(),
    promotionAliases: Array.isArray(aliases)
      ? aliases.filter((a): a is string => typeof a === 'string' && a.trim() !== '').map((a) => a.trim())
      : DEFAULT_ALIASES,
    statusBarModel: (c.get<string>(SETTINGS.statusBarModel, '') ?? '').trim(),
  };
}

export function affects(e: vscode.ConfigurationChangeEvent, key: keyof typeof SETTINGS): boolean {
  return e.affectsConfiguration(`${SETTINGS_SECTION}.${SETTINGS[key]}`);
}

/** Writes a setting where the user would expect it: the workspace when a folder is open, else the user's. */
export async function writeSetting(key: keyof typeof SETTINGS, value: unknown): Promise<void> {
  const target = vscode.workspace.workspaceFolders?.length
    ? vscode.ConfigurationTarget.Workspace
    : vscode.ConfigurationTarget.Global;
  await vscode.workspace.getConfiguration(SETTINGS_SECTION).update(SETTINGS[key], value, target);
}
