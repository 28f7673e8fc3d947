import type * as vscode from 'vscode';
import { PREDICTIONS_DIR } from '../../core/serving/predlog/layout';
import { parseViewState } from '../../shared/latencyProtocol';
import type { EndpointManager } from './endpoints';
import { LatencyPanel, type LatencyPanelLog } from './latencyPanel';
import { predictionsRoot, restoredSubject } from './latencySubject';

/** The registry as it is when VS Code restores a panel (it may not open: then there is no log to read). */
export interface RegistryLocation {
  get(): Promise<{ kind: string; location: string }>;
}

/**
 * Restores Latency panels after a window reload from what their webview saved with setState
 * (webview/latency/main.ts keeps the `about` the host sends on `ready`). A version's panel shows its log
 * again; an endpoint's shows its model's log, since the endpoint stopped with the old window. A state
 * without `about` (the page never started) closes the panel: there is nothing to name in a message.
 */
export function latencyPanelSerializer(
  context: vscode.ExtensionContext,
  endpoints: EndpointManager,
  registry: RegistryLocation,
  log: LatencyPanelLog,
): vscode.WebviewPanelSerializer {
  return {
    async deserializeWebviewPanel(panel, state) {
      const about = parseViewState(state)?.about;
      if (!about) {
        panel.dispose();
        return;
      }
      let root: string | undefined;
      try {
        root = predictionsRoot(await registry.get(), PREDICTIONS_DIR);
      } catch (e) {
        // The panel says there is no log to read; the Models view says why the registry does not open.
        log.error('restore latency panel', e);
      }
      LatencyPanel.restore(panel, restoredSubject(about, root), { context, endpoints, log });
    },
  };
}
