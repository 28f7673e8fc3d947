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
}

export type WindowSpec = { by: 'time'; ms: number; label: string } | { by: 'rows'; rows: number; label: string };

export interface DriftSettings {
  driftShare: number;
  bins: number;
  smallReference: number;
  thresholds: Record<DriftMethod, number>;
  columns?: string[];
  timestamp?: string;
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
    if (Number(rows[1]) < 1)
      throw new MlopsError(
        'INVALID_ARGUMENT',
        `${what} "${text}" has no rows.`,
        'Use at least 1 row per window, e.g. 5000rows.',
      );
    return { by: 'rows', rows: Number(rows[1]), label: `${rows[1]} rows` };
  }
  try {
    const d = parseDuration(text, what);
    return { by: 'time', ms: d.ms, label: d.label };
  } catch {
    throw new MlopsError(
      'INVALID_ARGUMENT',
      `${what} "${text}" is neither a duration nor a row count.`,
      'Use 1h, 1d, 1w (time windows over --timestamp) or 5000rows (windows of N rows).',
    );
  }
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
  if (typeof n !== 'number' || !Number.isFinite(n) || n < 0) {
    throw new MlopsError(
      'INVALID_ARGUMENT',
      `${what}: "${String(v)}" is not a threshold.`,
      'Thresholds are numbers >= 0: a p-value such as 0.05, or a distance such as 0.1.',
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

/** Applies a `drift:` configuration object (parsed YAML/JSON) onto `base`. `source` names it in errors. */
export function applyDriftConfig(base: DriftSettings, config: unknown, source: string): DriftSettings {
  if (!isObj(config))
    throw new MlopsError(
      'INVALID_ARGUMENT',
      `${source}: "drift" must be a mapping.`,
      'See the README section "Drift" for the keys.',
    );
  const at = (k: string) => `${source}: drift.${k}`;
  checkKeys(
    config,
    ['drift_share', 'bins', 'small_reference', 'thresholds', 'timestamp', 'window', 'ttl', 'columns', 'features'],
    `${source}: drift`,
  );
  const s: DriftSettings = { ...base, thresholds: { ...base.thresholds }, features: { ...base.features } };
  if (config.drift_share !== undefined) {
    const v = Number(config.drift_share);
    if (!(v > 0 && v <= 1))
      throw new MlopsError(
        'INVALID_ARGUMENT',
        `${at('drift_share')} must be a share in (0, 1].`,
        'For example 0.5: dataset drift when half of the features drift.',
      );
    s.driftShare = v;
  }
  if (config.bins !== undefined) s.bins = positiveInt(config.bins, at('bins'));
  if (config.small_reference !== undefined)
    s.smallReference = positiveInt(config.small_reference, at('small_reference'));
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
  if (config.timestamp !== undefined) s.timestamp = String(config.timestamp);
  if (config.window !== undefined) s.window = parseWindow(String(config.window), at('window'));
  if (config.ttl !== undefined) s.ttl = parseDuration(String(config.ttl), at('ttl'));
  if (config.columns !== undefined) {
    if (!Array.isArray(config.columns))
      throw new MlopsError(
        'INVALID_ARGUMENT',
        `${at('columns')} must be a list of column names.`,
        'For example columns: [age, income].',
      );
    s.columns = config.columns.map(String);
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
      const o: FeatureOverride = { ...s.features[name] };
      if (f.type !== undefined) o.type = parseColumnType(String(f.type), `${w}.type`);
      if (f.method !== undefined) o.method = parseMethod(String(f.method), `${w}.method`);
      if (f.threshold !== undefined) o.threshold = parseThreshold(f.threshold, `${w}.threshold`);
      if (f.ignore !== undefined) o.ignore = f.ignore === true;
      s.features[name] = o;
    }
  }
  return s;
}

function positiveInt(v: unknown, what: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1)
    throw new MlopsError('INVALID_ARGUMENT', `${what} must be a whole number >= 1.`, `Got "${String(v)}".`);
  return n;
}
