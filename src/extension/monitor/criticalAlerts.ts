import * as vscode from 'vscode';
import type { Evaluation, MonitorSpec } from '../../core/monitor/types';
import { COMMANDS } from '../ids';
import { showError } from '../ui/toast';
import { type AlertAction, alertActions, alertMessage, criticalChanges } from './monitorRows';

/** A Critical notification as shown, for the exported API (tests run its actions' commands). */
export interface MonitorAlert {
  monitor: string;
  at: string;
  message: string;
  actions: AlertAction[];
}

const IDS = { showDrift: COMMANDS.monitorShowDrift, retrain: COMMANDS.retrain, rollback: COMMANDS.rollback };

/**
 * One notification per monitor that turned Critical, with Show Drift, Retrain and Roll Back. Evaluations
 * come from Run Monitors here and from the history file (`mlops monitor --watch` in a terminal, cron); each
 * is announced once, and nothing older than this window is (a reload does not replay old alerts).
 */
export class CriticalAlerts {
  private readonly seen = new Set<string>();
  private readonly since = Date.now();
  readonly shown: MonitorAlert[] = [];

  notify(evaluations: readonly Evaluation[], specs: readonly MonitorSpec[]): MonitorAlert[] {
    const out: MonitorAlert[] = [];
    for (const e of criticalChanges(evaluations)) {
      const key = `${e.monitor}|${e.at}`;
      // A few seconds of slack: the history line of a run that began just before activation still counts.
      if (this.seen.has(key) || Date.parse(e.at) < this.since - 5000) continue;
      this.seen.add(key);
      const m = specs.find((s) => s.name === e.monitor);
      const actions = m ? alertActions(m, IDS) : [];
      const alert: MonitorAlert = { monitor: e.monitor, at: e.at, message: alertMessage(e), actions };
      this.shown.push(alert);
      out.push(alert);
      void showError(
        alert.message,
        ...actions.map((a) => ({ title: a.title, run: () => vscode.commands.executeCommand(a.command, ...a.args) })),
      );
    }
    return out;
  }
}
