import type { DriftResult } from '../result';
import {
  datasetLine,
  datasetSentence,
  fmtScore,
  fmtShare,
  methodText,
  missingText,
  ruleText,
  sortedFeatures,
  stalenessSentence,
  verdictText,
} from './format';

function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}

/** The terminal report: verdict first, then one line per feature. */
export function renderText(r: DriftResult): string {
  const out = [`Reference: ${datasetLine(r.reference)}`, `Current:   ${datasetLine(r.current)}`, ''];
  out.push(
    table(
      ['feature', 'type', 'method', 'score', 'drift when', 'verdict', 'PSI', 'missing'],
      sortedFeatures(r).map((f) => [
        f.name,
        f.type,
        methodText(f),
        fmtScore(f.score),
        ruleText(f),
        verdictText(f),
        `${fmtScore(f.psi)}${f.psiLevel === 'none' ? '' : ` (${f.psiLevel})`}`,
        missingText(f),
      ]),
    ),
  );
  out.push('', datasetSentence(r));
  const stale = stalenessSentence(r);
  if (stale) out.push(stale);
  if (r.windows) {
    out.push('', `Drift per window (${r.windows.size}${r.windows.timestamp ? ` of "${r.windows.timestamp}"` : ''}):`);
    out.push(
      table(
        ['window', 'rows', 'drifted features', 'verdict'],
        r.windows.windows.map((w) => [
          w.label,
          String(w.rows),
          w.share === null ? '—' : `${w.driftedFeatures} (${fmtShare(w.share)})`,
          w.share === null ? 'no data' : w.drifted ? 'DRIFT' : 'ok',
        ]),
      ),
    );
  }
  if (r.skipped.length) out.push('', `Not compared: ${r.skipped.map((s) => `${s.name} (${s.reason})`).join('; ')}.`);
  for (const n of r.notes) out.push(`Note: ${n}`);
  return out.join('\n');
}
