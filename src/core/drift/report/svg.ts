import type { FeatureHistogram, WindowedDrift } from '../result';

/** Small inline SVG charts for the self-contained HTML report (no script, no external files). */

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const W = 560;
const H = 180;
const PAD = { l: 40, r: 10, t: 10, b: 36 };

/** Reference and current shares side by side per bin / category. */
export function histogramSvg(h: FeatureHistogram, title: string): string {
  const n = h.reference.length;
  const max = Math.max(1e-9, ...h.reference, ...h.current);
  const iw = W - PAD.l - PAD.r;
  const ih = H - PAD.t - PAD.b;
  const slot = iw / n;
  const bar = Math.max(1, slot / 2 - 1);
  const y = (v: number) => PAD.t + ih - (v / max) * ih;
  const parts: string[] = [];
  for (let i = 0; i < n; i++) {
    const x = PAD.l + i * slot;
    const label = h.kind === 'numeric' ? `${fmt(h.edges[i])} – ${fmt(h.edges[i + 1])}` : h.categories[i];
    parts.push(
      `<rect class="ref" x="${(x + 0.5).toFixed(1)}" y="${y(h.reference[i]).toFixed(1)}" width="${bar.toFixed(1)}" height="${(PAD.t + ih - y(h.reference[i])).toFixed(1)}"><title>${escapeHtml(label)}: reference ${(h.reference[i] * 100).toFixed(1)}%</title></rect>`,
    );
    parts.push(
      `<rect class="cur" x="${(x + 0.5 + bar).toFixed(1)}" y="${y(h.current[i]).toFixed(1)}" width="${bar.toFixed(1)}" height="${(PAD.t + ih - y(h.current[i])).toFixed(1)}"><title>${escapeHtml(label)}: current ${(h.current[i] * 100).toFixed(1)}%</title></rect>`,
    );
  }
  const xLabels =
    h.kind === 'numeric'
      ? [0, Math.floor(n / 2), n].map(
          (i) => `<text x="${PAD.l + i * slot}" y="${H - 18}" text-anchor="middle">${fmt(h.edges[i])}</text>`,
        )
      : h.categories.length <= 12
        ? h.categories.map(
            (c, i) =>
              `<text x="${PAD.l + (i + 0.5) * slot}" y="${H - 18}" text-anchor="middle">${escapeHtml(c.length > 10 ? c.slice(0, 9) + '…' : c)}</text>`,
          )
        : [];
  return `<svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${escapeHtml(title)}"><line class="axis" x1="${PAD.l}" y1="${PAD.t + ih}" x2="${W - PAD.r}" y2="${PAD.t + ih}"/><text x="4" y="${PAD.t + 8}">${(max * 100).toFixed(0)}%</text>${parts.join('')}${xLabels.join('')}</svg>`;
}

/** One feature's score per window with its threshold as a dashed line; drifted windows marked. */
export function windowSvg(w: WindowedDrift, feature: string): string {
  const f = w.features.find((x) => x.name === feature);
  if (!f || w.windows.length === 0) return '';
  const vals = f.scores.filter((v): v is number => v !== null);
  const max = Math.max(f.threshold * 1.2, ...vals, 1e-9);
  const iw = W - PAD.l - PAD.r;
  const ih = H - PAD.t - PAD.b;
  const n = w.windows.length;
  const x = (i: number) => PAD.l + (n === 1 ? iw / 2 : (i / (n - 1)) * iw);
  const y = (v: number) => PAD.t + ih - (Math.min(v, max) / max) * ih;
  const pts = f.scores.map((v, i) => (v === null ? null : `${x(i).toFixed(1)},${y(v).toFixed(1)}`)).filter(Boolean);
  const dots = f.scores.map((v, i) =>
    v === null
      ? ''
      : `<circle class="${f.drifted[i] ? 'drift' : 'cur'}" cx="${x(i).toFixed(1)}" cy="${y(v).toFixed(1)}" r="3"><title>${escapeHtml(w.windows[i].label)}: ${fmt(v)}</title></circle>`,
  );
  return `<svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${escapeHtml(feature)} over time"><line class="axis" x1="${PAD.l}" y1="${PAD.t + ih}" x2="${W - PAD.r}" y2="${PAD.t + ih}"/><line class="threshold" x1="${PAD.l}" y1="${y(f.threshold).toFixed(1)}" x2="${W - PAD.r}" y2="${y(f.threshold).toFixed(1)}"/><text x="4" y="${(y(f.threshold) + 4).toFixed(1)}">${fmt(f.threshold)}</text><polyline class="line" points="${pts.join(' ')}"/>${dots.join('')}<text x="${PAD.l}" y="${H - 18}">${escapeHtml(w.windows[0].label)}</text><text x="${W - PAD.r}" y="${H - 18}" text-anchor="end">${escapeHtml(w.windows[n - 1].label)}</text></svg>`;
}

function fmt(v: number): string {
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return v.toExponential(1);
  return String(Number(v.toPrecision(3)));
}
