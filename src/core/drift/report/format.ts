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

export function datasetLine(d: DriftResult['reference']): string {
  return `${d.file} (${d.format}, ${d.rows.toLocaleString('en-US')} rows, ${formatBytes(d.bytes)})`;
}

export function stalenessSentence(r: DriftResult): string | undefined {
  const s = r.staleness;
  if (!s) return undefined;
  if (s.newest === null) return `Stale data: "${s.column}" has no timestamp at all (TTL ${s.ttl}).`;
  const hours = (s.ageMs ?? 0) / 3_600_000;
  const age = hours >= 48 ? `${(hours / 24).toFixed(1)} days` : `${hours.toFixed(1)} hours`;
  return s.stale
    ? `Stale data: the newest "${s.column}" is ${s.newest}, ${age} old — older than the TTL of ${s.ttl}.`
    : `Fresh data: the newest "${s.column}" is ${s.newest}, ${age} old (TTL ${s.ttl}).`;
}

/** Features sorted for reports: drifted first, then by how far past the threshold they are. */
export function sortedFeatures(r: DriftResult): FeatureDrift[] {
  return [...r.features].sort((a, b) => Number(b.drifted) - Number(a.drifted) || a.name.localeCompare(b.name));
}
