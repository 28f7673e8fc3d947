import type { CompareSideView, CompareView } from '../../src/shared/servingProtocol';

/** Drawing a comparison: latency side by side, then output agreement. */

const ms = (v: number) => `${v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)} ms`;

function row(cells: string[], head = false, metric?: string): HTMLTableRowElement {
  const tr = document.createElement('tr');
  if (metric) tr.dataset.metric = metric;
  cells.forEach((c, i) => {
    const td = document.createElement(head || i === 0 ? 'th' : 'td');
    if (!head && i === 0) (td as HTMLTableCellElement).scope = 'row';
    if (!head && i > 0) td.className = 'num';
    td.textContent = c;
    tr.append(td);
  });
  return tr;
}

/** Renders both tables; returns the rows drawn. */
export function renderCompare(latency: HTMLTableElement, agreement: HTMLTableElement, v: CompareView): number {
  const sides: [string, (s: CompareSideView) => string][] = [
    ['p50', (s) => ms(s.p50)],
    ['p95', (s) => ms(s.p95)],
    ['p99', (s) => ms(s.p99)],
    ['mean', (s) => ms(s.mean)],
    ['max', (s) => ms(s.max)],
    ['errors', (s) => `${s.errors}${s.firstError ? ` (${s.firstError})` : ''}`],
  ];
  latency.replaceChildren(
    row(['', v.a.label, v.b.label], true),
    ...sides.map(([name, f]) => row([name, f(v.a), f(v.b)], false, name)),
  );
  const agreeRows: [string, string, string][] = [
    ['compared', 'Requests compared', `${v.compared} of ${v.requests}${v.cancelled ? ' (cancelled)' : ''}`],
    [
      'maxAbsDiff',
      'Max absolute difference',
      v.maxAbsDiff === null ? `outputs differ in shape: ${v.mismatched.join(', ')}` : v.maxAbsDiff.toPrecision(3),
    ],
    [
      'top1',
      'Equal top-1',
      v.top1 ? `${(v.top1.share * 100).toFixed(1)}% (${v.top1.equal} of ${v.top1.rows} rows)` : 'no class output',
    ],
  ];
  agreement.replaceChildren(...agreeRows.map(([key, label, value]) => row([label, value], false, key)));
  return sides.length + 1 + agreeRows.length;
}
