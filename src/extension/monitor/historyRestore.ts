import type * as vscode from 'vscode';
import { MlopsError } from '../../core/errors';
import { type HistorySubject, parseViewState } from '../../shared/monitorProtocol';
import { CheckHistoryPanel, type CheckHistorySource, type PanelContext } from './historyPanel';
import { CONFIG_FILE, loadMonitorCore, monitorWorkspace } from './loadMonitorCore';
import { loadProject } from './monitorLookup';

interface PanelLog {
  info(msg: string): void;
  error(scope: string, e: unknown): void;
}

/**
 * The monitor and check a restored history panel showed, found by name in mlops.yaml as it is now. Only
 * the exact monitor name counts (not a model name, no picker): a panel must not silently show another one.
 */
export async function findCheckHistorySource(subject: HistorySubject): Promise<CheckHistorySource> {
  const project = await loadProject();
  const monitor = project.monitors.find((m) => m.name === subject.monitor);
  if (!monitor)
    throw new MlopsError(
      'NOT_FOUND',
      `The monitor "${subject.monitor}" is no longer in ${CONFIG_FILE}, so its ${subject.check} history cannot be shown.`,
      `Close this panel, or add the monitor back to ${CONFIG_FILE} and press Refresh.`,
    );
  const check = monitor.checks.find((k) => k.kind === subject.check);
  if (!check)
    throw new MlopsError(
      'NOT_FOUND',
      `The monitor "${monitor.name}" no longer has a ${subject.check} check in ${CONFIG_FILE}.`,
      `Its checks: ${monitor.checks.map((k) => k.kind).join(', ') || 'none'}. Open one from the Monitors view, or add the check back and press Refresh.`,
    );
  return { monitor, check, monitorDir: monitorWorkspace(await loadMonitorCore(), project.dir).monitorDir };
}

/**
 * Restores check history panels after a window reload from the subject their webview saved with setState
 * (webview/monitor/main.ts). A state without one (the page never drew) closes the panel: there is nothing
 * to name in a message.
 */
export function checkHistorySerializer(
  context: PanelContext,
  log: PanelLog,
  find = findCheckHistorySource,
): vscode.WebviewPanelSerializer {
  return {
    async deserializeWebviewPanel(panel, state) {
      const subject = parseViewState(state)?.subject;
      if (!subject) {
        panel.dispose();
        return;
      }
      CheckHistoryPanel.restore(panel, context, log, subject, find);
    },
  };
}
