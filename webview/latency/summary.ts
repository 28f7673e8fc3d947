import { type LatencyView, roleLabels } from '../../src/shared/latencyProtocol';

const ms = (v: number) => `${v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)} ms`;
const int = (v: number) => Math.round(v).toLocaleString('en-US');

/** "Live · last 4 min, every 2 s" / "Last hour, per minute" (times in the user's locale). */
export function spanText(v: LatencyView): string {
  const s = v.snapshot;
  const every = s.bucketMs >= 60_000 ? `${Math.round(s.bucketMs / 60_000)} min` : `${Math.round(s.bucketMs / 1000)} s`;
  const when = (t: number) => new Date(t).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  const what = v.range === 'live' ? 'Live' : v.range === 'hour' ? 'Last hour' : 'Last day';
  return `${what} · ${when(s.from)}–${when(s.to)}${s.bucketMs > 0 ? ` · a point every ${every}` : ''}${v.running ? '' : ' · endpoint stopped'}`;
}

/** The summary rows (data-metric names them for tests and screen readers); returns the row count. */
export function renderSummary(table: HTMLTableElement, v: LatencyView): number {
  const t = v.snapshot.totals;
  const versions = roleLabels(v.snapshot).join(', ');
  const rows: [string, string, string][] = [
    ['requests', 'Requests', int(t.requests)],
    ['errors', 'Errors', `${int(t.errors)}${t.requests ? ` (${((100 * t.errors) / t.requests).toFixed(1)}%)` : ''}`],
    ['throughput', 'Throughput', `${t.perSecond.toFixed(t.perSecond >= 10 ? 0 : 2)} req/s`],
    ['p50', 'p50', ms(t.p50)],
    ['p95', 'p95', ms(t.p95)],
    ['p99', 'p99', ms(t.p99)],
    ['versions', 'Versions', versions || '—'],
  ];
  table.replaceChildren(
    ...rows.map(([key, label, value]) => {
      const tr = document.createElement('tr');
      tr.dataset.metric = key;
      const th = document.createElement('th');
      th.scope = 'row';
      th.textContent = label;
      const td = document.createElement('td');
      td.className = 'num';
      td.textContent = value;
      tr.append(th, td);
      return tr;
    }),
  );
  return rows.length;
}
