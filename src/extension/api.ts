import type * as vscode from 'vscode';
import type { DriftPanelInfo } from './drift/driftPanel';
import type { RegistryState } from './ids';
import type { MonitorsApi } from './monitor/monitorCommands';
import type { LatencyPanelInfo } from './serving/latencyPanel';
import type { ServingPanelInfo } from './serving/servingPanel';
import type { TreeElement } from './tree/elements';

/**
 * What `activate` returns: a small read-only window on the extension's state, for other extensions and
 * for the integration suite (which drives everything else through commands and the UI).
 */
export interface MlopsStudioApi extends MonitorsApi {
  /** The Models view's state, as its welcome views see it. */
  registryState(): RegistryState;
  /** Why the registry cannot be read (the sentence the Models view shows), if it cannot. */
  problem(): string | undefined;
  /** The Models view's rows: the same data provider VS Code renders. */
  treeChildren(parent?: TreeElement): Promise<TreeElement[]>;
  /** A row as VS Code renders it (label, description, icon, context value, tooltip). */
  treeItem(element: TreeElement): vscode.TreeItem;
  /** Fires after the Models view was told to refresh (a registry change, a setting, a command). */
  onDidRefreshTree(listener: () => void): { dispose(): void };
  /** When the registry core (sql.js, ONNX reader) was loaded: undefined until first needed. */
  coreLoadedAt(): number | undefined;
  /** The open drift panels and what their webviews last drew. */
  driftPanels(): DriftPanelInfo[];
  /** The endpoints Serve Locally runs in this window (url as bound, on 127.0.0.1). */
  servingEndpoints(): { id: string; label: string; model: string; url: string; port: number; version: number | null }[];
  /** The serving status bar items' texts. */
  servingStatusBar(): string[];
  /** The open serving panels and what their webviews last drew. */
  servingPanels(): ServingPanelInfo[];
  /** The open Latency panels and what their webviews last drew. */
  latencyPanels(): LatencyPanelInfo[];
  /**
   * Hands a panel and the state its webview saved to the serializer registered for its view type, as VS
   * Code does when it restores panels after a window reload (drift, check history, latency).
   */
  restorePanel(viewType: string, panel: vscode.WebviewPanel, state: unknown): Promise<void>;
  /** Milliseconds activate() took. */
  activationMs: number;
}
