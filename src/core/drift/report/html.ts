import type { DriftResult } from '../result';
import {
  datasetLine,
  datasetSentence,
  fmtScore,
  methodText,
  missingText,
  ruleText,
  sortedFeatures,
  stalenessSentence,
  verdictText,
} from './format';
import { escapeHtml as e, histogramSvg, windowSvg } from './svg';

const STYLE = `
:root { color-scheme: light dark; --fg: #1f2328; --bg: #ffffff; --muted: #59636e; --border: #d1d9e0; --ref: #2f6fdd; --cur: #d9822b; --drift: #cf222e; --ok: #1a7f37; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6edf3; --bg: #0d1117; --muted: #9198a1; --border: #3d444d; --ref: #58a6ff; --cur: #f0883e; --drift: #ff7b72; --ok: #3fb950; } }
body { font: 14px/1.5 system-ui, sans-serif; color: var(--fg); background: var(--bg); margin: 2rem auto; max-width: 1000px; padding: 0 1rem; }
h1 { font-size: 1.4rem; } h1.drift { color: var(--drift); } .muted { color: var(--muted); }
table { border-collapse: collapse; width: 100%; margin: 1rem 0; } th, td { border-bottom: 1px solid var(--border); padding: 4px 8px; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; } .DRIFT { color: var(--drift); font-weight: 600; } .ok { color: var(--ok); }
details { border: 1px solid var(--border); border-radius: 6px; margin: .5rem 0; padding: .5rem 1rem; } summary { cursor: pointer; font-weight: 600; }
svg { width: 100%; max-width: 560px; height: auto; display: block; } svg text { fill: var(--muted); font-size: 10px; }
svg .ref { fill: var(--ref); } svg .cur { fill: var(--cur); } svg .drift { fill: var(--drift); } svg .axis { stroke: var(--border); }
svg .threshold { stroke: var(--drift); stroke-dasharray: 4 3; } svg .line { fill: none; stroke: var(--cur); stroke-width: 1.5; }
.legend span { display: inline-block; width: 10px; height: 10px; margin: 0 4px 0 12px; } .legend .ref { background: var(--ref); } .legend .cur { background: var(--cur); }
`;

/** One self-contained HTML file (inline CSS and SVG, no script) to open or attach to a ticket. */
export function renderHtml(r: DriftResult): string {
  const rows = sortedFeatures(r)
    .map(
      (f) =>
        `<tr><td>${e(f.name)}</td><td>${f.type}</td><td>${methodText(f)}</td><td class="num">${fmtScore(f.score)}</td><td>${e(ruleText(f))}</td><td class="${verdictText(f)}">${verdictText(f)}</td><td class="num">${fmtScore(f.psi)}${f.psiLevel === 'none' ? '' : ` (${f.psiLevel})`}</td><td>${missingText(f)}</td></tr>`,
    )
    .join('\n');
  const details = sortedFeatures(r)
    .map((f) => {
      const chart = f.histogram
        ? histogramSvg(f.histogram, `${f.name}: reference vs current`)
        : '<p class="muted">No values to chart.</p>';
      const overTime = r.windows ? windowSvg(r.windows, f.name) : '';
      const notes = f.notes.map((n) => `<p class="muted">${e(n)}</p>`).join('');
      return `<details${f.drifted ? ' open' : ''}><summary>${e(f.name)} — <span class="${verdictText(f)}">${verdictText(f)}</span> <span class="muted">(${methodText(f)} ${fmtScore(f.score)}, ${e(ruleText(f))}; ${e(f.methodReason)})</span></summary>${chart}${overTime ? `<p class="muted">Score per window (${e(r.windows!.size)}); dashed: threshold</p>${overTime}` : ''}${notes}</details>`;
    })
    .join('\n');
  const stale = stalenessSentence(r);
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Drift report — ${e(r.current.file)}</title><style>${STYLE}</style></head>
<body>
<h1 class="${r.dataset.drifted ? 'drift' : ''}">${e(datasetSentence(r))}</h1>
<p>Reference: <code>${e(datasetLine(r.reference))}</code><br>Current: <code>${e(datasetLine(r.current))}</code><br><span class="muted">Generated ${e(r.generatedAt)} by mlops drift in ${r.durationMs} ms.</span></p>
${stale ? `<p class="${r.staleness?.stale ? 'DRIFT' : 'ok'}">${e(stale)}</p>` : ''}
<table><thead><tr><th>feature</th><th>type</th><th>method</th><th>score</th><th>drift when</th><th>verdict</th><th>PSI</th><th>missing (ref → cur)</th></tr></thead><tbody>
${rows}
</tbody></table>
<p class="legend">Distributions:<span class="ref"></span>reference<span class="cur"></span>current</p>
${details}
${r.skipped.length ? `<p class="muted">Not compared: ${r.skipped.map((s) => `${e(s.name)} (${e(s.reason)})`).join('; ')}.</p>` : ''}
</body></html>
`;
}
