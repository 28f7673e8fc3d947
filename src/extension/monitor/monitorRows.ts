import { formatValue } from '../../shared/monitorProtocol';
import type { CheckKind, CheckResult, Evaluation, Level, MonitorSpec, Position } from '../../core/monitor/types';

/**
 * What the Monitors view shows, as plain data built from mlops.yaml's monitors and the last evaluation of
 * each in the monitor history. Free of `vscode`, so the rows (and the state-change rule the Critical
 * notification follows) are tested with plain mocha; monitorsTree.ts only turns them into TreeItems.
 */
export interface CheckRow {
  monitor: string;
  kind: CheckKind;
  /** After the policy (`for:`); "No data" until the monitor was evaluated. */
  state: Level;
  value: number | null;
  /** The threshold the value was judged against (the one crossed, else the first configured). */
  threshold: number | null;
  warning: number | null;
  critical: number | null;
  lowerIsWorse: boolean;
  unit: string;
  message: string;
  pos: Position;
}

export interface MonitorRow {
  name: string;
  model: string;
  modelName: string;
  /** The watched alias (Roll Back moves it); none when a version number is watched. */
  alias: string | undefined;
  state: Level;
  /** When the last evaluation ran (ISO), or null when never. */
  at: string | null;
  /** The last evaluation's failure ("No data" with a reason). */
  error: string | undefined;
  /** The data the last evaluation looked at, in words. */
  window: string;
  hasRetrain: boolean;
  checks: CheckRow[];
  pos: Position;
}

/** One row per monitor of mlops.yaml, in file order, each with its checks and their last values. */
export function monitorRows(
  specs: readonly MonitorSpec[],
  last: (name: string) => Evaluation | undefined,
): MonitorRow[] {
  return specs.map((m) => {
    const e = last(m.name);
    const checks = m.checks.map((spec): CheckRow => {
      const r: CheckResult | undefined = e?.checks.find((c) => c.kind === spec.kind);
      return {
        monitor: m.name,
        kind: spec.kind,
        state: r?.state ?? 'nodata',
        value: r?.value ?? null,
        threshold: r?.threshold ?? spec.warning ?? spec.critical ?? null,
        warning: spec.warning ?? null,
        critical: spec.critical ?? null,
        lowerIsWorse: spec.lowerIsWorse,
        unit: r?.unit ?? '',
        message: r?.message ?? (e ? '' : 'not evaluated yet: Run Monitors'),
        pos: spec.pos,
      };
    });
    return {
      name: m.name,
      model: m.model,
      modelName: m.modelName,
      alias: m.alias,
      state: e?.state ?? 'nodata',
      at: e?.at ?? null,
      error: e?.error,
      window: dataWindow(m, e),
      hasRetrain: m.retrain !== undefined,
      checks,
      pos: m.pos,
    };
  });
}

/** The data window in words: the reference, and the current files or the prediction-log window. */
export function dataWindow(m: MonitorSpec, e: Evaluation | undefined): string {
  // What the evaluation recorded (histories written before it recorded a window: its first breach's).
  const seen = e?.window ?? e?.events[0]?.window;
  if (seen) {
    const span = seen.from && seen.to ? ` (${seen.from} – ${seen.to})` : '';
    return `reference ${seen.reference ?? 'n/a'} · current ${seen.current}${span}`;
  }
  const reference = m.reference?.join(', ') ?? 'the version’s reference_data tag';
  if (m.current.kind === 'files') return `reference ${reference} · current ${m.current.patterns.join(', ')}`;
  const to = e ? Date.parse(e.at) : undefined;
  const span =
    to !== undefined ? ` (${new Date(to - m.current.windowMs).toISOString()} – ${new Date(to).toISOString()})` : '';
  return `reference ${reference} · current: predictions of the last ${m.current.window}${span}`;
}

/** One formatting rule for the view, the notification and the chart (src/shared/monitorProtocol.ts). */
export const fmtValue = formatValue;

/** How a check breaches, in symbols: drift at or past its share, a floor below, the others above. */
export function breachOperator(c: Pick<CheckRow, 'kind' | 'lowerIsWorse'>): string {
  return c.lowerIsWorse ? '<' : c.kind === 'drift' ? '≥' : '>';
}

/** The check row's description: the last value against the threshold it is judged by. */
export function checkDescription(c: CheckRow): string {
  if (c.value === null) return c.message || 'no data';
  const t = c.threshold === null ? '' : ` · breach ${breachOperator(c)} ${fmtValue(c.threshold, c.unit)}`;
  return `${fmtValue(c.value, c.unit)}${t}`;
}

/**
 * The evaluations that just turned Critical: the Critical notification is for a state *change*, read from
 * the history (previousState), so running the monitors again while still Critical stays quiet, and so does
 * a window reload.
 */
export function criticalChanges(evaluations: readonly Evaluation[]): Evaluation[] {
  return evaluations.filter((e) => e.state === 'critical' && e.previousState !== 'critical');
}

/** A command the notification offers, with its arguments (so a test runs exactly what a click runs). */
export interface AlertAction {
  title: 'Show Drift' | 'Retrain' | 'Roll Back';
  command: string;
  args: unknown[];
}

/**
 * The actions of a monitor's Critical notification: Show Drift when it has a drift check, Retrain when
 * it has a retrain: section, Roll Back when it watches an alias.
 */
export function alertActions(
  m: Pick<MonitorSpec, 'name' | 'modelName' | 'alias' | 'checks' | 'retrain'>,
  ids: { showDrift: string; retrain: string; rollback: string },
): AlertAction[] {
  const out: AlertAction[] = [];
  if (m.checks.some((c) => c.kind === 'drift'))
    out.push({ title: 'Show Drift', command: ids.showDrift, args: [m.name] });
  if (m.retrain) out.push({ title: 'Retrain', command: ids.retrain, args: [m.name] });
  // Roll Back takes a model as `{ model }` (a bare string would be read as a models:/ URI).
  if (m.alias)
    out.push({ title: 'Roll Back', command: ids.rollback, args: [{ model: m.modelName }, { alias: m.alias }] });
  return out;
}

/** The sentence of the Critical notification: the monitor and its critical checks with their values. */
export function alertMessage(e: Evaluation): string {
  const crit = e.checks
    .filter((c) => c.state === 'critical')
    .map((c) => `${c.kind} ${fmtValue(c.value, c.unit)} (critical ${fmtValue(c.threshold, c.unit)})`);
  return `Monitor ${e.monitor} is Critical${crit.length ? `: ${crit.join(', ')}` : ''}.`;
}

/** One point of a check's history: when, the value, and the state it had then. */
export interface HistoryPoint {
  at: string;
  value: number | null;
  state: Level;
}

/** A check's values over the history, oldest first; an evaluation that failed is a gap (no data). */
export function checkSeries(history: readonly Evaluation[], kind: CheckKind): HistoryPoint[] {
  return history.map((e) => {
    const c = e.checks.find((x) => x.kind === kind);
    return { at: e.at, value: c?.value ?? null, state: c?.state ?? 'nodata' };
  });
}
