import { hasFields, isArrayOf, isBoolean, isNullableNumber, isNumber, isRecord, isString, oneOf } from './validate';

/**
 * The one contract between the check history panel (webview/monitor) and its host
 * (src/extension/monitor/historyPanel.ts): a check's value over the monitor history with its warning and
 * critical thresholds. One union per direction, validated on receipt by both sides; the webview posts
 * `ready` when its script has started and the host then (re)sends its latest state.
 */
export const MONITOR_PROTOCOL = 1;

export type MonitorLevel = 'ok' | 'warning' | 'critical' | 'nodata';
const isLevel = oneOf<MonitorLevel>('ok', 'warning', 'critical', 'nodata');

export interface HistorySubject {
  monitor: string;
  model: string;
  check: string;
  unit: string;
}

export interface HistoryThresholds {
  warning: number | null;
  critical: number | null;
  /** A floor (accuracy, AUC): values below the line breach. */
  lowerIsWorse: boolean;
}

export interface HistoryPointMsg {
  /** ISO time of the evaluation. */
  at: string;
  value: number | null;
  state: MonitorLevel;
}

export type HostToWebview =
  | {
      type: 'history';
      subject: HistorySubject;
      thresholds: HistoryThresholds;
      points: HistoryPointMsg[];
      /** The data the last evaluation looked at, in words. */
      window: string;
    }
  | { type: 'error'; subject: HistorySubject; message: string };

export type WebviewToHost =
  | { type: 'ready'; protocol: typeof MONITOR_PROTOCOL }
  | { type: 'refresh' }
  /** After drawing: how many points carry a value (the host knows what the user sees). */
  | { type: 'rendered'; points: number };

/** What the webview keeps with setState. */
export interface MonitorViewState {
  protocol: typeof MONITOR_PROTOCOL;
  subject: HistorySubject | null;
}

/** A value in its unit, as the view, the notification and the chart show it: shares read as percentages. */
export function formatValue(v: number | null, unit = ''): string {
  if (v === null) return 'n/a';
  if (unit === 'share') return `${Number((v * 100).toPrecision(4))}%`;
  return `${Number.isInteger(v) ? v : Number(v.toPrecision(4))}${unit ? ` ${unit}` : ''}`;
}

const isSubject = hasFields<HistorySubject>({ monitor: isString, model: isString, check: isString, unit: isString });
const isThresholds = hasFields<HistoryThresholds>({
  warning: isNullableNumber,
  critical: isNullableNumber,
  lowerIsWorse: isBoolean,
});
const isPoint = hasFields<HistoryPointMsg>({ at: isString, value: isNullableNumber, state: isLevel });

export function parseHostMessage(v: unknown): HostToWebview | undefined {
  if (!isRecord(v) || !isSubject(v.subject)) return undefined;
  switch (v.type) {
    case 'history':
      return isThresholds(v.thresholds) && isArrayOf(isPoint)(v.points) && isString(v.window)
        ? (v as HostToWebview)
        : undefined;
    case 'error':
      return isString(v.message) ? (v as HostToWebview) : undefined;
    default:
      return undefined;
  }
}

export function parseWebviewMessage(v: unknown): WebviewToHost | undefined {
  if (!isRecord(v)) return undefined;
  switch (v.type) {
    case 'ready':
      return v.protocol === MONITOR_PROTOCOL ? { type: 'ready', protocol: MONITOR_PROTOCOL } : undefined;
    case 'refresh':
      return { type: 'refresh' };
    case 'rendered':
      return isNumber(v.points) && Number.isInteger(v.points) && v.points >= 0
        ? { type: 'rendered', points: v.points }
        : undefined;
    default:
      return undefined;
  }
}

export function parseViewState(v: unknown): MonitorViewState | undefined {
  if (!isRecord(v) || v.protocol !== MONITOR_PROTOCOL) return undefined;
  return { protocol: MONITOR_PROTOCOL, subject: isSubject(v.subject) ? v.subject : null };
}
