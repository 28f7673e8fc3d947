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
} from './format';

/**
 * Text from the data (column names, file names, notes) in Markdown: `|` would end a table cell, and `<`,
 * `>`, `&` would be read as HTML by a PR comment or chat renderer (a column named `<script>` or `<!--`).
 * Such text is never put in a code span (where entities show as written); a backtick is escaped so it
 * cannot open one.
 */
const esc = (s: string) =>
  s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\|/g, '\\|')
    .replace(/`/g, '\\`')
    .replace(/\n/g, ' ');

/** Markdown for tickets, pull requests and chat alerts. */
export function renderMarkdown(r: DriftResult): string {
  const out = [
    `## ${r.dataset.drifted ? '⚠️ ' : ''}${esc(datasetSentence(r))}`,
    '',
    `- Reference: ${esc(datasetLine(r.reference))}`,
    `- Current: ${esc(datasetLine(r.current))}`,
  ];
  const stale = stalenessSentence(r);
  if (stale) out.push(`- ${esc(stale)}`);
  out.push(
    '',
    '| feature | type | method | score | drift when | verdict | PSI | missing |',
    '|---|---|---|---:|---|---|---:|---|',
  );
  for (const f of sortedFeatures(r)) {
    const verdict = f.status === 'skipped' ? 'skipped' : f.drifted ? '**drift**' : 'ok';
    out.push(
      `| ${esc(f.name)} | ${f.type} | ${methodText(f)} | ${fmtScore(f.score)} | ${ruleText(f)} | ${verdict} | ${fmtScore(f.psi)}${f.psiLevel === 'none' ? '' : ` (${f.psiLevel})`} | ${missingText(f)} |`,
    );
  }
  if (r.windows) {
    out.push(
      '',
      `### Drift per window (${r.windows.size})`,
      '',
      '| window | rows | drifted features | verdict |',
      '|---|---:|---:|---|',
    );
    for (const w of r.windows.windows)
      out.push(
        `| ${w.label} | ${w.rows} | ${w.share === null ? '—' : `${w.driftedFeatures} (${fmtShare(w.share)})`} | ${w.share === null ? 'no data' : w.drifted ? '**drift**' : 'ok'} |`,
      );
  }
  if (r.skipped.length || r.notes.length) {
    out.push('');
    for (const s of r.skipped) out.push(`- Not compared: ${esc(s.name)} — ${esc(s.reason)}`);
    for (const n of r.notes) out.push(`- Note: ${esc(n)}`);
  }
  return out.join('\n') + '\n';
}
