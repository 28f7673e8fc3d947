/**
 * The monitoring vocabulary: what mlops.yaml's `monitors:` section says (MonitorSpec), what one
 * evaluation finds (CheckResult, Evaluation), and what is kept in the monitor history.
 */

/** Where a value sits in mlops.yaml (1-based), for error messages and the editor's Problems. */
export interface Position {
  line: number;
  col: number;
}

export const CHECK_KINDS = ['drift', 'stale', 'missing', 'latency', 'error_rate', 'performance'] as const;
export type CheckKind = (typeof CHECK_KINDS)[number];

/** A check's level in one evaluation (raw), and a check's or monitor's state after the policy. */
export type Level = 'ok' | 'warning' | 'critical' | 'nodata';
/** Healthy / Warning / Critical / No data, as shown to people. */
export const STATE_LABEL: Record<Level, string> = {
  ok: 'Healthy',
  warning: 'Warning',
  critical: 'Critical',
  nodata: 'No data',
};

export interface CheckSpec {
  kind: CheckKind;
  /** Thresholds in the check's unit (share, ms, metric value); stale: milliseconds of age. */
  warning?: number;
  critical?: number;
  /** true when a lower value is worse (performance floors for accuracy / AUC). */
  lowerIsWorse: boolean;
  /** Consecutive evaluations at a level before the check takes it (Prometheus `for:`). Default 1. */
  for: number;
  /** After a breach event, no new event of the same or lower severity for this long. Default 0. */
  cooldownMs: number;
  options: Record<string, unknown>;
  pos: Position;
}

export type CurrentSpec =
  { kind: 'files'; patterns: string[] } | { kind: 'predictions'; windowMs: number; window: string; dir?: string };

export interface RetrainSpec {
  command: string;
  output: string;
  on: 'warning' | 'critical' | 'never';
  cooldownMs: number;
  timeoutMs: number;
  promote: { mode: 'manual' } | { mode: 'auto'; metric: string; minImprovement: number };
  pos: Position;
}

export interface MonitorSpec {
  /** Unique in the file: `name:` or the model URI. */
  name: string;
  /** models:/fraud@production */
  model: string;
  modelName: string;
  alias?: string;
  version?: number;
  reference?: string[];
  current: CurrentSpec;
  scheduleMs: number;
  webhook?: string;
  checks: CheckSpec[];
  retrain?: RetrainSpec;
  pos: Position;
  referencePos?: Position;
  currentPos?: Position;
}

export interface MonitorsFile {
  /** As named to the user (messages). */
  file: string;
  /** The absolute path (its `drift:` section is read from it too). */
  path: string;
  /** The folder of mlops.yaml: relative paths and retrain commands start there. */
  dir: string;
  monitors: MonitorSpec[];
}

/** What a check measured in one evaluation. */
export interface CheckResult {
  kind: CheckKind;
  /** The level the value alone gives (before `for:`). */
  raw: Level;
  /** The level after the policy (`for:` consecutive evaluations). */
  state: Level;
  value: number | null;
  /** The threshold crossed (or the critical one when none was). */
  threshold: number | null;
  unit: string;
  message: string;
  /** Why the check could not be measured (its state is then "No data"); the other checks still were. */
  error?: string;
  pos: Position;
}

/** A check entering a breach (warning or critical): what the webhook and the retrain trigger see. */
export interface BreachEvent {
  monitor: string;
  model: string;
  version: number | null;
  check: CheckKind;
  severity: 'warning' | 'critical';
  value: number | null;
  threshold: number | null;
  unit: string;
  message: string;
  /** The data the value was measured on. */
  window: DataWindow;
  at: string;
}

/** The data an evaluation looked at: the files (relative to mlops.yaml) or the prediction-log window. */
export interface DataWindow {
  reference?: string;
  current: string;
  from?: string;
  to?: string;
}

/** One line of the monitor history (.mlops/monitor/<model>.jsonl). */
export interface Evaluation {
  at: string;
  monitor: string;
  model: string;
  version: number | null;
  state: Level;
  previousState: Level | null;
  checks: CheckResult[];
  events: BreachEvent[];
  /** Events held back by a check's cool-down. */
  suppressed: number;
  /** The data it looked at (absent when it could not resolve any, and in histories written before). */
  window?: DataWindow;
  /** Why the monitor could not be evaluated at all (no check was measured); a check's own is in its result. */
  error?: string;
}
