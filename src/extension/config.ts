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

/** The `mlops.serving.*` settings, for Serve Locally (read when an endpoint starts). */
export interface ServingConfig {
  /** 0 = any free port. */
  port: number;
  maxBatchSize: number;
  maxQueueDelayMs: number;
  /** Share of answered requests written to the prediction log, 0..1 (0 = off). */
  logPredictions: number;
  /** Inference worker threads per endpoint; 0 = the runtime's default. */
  workers: number;
}

const intIn = (v: unknown, min: number, max: number, fallback: number) =>
  typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max ? v : fallback;

export function readServingConfig(): ServingConfig {
  const c = vscode.workspace.getConfiguration(SETTINGS_SECTION);
  const rate = c.get<unknown>(SETTINGS.servingLogPredictions, 1);
  const delay = c.get<unknown>(SETTINGS.servingMaxQueueDelayMs, 1);
  return {
    port: intIn(c.get<unknown>(SETTINGS.servingPort, 0), 0, 65535, 0),
    maxBatchSize: intIn(c.get<unknown>(SETTINGS.servingMaxBatchSize, 32), 1, 4096, 32),
    maxQueueDelayMs: typeof delay === 'number' && delay >= 0 && delay <= 1000 ? delay : 1,
    logPredictions: typeof rate === 'number' && rate >= 0 && rate <= 1 ? rate : 1,
    workers: intIn(c.get<unknown>(SETTINGS.servingWorkers, 0), 0, 64, 0),
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
