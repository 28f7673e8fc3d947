import { countDistinctSorted, countDistinctUnionSorted } from '../stats/sort';
import { mean, stdDev } from '../stats/summary';
import type { DriftSettings, FeatureOverride } from './config';
import { chooseMethod, isDrifted, METHOD_LABELS, needsNumeric, ruleOf } from './methods';
import type { PreparedCategorical, PreparedNumeric } from './prepare';
import { type FeatureDrift, type FeatureHistogram, num, psiLevel, type SideSummary } from './result';
import { binnedShares, runTest, type Sample } from './statTests';
import type { ColumnType, InvalidValues } from './types';

/** Categories shown in a categorical histogram; the rest are summed as "other". */
const MAX_CATEGORIES_SHOWN = 20;

export type ComparableColumn = PreparedNumeric | PreparedCategorical;

export function sampleOf(c: ComparableColumn): Sample {
  if (c.type === 'numeric') return { kind: 'numeric', sorted: c.sorted };
  const counts = new Map<string, number>();
  let total = 0;
  c.dictionary.forEach((name, code) => {
    const n = c.counts[code];
    if (n > 0) {
      counts.set(name, (counts.get(name) ?? 0) + n);
      total += n;
    }
  });
  return { kind: 'categorical', counts, total };
}

/** A numeric sample compared with categories is compared as categories (its distinct values). */
function asCategories(s: Sample): Sample {
  if (s.kind === 'categorical') return s;
  const counts = new Map<string, number>();
  for (const v of s.sorted) counts.set(String(v), (counts.get(String(v)) ?? 0) + 1);
  return { kind: 'categorical', counts, total: s.sorted.length };
}

function summary(c: ComparableColumn, s: Sample): SideSummary {
  const out: SideSummary = {
    rows: c.rows,
    count: s.kind === 'numeric' ? s.sorted.length : s.total,
    missing: c.missing,
    invalid: c.invalid.count,
    unique: s.kind === 'numeric' ? countDistinctSorted(s.sorted) : s.counts.size,
  };
  if (c.invalid.example) out.invalidExample = c.invalid.example;
  if (s.kind === 'numeric') {
    out.mean = num(mean(s.sorted));
    out.std = num(stdDev(s.sorted));
    out.min = num(s.sorted[0]);
    out.max = num(s.sorted[s.sorted.length - 1]);
  }
  return out;
}

function histogramOf(ref: Sample, cur: Sample, bins: number): FeatureHistogram {
  const s = binnedShares(ref, cur, bins);
  if (s.edges) return { kind: 'numeric', edges: s.edges, reference: s.ref, current: s.cur };
  const order = s.keys.map((_, i) => i).sort((a, b) => Math.max(s.ref[b], s.cur[b]) - Math.max(s.ref[a], s.cur[a]));
  const shown = order.slice(0, MAX_CATEGORIES_SHOWN);
  const rest = order.slice(MAX_CATEGORIES_SHOWN);
  const categories = shown.map((i) => s.keys[i]);
  const reference = shown.map((i) => s.ref[i]);
  const current = shown.map((i) => s.cur[i]);
  if (rest.length) {
    categories.push(`(${rest.length} other)`);
    reference.push(rest.reduce((a, i) => a + s.ref[i], 0));
    current.push(rest.reduce((a, i) => a + s.cur[i], 0));
  }
  return { kind: 'categorical', categories, reference, current, otherCategories: rest.length };
}

const NOT_COMPARED = {
  status: 'skipped',
  statistic: null,
  pValue: null,
  score: null,
  drifted: false,
  psi: null,
  psiLevel: 'none',
  histogram: null,
} as const;

/** max - min over both sorted samples is a finite number (else every distance and bin is Infinity/NaN). */
function spreadIsFinite(a: Float64Array, b: Float64Array): boolean {
  return Number.isFinite(Math.max(a[a.length - 1], b[b.length - 1]) - Math.min(a[0], b[0]));
}

function placeOf(p: { line?: number; column?: number; row?: number }): string {
  if (p.line !== undefined) return ` at line ${p.line}${p.column !== undefined ? `, column ${p.column}` : ''}`;
  return p.row !== undefined ? ` in row ${p.row + 1}` : '';
}

/** "3 current values overflow a double (beyond ±1.8e308, e.g. "1e400" at line 2)". */
function overflowText(side: string, over: InvalidValues): string {
  const ex = over.example;
  const n = over.count;
  // A JSON number past the range is already Infinity when read: its place is known, its text is not.
  const shown = !ex
    ? ''
    : /^[+-]?Infinity$/.test(ex.value)
      ? `, first${placeOf(ex)}`
      : `, e.g. "${ex.value}"${placeOf(ex)}`;
  return `${n} ${side} value${n > 1 ? 's overflow' : ' overflows'} a double (beyond ±1.8e308${shown})`;
}

/**
 * Why one side has no value to compare. Values past a double are named as such: calling them missing
 * would send the user looking for empty cells that are not there.
 */
function emptyReason(side: string, s: SideSummary, col: ComparableColumn, type: ColumnType): string {
  if (col.overflow) {
    const rest = s.missing - col.overflow.count;
    return `no ${side} value can be compared: ${overflowText(side, col.overflow)}${rest > 0 ? `, ${rest} missing` : ''}${s.invalid > 0 ? `, ${s.invalid} not ${type}` : ''}`;
  }
  if (s.invalid > 0)
    return `no ${side} value is ${type} (${s.invalid} not ${type}${s.missing > 0 ? `, ${s.missing} missing` : ''})`;
  return `every ${side} value is missing`;
}

/** The method and threshold a feature gets: its override, else the default rule. */
export function resolveMethod(
  kind: 'numeric' | 'categorical',
  ref: Sample,
  cur: Sample,
  settings: DriftSettings,
  o: FeatureOverride | undefined,
) {
  const unique =
    ref.kind === 'numeric' && cur.kind === 'numeric'
      ? countDistinctUnionSorted(ref.sorted, cur.sorted)
      : new Set([...asCategoriesKeys(ref), ...asCategoriesKeys(cur)]).size;
  const auto = chooseMethod(
    kind,
    ref.kind === 'numeric' ? ref.sorted.length : ref.total,
    unique,
    settings.smallReference,
  );
  const method = o?.method ?? auto.method;
  const reason = o?.method ? `set in the configuration (default: ${METHOD_LABELS[auto.method]})` : auto.reason;
  const threshold = o?.threshold ?? settings.thresholds[method];
  return { method, reason, threshold, rule: ruleOf(method) };
}

function asCategoriesKeys(s: Sample): Iterable<string> {
  return s.kind === 'categorical' ? s.counts.keys() : new Set(Array.from(s.sorted, String));
}

/** The two samples in one shape: a numeric sample next to categories becomes categories. */
export function comparable(a: Sample, b: Sample): [Sample, Sample] {
  return a.kind === b.kind ? [a, b] : [asCategories(a), asCategories(b)];
}

/** Compares one feature present in both datasets. */
export function compareFeature(
  refCol: ComparableColumn,
  curCol: ComparableColumn,
  settings: DriftSettings,
): FeatureDrift {
  const o = settings.features[refCol.name];
  const notes: string[] = [];
  let ref = sampleOf(refCol);
  let cur = sampleOf(curCol);
  let type: ColumnType = refCol.type === curCol.type ? refCol.type : 'categorical';
  if (ref.kind !== cur.kind) {
    notes.push(
      `numeric in one file and text in the other (${refCol.type} in the reference, ${curCol.type} in the current data): compared as categories`,
    );
    ref = asCategories(ref);
    cur = asCategories(cur);
    type = 'categorical';
  }
  const kind = ref.kind;
  const refSummary = summary(refCol, ref);
  const curSummary = summary(curCol, cur);
  for (const [side, s, col] of [
    ['reference', refSummary, refCol],
    ['current', curSummary, curCol],
  ] as const) {
    const over = col.overflow;
    if (over && s.count > 0)
      notes.push(`${overflowText(side, over)} and ${over.count > 1 ? 'were' : 'was'} left out like missing values`);
    if (s.invalid > 0) {
      const ex = s.invalidExample;
      const at = ex ? placeOf(ex) : '';
      notes.push(
        `${s.invalid} ${side} value${s.invalid > 1 ? 's are' : ' is'} not ${type} (e.g. "${ex?.value ?? ''}"${at}) and ${s.invalid > 1 ? 'were' : 'was'} left out like missing values`,
      );
    }
  }
  const { method, reason, threshold, rule } = resolveMethod(kind, ref, cur, settings, o);
  const base = {
    name: refCol.name,
    type,
    method,
    methodReason: reason,
    threshold,
    rule,
    reference: refSummary,
    current: curSummary,
    notes,
  };
  if (refSummary.count === 0 || curSummary.count === 0) {
    const [which, s, col] =
      refSummary.count === 0
        ? (['reference', refSummary, refCol] as const)
        : (['current', curSummary, curCol] as const);
    notes.push(`${emptyReason(which, s, col, type)}: nothing to compare`);
    return { ...base, ...NOT_COMPARED };
  }
  if (ref.kind === 'numeric' && cur.kind === 'numeric' && !spreadIsFinite(ref.sorted, cur.sorted)) {
    notes.push(
      'the values span more than the largest double (about 1.8e308) from smallest to largest: not comparable (rescale the feature)',
    );
    return { ...base, ...NOT_COMPARED };
  }
  if (needsNumeric(method) && kind !== 'numeric') {
    notes.push(
      `${METHOD_LABELS[method]} needs numbers; "${refCol.name}" is ${type}: compared with chi-squared / Jensen–Shannon instead`,
    );
    const fallback = resolveMethod(kind, ref, cur, settings, undefined);
    return finishFeature({ ...base, ...fallback }, ref, cur, settings.bins);
  }
  return finishFeature(base, ref, cur, settings.bins);
}

function finishFeature(
  base: Omit<FeatureDrift, 'status' | 'statistic' | 'pValue' | 'score' | 'drifted' | 'psi' | 'psiLevel' | 'histogram'>,
  ref: Sample,
  cur: Sample,
  bins: number,
): FeatureDrift {
  const r = runTest(base.method, ref, cur, bins);
  const psiValue = base.method === 'psi' ? r.score : runTest('psi', ref, cur, bins).score;
  return {
    ...base,
    status: 'compared',
    statistic: num(r.statistic ?? undefined),
    pValue: r.pValue === null ? null : num(r.pValue),
    score: num(r.score),
    drifted: isDrifted(base.rule, r.score, base.threshold),
    psi: num(psiValue),
    psiLevel: psiLevel(psiValue),
    histogram: histogramOf(ref, cur, bins),
  };
}
