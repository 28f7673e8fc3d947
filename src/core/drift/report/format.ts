import { formatBytes } from '../../util/format';
import { METHOD_LABELS } from '../methods';
import type { DriftResult, FeatureDrift } from '../result';

/** Number and sentence formats shared by the text, Markdown and HTML reports (and the panel). */

export function fmtScore(v: number | null): string {
  if (v === null) return '—';
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a < 1e-4 || a >= 1e6) return v.toExponential(2);
  return String(Number(v.toPrecision(3)));
}

export function fmtShare(v: number): string {
  return `${(v * 100).toFixed(v > 0 && v < 0.01 ? 2 : 0)}%`;
}

export function ruleText(f: Pick<FeatureDrift, 'rule' | 'threshold'>): string {
  return f.rule === '>=' ? `≥ ${f.threshold}` : f.rule === 'p<=' ? `p ≤ ${f.threshold}` : `p < ${f.threshold}`;
}

export function methodText(f: FeatureDrift): string {
  return METHOD_LABELS[f.method];
}

export function missingText(f: FeatureDrift): string {
  const share = (s: FeatureDrift['reference']) => (s.rows ? (s.missing + s.invalid) / s.rows : 0);
  return `${fmtShare(share(f.reference))} → ${fmtShare(share(f.current))}`;
}

export function verdictText(f: FeatureDrift): string {
  if (f.status === 'skipped') return 'skipped';
  return f.drifted ? 'DRIFT' : 'ok';
}

export function datasetSentence(r: DriftResult): string {
  const d = r.dataset;
  const head = d.drifted ? 'Dataset drift detected' : 'No dataset drift';
  const main = `${head}: ${d.driftedFeatures} of ${d.features} features drifted (${fmtShare(d.share)}; dataset drift at ${fmtShare(d.threshold)}).`;
  return d.notCompared.length ? `${main} ${notComparedSentence(r)}` : main;
}

/** Features that could not be compared, named (a gate fails on them: nothing says they did not drift). */
export function notComparedSentence(r: DriftResult): string {
  const n = r.dataset.notCompared;
  const list = n.length > 5 ? `${n.slice(0, 5).join(', ')} and ${n.length - 5} more` : n.join(', ');
  return `${n.length} feature${n.length === 1 ? '' : 's'} could not be compared (${list}).`;
}

/**
 * Why each feature that could not be compared was not ("a: reference: every value is missing"), at most
 * five: a failed gate says what to fix. A skipped feature's last note is its reason (feature.ts).
 */
export function notComparedReasons(r: DriftResult): string {
  const reasonOf = (name: string) => {
    const f = r.features.find((x) => x.name === name && x.status === 'skipped');
    if (f?.notes.length) return f.notes[f.notes.length - 1];
    return r.skipped
      .filter((x) => x.name === name)
      .map((x) => x.reason)
      .join(', ');
  };
  return r.dataset.notCompared
    .slice(0, 5)
    .map((name) => `${name}: ${reasonOf(name) || 'not compared'}`)
    .join('; ');
}

export function datasetLine(d: DriftResult['reference']): string {
  return `${d.file} (${d.format}, ${d.rows.toLocaleString('en-US')} rows, ${formatBytes(d.bytes)})`;
}

/** An age or a lead in hours, or in days past two days: "5.0 hours", "98.6 days". */
export function fmtDuration(ms: number): string {
  const hours = ms / 3_600_000;
  return hours >= 48 ? `${(hours / 24).toFixed(1)} days` : `${hours.toFixed(1)} hours`;
}

export function stalenessSentence(r: DriftResult): string | undefined {
  const s = r.staleness;
  if (!s) return undefined;
  if (s.newest === null) return `Stale data: "${s.column}" has no timestamp at all (TTL ${s.ttl}).`;
  const ageMs = s.ageMs ?? 0;
  // A negative age is a clock or time-zone problem, not freshness: say so rather than "-8521154.0 hours old".
  if (ageMs < 0)
    return `Fresh data? The newest "${s.column}" is ${s.newest}, ${fmtDuration(-ageMs)} in the future (TTL ${s.ttl}).`;
  const age = fmtDuration(ageMs);
  return s.stale
    ? `Stale data: the newest "${s.column}" is ${s.newest}, ${age} old — older than the TTL of ${s.ttl}.`
    : `Fresh data: the newest "${s.column}" is ${s.newest}, ${age} old (TTL ${s.ttl}).`;
}

/** Features sorted for reports: drifted first, then by how far past the threshold they are. */
export function sortedFeatures(r: DriftResult): FeatureDrift[] {
  return [...r.features].sort((a, b) => Number(b.drifted) - Number(a.drifted) || a.name.localeCompare(b.name));
}
