import { MlopsError } from '../errors';
import { parseDuration } from '../util/duration';
import { DEFAULT_THRESHOLDS, SMALL_REFERENCE } from './methods';
import { DRIFT_METHODS, type DriftMethod } from './result';
import { COLUMN_TYPES, type ColumnType } from './types';

/**
 * Drift settings: the defaults, overridable per feature and per method. The same shape is read from
 * the `drift:` section of mlops.yaml (snake_case keys) and built from CLI flags:
 *
 *   drift:
 *     drift_share: 0.5        # dataset drift when this share of features drifts
 *     bins: 30                # bins for numeric PSI / Jensen-Shannon and the charts
 *     small_reference: 1000   # up to this many reference values the statistical tests are used
 *     thresholds: { wasserstein: 0.15 }          # per-method default thresholds
 *     timestamp: event_time   # for --window and --ttl
 *     window: 1d              # 30m, 6h, 1d, 1w ... or 5000rows
 *     ttl: 24h                # newest timestamp older than this: stale data
 *     columns: [age, income]  # compare only these
 *     features:
 *       age:     { method: ks, threshold: 0.01 }
 *       country: { type: categorical, method: psi, threshold: 0.2 }
 *       user_id: { ignore: true }
 */
export interface FeatureOverride {
  type?: ColumnType;
  method?: DriftMethod;
  threshold?: number;
  ignore?: boolean;
  /** Where it was set ("--threshold age", "mlops.yaml: drift.features.age"), for messages. */
  setBy?: string;
  /** Set by the workspace-wide section: a dataset without this column gets a note, not an error. */
  workspaceDefault?: boolean;
}

/** Bounds of the numeric settings: past them a run would take unbounded memory or time. */
export const LIMITS = {
  bins: 1000,
  smallReference: 1_000_000_000,
  windowRows: 1_000_000_000,
  /** Windows and the TTL: up to 100 years. */
  durationMs: 100 * 365.25 * 86_400_000,
  threshold: 1_000_000,
} as const;

export type WindowSpec = { by: 'time'; ms: number; label: string } | { by: 'rows'; rows: number; label: string };

export interface DriftSettings {
  driftShare: number;
  bins: number;
  smallReference: number;
  thresholds: Record<DriftMethod, number>;
  columns?: string[];
  timestamp?: string;
  /** The timestamp is the workspace-wide default: a dataset without that column has no windows / TTL. */
  timestampDefault?: boolean;
  /** Where the timestamp was set ("--timestamp", "mlops.yaml: drift.datasets.a.csv.timestamp"), for messages. */
  timestampSetBy?: string;
  window?: WindowSpec;
  ttl?: { ms: number; label: string };
  features: Record<string, FeatureOverride>;
}

export function defaultSettings(): DriftSettings {
  return {
    driftShare: 0.5,
    bins: 30,
    smallReference: SMALL_REFERENCE,
    thresholds: { ...DEFAULT_THRESHOLDS },
    features: {},
  };
}

/** "1d" (time windows) or "5000rows" / "5000r" (row windows). */
export function parseWindow(text: string, what = 'window'): WindowSpec {
  const rows = /^\s*(\d+)\s*(rows?|r)\s*$/.exec(text);
  if (rows) {
    const n = Number(rows[1]);
    if (n < 1 || n > LIMITS.windowRows)
      throw new MlopsError(
        'INVALID_ARGUMENT',
        n < 1 ? `${what} "${text}" has no rows.` : `${what} "${text}" is more than ${LIMITS.windowRows} rows.`,
        'Use 1 to 1000000000 rows per window, e.g. 5000rows.',
      );
    return { by: 'rows', rows: Number(rows[1]), label: `${rows[1]} rows` };
  }
  let d: { ms: number; label: string };
  try {
    d = parseDuration(text, what);
  } catch {
    throw new MlopsError(
      'INVALID_ARGUMENT',
      `${what} "${text}" is neither a duration nor a row count.`,
      'Use 1h, 1d, 1w (time windows over --timestamp) or 5000rows (windows of N rows).',
    );
  }
  return { by: 'time', ...boundedDuration(d, text, what) };
}

/** A duration of at most LIMITS.durationMs (a longer one would put window bounds outside any date). */
export function boundedDuration(d: { ms: number; label: string }, text: string, what: string) {
  if (d.ms > LIMITS.durationMs)
    throw new MlopsError(
      'INVALID_ARGUMENT',
      `${what} "${text}" is longer than 100 years.`,
      'Use a duration such as 1h, 1d, 1w or 52w.',
    );
  return d;
}

/** A TTL: a duration, bounded. */
export function parseTtl(text: string, what: string): { ms: number; label: string } {
  return boundedDuration(parseDuration(text, what), text, what);
}

export function parseMethod(text: string, what: string): DriftMethod {
  const aliases: Record<string, DriftMethod> = {
    chi2: 'chisquare',
    z: 'ztest',
    js: 'jensenshannon',
    wasserstein_norm: 'wasserstein',
    kolmogorov_smirnov: 'ks',
  };
  const m = (aliases[text] ?? text) as DriftMethod;
  if (!DRIFT_METHODS.includes(m)) {
    throw new MlopsError(
      'INVALID_ARGUMENT',
      `${what}: unknown method "${text}".`,
      `Methods: ${DRIFT_METHODS.join(', ')}.`,
    );
  }
  return m;
}

export function parseColumnType(text: string, what: string): ColumnType {
  if (!COLUMN_TYPES.includes(text as ColumnType)) {
    throw new MlopsError('INVALID_ARGUMENT', `${what}: unknown type "${text}".`, `Types: ${COLUMN_TYPES.join(', ')}.`);
  }
  return text as ColumnType;
}

export function parseThreshold(v: unknown, what: string): number {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isFinite(n) || n < 0 || n > LIMITS.threshold) {
    throw new MlopsError(
      'INVALID_ARGUMENT',
      `${what}: ${quoted(v)} is not a threshold.`,
      `Thresholds are numbers from 0 to ${LIMITS.threshold}: a p-value such as 0.05, or a distance such as 0.1.`,
    );
  }
  return n;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function checkKeys(o: Obj, allowed: string[], where: string): void {
  for (const k of Object.keys(o)) {
    if (!allowed.includes(k))
      throw new MlopsError('INVALID_ARGUMENT', `${where}: unknown key "${k}".`, `Allowed keys: ${allowed.join(', ')}.`);
  }
}

/** Keys of a drift section; `datasets` and `models` only at the top level of `drift:`. */
export const SECTION_KEYS = [
  'drift_share',
  'bins',
  'small_reference',
  'thresholds',
  'timestamp',
  'window',
  'ttl',
  'columns',
  'features',
] as const;

/**
 * Applies one `drift:` settings mapping (parsed YAML/JSON, or built from CLI flags) onto `base`.
 * `source` names it in errors ("mlops.yaml: drift", "mlops.yaml: drift.datasets.data/a.csv", "--bins").
 * `workspaceDefault` marks what it sets as defaults for every dataset (the top of mlops.yaml's section):
 * a timestamp or feature that a dataset does not have is then noted, not an error.
 */
export function applyDriftConfig(
  base: DriftSettings,
  config: unknown,
  source: string,
  opts: { workspaceDefault?: boolean; extraKeys?: readonly string[] } = {},
): DriftSettings {
  if (!isObj(config))
    throw new MlopsError(
      'INVALID_ARGUMENT',
      `${source} must be a mapping.`,
      'See the README section "Drift" for the keys.',
    );
  const at = (k: string) => `${source}.${k}`;
  checkKeys(config, [...SECTION_KEYS, ...(opts.extraKeys ?? [])], source);
  const s: DriftSettings = { ...base, thresholds: { ...base.thresholds }, features: { ...base.features } };
  if (config.drift_share !== undefined) s.driftShare = parseDriftShare(config.drift_share, at('drift_share'));
  if (config.bins !== undefined) s.bins = boundedInt(config.bins, at('bins'), LIMITS.bins);
  if (config.small_reference !== undefined)
    s.smallReference = boundedInt(config.small_reference, at('small_reference'), LIMITS.smallReference);
  if (config.thresholds !== undefined) {
    if (!isObj(config.thresholds))
      throw new MlopsError(
        'INVALID_ARGUMENT',
        `${at('thresholds')} must map methods to numbers.`,
        'For example thresholds: { ks: 0.01 }.',
      );
    for (const [m, v] of Object.entries(config.thresholds))
      s.thresholds[parseMethod(m, at('thresholds'))] = parseThreshold(v, at(`thresholds.${m}`));
  }
  if (config.timestamp !== undefined) {
    s.timestamp = scalarText(config.timestamp, at('timestamp'), 'a column name', 'For example timestamp: event_time.');
    s.timestampSetBy = at('timestamp');
    s.timestampDefault = opts.workspaceDefault === true;
  }
  if (config.window !== undefined)
    s.window = parseWindow(scalarText(config.window, at('window'), 'a window size', WINDOW_HINT), at('window'));
  if (config.ttl !== undefined)
    s.ttl = parseTtl(scalarText(config.ttl, at('ttl'), 'a duration', 'For example ttl: 24h.'), at('ttl'));
  if (config.columns !== undefined) {
    if (!Array.isArray(config.columns))
      throw new MlopsError(
        'INVALID_ARGUMENT',
        `${at('columns')} must be a list of column names.`,
        'For example columns: [age, income].',
      );
    s.columns = config.columns.map((c, i) =>
      scalarText(c, `${at('columns')}[${i}]`, 'a column name', 'For example columns: [age, income].'),
    );
  }
  if (config.features !== undefined) {
    if (!isObj(config.features))
      throw new MlopsError(
        'INVALID_ARGUMENT',
        `${at('features')} must map feature names to settings.`,
        'For example features: { age: { method: ks } }.',
      );
    for (const [name, f] of Object.entries(config.features)) {
      const w = at(`features.${name}`);
      if (!isObj(f))
        throw new MlopsError('INVALID_ARGUMENT', `${w} must be a mapping.`, 'Keys: type, method, threshold, ignore.');
      checkKeys(f, ['type', 'method', 'threshold', 'ignore'], w);
      const o: FeatureOverride = { ...s.features[name], setBy: w, workspaceDefault: opts.workspaceDefault === true };
      if (f.type !== undefined)
        o.type = parseColumnType(scalarText(f.type, `${w}.type`, 'a type', TYPES_HINT), `${w}.type`);
      if (f.method !== undefined)
        o.method = parseMethod(scalarText(f.method, `${w}.method`, 'a method name', METHODS_HINT), `${w}.method`);
      if (f.threshold !== undefined) o.threshold = parseThreshold(f.threshold, `${w}.threshold`);
      if (f.ignore !== undefined) o.ignore = parseBoolean(f.ignore, `${w}.ignore`);
      s.features[name] = o;
    }
  }
  return s;
}

const WINDOW_HINT = 'For example window: 1d (time windows) or window: 5000rows.';
const TYPES_HINT = `Types: ${COLUMN_TYPES.join(', ')}.`;
const METHODS_HINT = `Methods: ${DRIFT_METHODS.join(', ')}.`;

/** How a parsed YAML/JSON value is named in a type error ("a mapping", "a list", "true"). */
function describeValue(v: unknown): string {
  if (v === null) return 'nothing (null)';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return `${typeof v === 'string' ? `"${v}"` : String(v)} (${typeof v})`;
}

/** A value as quoted in messages: scalars as written ("2"), anything else by its kind (a mapping). */
function quoted(v: unknown): string {
  return typeof v === 'string' || typeof v === 'number' ? `"${String(v)}"` : describeValue(v);
}

/**
 * A setting written as text: a string, or a number (YAML reads `timestamp: 2024` or `window: 5000` as
 * numbers). A mapping, list, boolean or null is a type error naming the key, not "[object Object]".
 */
function scalarText(v: unknown, what: string, expected: string, hint: string): string {
  if (typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v))) return String(v);
  throw new MlopsError('INVALID_ARGUMENT', `${what} must be ${expected}, got ${describeValue(v)}.`, hint);
}

/** `ignore: true` / `false` only: "yes" or 1 would otherwise silently mean false. */
function parseBoolean(v: unknown, what: string): boolean {
  if (typeof v === 'boolean') return v;
  throw new MlopsError(
    'INVALID_ARGUMENT',
    `${what} must be true or false, got ${describeValue(v)}.`,
    'For example ignore: true (YAML true/false, not "yes" or 1).',
  );
}

export function parseDriftShare(v: unknown, what: string): number {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : typeof v === 'number' ? v : NaN;
  if (!(n > 0 && n <= 1))
    throw new MlopsError(
      'INVALID_ARGUMENT',
      `${what} must be a share in (0, 1], got ${quoted(v)}.`,
      'For example 0.5: dataset drift when half of the features drift.',
    );
  return n;
}

/** A whole number in [1, max]; "1e7" is a number too, so the bound is what keeps memory in check. */
export function boundedInt(v: unknown, what: string, max: number): number {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : typeof v === 'number' ? v : NaN;
  if (!Number.isInteger(n) || n < 1 || n > max)
    throw new MlopsError(
      'INVALID_ARGUMENT',
      `${what} must be a whole number from 1 to ${max}, got ${quoted(v)}.`,
      what.endsWith('bins') ? 'The default is 30 bins; 10 to 100 suit most data.' : undefined,
    );
  return n;
}
