import type { ColumnType, DataFormat } from './types';

/**
 * The one result shape of a drift run: plain JSON, rendered by the CLI (table / json / md / html), the
 * drift panel and alerts. Numbers that do not apply are null (JSON has no NaN).
 */
export const RESULT_VERSION = 1;

export type DriftMethod = 'ks' | 'chisquare' | 'ztest' | 'wasserstein' | 'jensenshannon' | 'psi';
export const DRIFT_METHODS: readonly DriftMethod[] = [
  'ks',
  'chisquare',
  'ztest',
  'wasserstein',
  'jensenshannon',
  'psi',
];

/** How `score` is compared with `threshold` to call drift. */
export type DriftRule = 'p<=' | 'p<' | '>=';

export type PsiLevel = 'none' | 'moderate' | 'significant';

export type FeatureHistogram =
  | { kind: 'numeric'; edges: number[]; reference: number[]; current: number[] }
  | { kind: 'categorical'; categories: string[]; reference: number[]; current: number[]; otherCategories: number };

/** One side (reference or current) of a feature. */
export interface SideSummary {
  rows: number;
  /** Values compared (rows minus missing and invalid). */
  count: number;
  missing: number;
  invalid: number;
  invalidExample?: { value: string; line?: number; column?: number; row?: number };
  unique: number;
  mean?: number | null;
  std?: number | null;
  min?: number | null;
  max?: number | null;
}

export interface FeatureDrift {
  name: string;
  type: ColumnType;
  method: DriftMethod;
  /** Why this method: the default rule that picked it, or "set in the configuration". */
  methodReason: string;
  status: 'compared' | 'skipped';
  statistic: number | null;
  pValue: number | null;
  /** The number compared with the threshold: the p-value for tests, the distance otherwise. */
  score: number | null;
  threshold: number;
  rule: DriftRule;
  drifted: boolean;
  psi: number | null;
  psiLevel: PsiLevel;
  reference: SideSummary;
  current: SideSummary;
  histogram: FeatureHistogram | null;
  notes: string[];
}

export interface DatasetInfo {
  file: string;
  format: DataFormat;
  rows: number;
  bytes: number;
  columns: string[];
}

export interface WindowInfo {
  label: string;
  /** ISO times for time windows; null for row windows. */
  start: string | null;
  end: string | null;
  rows: number;
  driftedFeatures: number;
  share: number | null;
  drifted: boolean;
}

export interface WindowedDrift {
  by: 'time' | 'rows';
  size: string;
  timestamp: string | null;
  /** Current rows with no timestamp, which fall in no window. */
  rowsWithoutTimestamp: number;
  windows: WindowInfo[];
  features: {
    name: string;
    method: DriftMethod;
    rule: DriftRule;
    threshold: number;
    scores: (number | null)[];
    drifted: boolean[];
  }[];
}

export interface Staleness {
  column: string;
  newest: string | null;
  now: string;
  ageMs: number | null;
  ttl: string;
  ttlMs: number;
  stale: boolean;
}

export interface DriftResult {
  version: typeof RESULT_VERSION;
  generatedAt: string;
  durationMs: number;
  reference: DatasetInfo;
  current: DatasetInfo;
  settings: { driftShare: number; bins: number; smallReference: number; thresholds: Record<DriftMethod, number> };
  dataset: {
    drifted: boolean;
    driftedFeatures: number;
    features: number;
    share: number;
    threshold: number;
    /**
     * Features with reference values that could not be compared: every current value missing or
     * invalid, or values whose spread overflows. `--fail-on-drift` fails on them (exit 3).
     */
    notCompared: string[];
  };
  features: FeatureDrift[];
  skipped: { name: string; reason: string }[];
  notes: string[];
  windows: WindowedDrift | null;
  staleness: Staleness | null;
}

export const PSI_MODERATE = 0.1;
export const PSI_SIGNIFICANT = 0.25;

export function psiLevel(psi: number | null): PsiLevel {
  if (psi === null || !(psi >= PSI_MODERATE)) return 'none';
  return psi >= PSI_SIGNIFICANT ? 'significant' : 'moderate';
}

/** JSON-safe number: NaN and infinities become null. */
export function num(v: number | undefined): number | null {
  return v === undefined || !Number.isFinite(v) ? null : v;
}
