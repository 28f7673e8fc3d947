import type { InferOutcome, LoadTestView, OutputTensor, ServingViewState } from '../../src/shared/servingProtocol';
import { topK } from '../../src/shared/servingRequest';

/** Drawing what the host sent back: an inference's outputs, the history, a load test's summary. */

const MAX_VALUES = 50;
const el = <K extends keyof HTMLElementTagNameMap>(tag: K, text?: string, cls?: string) => {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (cls) e.className = cls;
  return e;
};
const fmt = (v: number | boolean | string) =>
  typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toPrecision(6).replace(/\.?0+$/, '')) : String(v);
const ms = (v: number) => `${v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)} ms`;

export function outcomeSummary(o: InferOutcome): string {
  if (!o.ok) return `Failed${o.status ? ` (HTTP ${o.status})` : ''} after ${ms(o.latencyMs)}: ${o.message}`;
  return `HTTP ${o.status} in ${ms(o.latencyMs)}${o.modelVersion ? ` · answered by v${o.modelVersion}` : ''}`;
}

/** A classifier's scores: floats of shape [1, k] or [k] with 2 <= k <= 1000. */
function isScores(o: OutputTensor): boolean {
  const k = o.shape[o.shape.length - 1] ?? 0;
  return /^FP/.test(o.datatype) && k >= 2 && k <= 1000 && o.data.length === k;
}

/** Renders the outputs; returns how many table rows it drew. */
export function renderOutputs(box: HTMLElement, outputs: OutputTensor[]): number {
  box.replaceChildren();
  let rows = 0;
  for (const o of outputs) {
    box.append(el('h3', `${o.name} · ${o.datatype} [${o.shape.join(', ')}]`));
    const table = el('table');
    table.setAttribute('aria-label', `Output ${o.name}`);
    if (isScores(o)) {
      const head = el('tr');
      head.append(el('th', 'rank'), el('th', 'class'), el('th', 'score'));
      table.append(head);
      for (const [r, t] of topK(o.data as number[], Math.min(5, o.data.length)).entries()) {
        const tr = el('tr');
        tr.append(el('td', String(r + 1), 'num'), el('td', String(t.index), 'num'), el('td', fmt(t.value), 'num'));
        table.append(tr);
        rows++;
      }
    } else {
      const head = el('tr');
      head.append(el('th', 'index'), el('th', 'value'));
      table.append(head);
      for (const [i, v] of o.data.slice(0, MAX_VALUES).entries()) {
        const tr = el('tr');
        tr.append(el('td', String(i), 'num'), el('td', fmt(v), 'num'));
        table.append(tr);
        rows++;
      }
      if (o.data.length > MAX_VALUES) box.append(el('p', `… ${o.data.length - MAX_VALUES} more values`, 'muted'));
    }
    box.append(table);
  }
  return rows;
}

export function renderHistory(
  table: HTMLTableElement,
  history: ServingViewState['history'],
  on: { resend: (k: number) => void; curl: (k: number) => void },
): void {
  table.replaceChildren();
  const head = el('tr');
  head.append(el('th', 'time'), el('th', 'result'), el('th', 'latency'), el('th', 'version'), el('th', ''));
  table.append(head);
  for (const [k, h] of history.entries()) {
    const tr = el('tr');
    const o = h.outcome;
    const actions = el('td');
    const resend = el('vscode-button', 'Resend');
    resend.setAttribute('secondary', '');
    resend.addEventListener('click', () => on.resend(k));
    const curl = el('vscode-button', 'Copy as curl');
    curl.setAttribute('secondary', '');
    curl.addEventListener('click', () => on.curl(k));
    actions.append(resend, ' ', curl);
    tr.append(
      el('td', new Date(h.at).toLocaleTimeString()),
      el('td', o.ok ? `HTTP ${o.status}` : 'failed', o.ok ? 'ok' : 'err'),
      el('td', ms(o.latencyMs), 'num'),
      el('td', o.ok && o.modelVersion ? `v${o.modelVersion}` : '–'),
      actions,
    );
    table.append(tr);
  }
}

/** The summary table; returns its row count. */
export function renderLoadSummary(table: HTMLTableElement, r: LoadTestView): number {
  table.replaceChildren();
  const errors = Object.entries(r.errors)
    .map(([k, n]) => `${k} ×${n}`)
    .join(', ');
  const rows: [string, string][] = [
    [
      'requests',
      `${r.latency.count.toLocaleString('en-US')} in ${(r.durationMs / 1000).toFixed(1)} s${r.cancelled ? ' (cancelled)' : ''}`,
    ],
    ['throughput', `${r.throughput.toFixed(1)} req/s`],
    ['p50', ms(r.latency.p50)],
    ['p90', ms(r.latency.p90)],
    ['p95', ms(r.latency.p95)],
    ['p99', ms(r.latency.p99)],
    ['max', ms(r.latency.max)],
    ['errors', r.errorCount ? `${r.errorCount} (${errors})` : '0'],
  ];
  for (const [k, v] of rows) {
    const tr = el('tr');
    tr.dataset.metric = k;
    tr.append(el('th', k), el('td', v, 'num'));
    table.append(tr);
  }
  return rows.length;
}
