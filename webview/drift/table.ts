import type { FeatureDrift } from '../../src/core/drift/result';
import { fmtScore, methodText, missingText, ruleText } from '../../src/core/drift/report/format';
import type { SortKey } from '../../src/shared/driftProtocol';

/**
 * The sortable feature table. Plain <table> with <button> headers and aria-sort, rows focusable and
 * selectable with Enter/Space. Cells are set with textContent only (feature names come from files).
 * Every cell carries its column's class (col-score ...): in a narrow panel (beside the editor) the CSS
 * hides the columns the chart subtitle repeats (type, method) and lets the rest wrap, so the verdict,
 * PSI and missing columns stay in view.
 */
const COLUMNS: { key: SortKey; label: string; numeric?: boolean }[] = [
  { key: 'name', label: 'Feature' },
  { key: 'type', label: 'Type' },
  { key: 'method', label: 'Method' },
  { key: 'score', label: 'Score', numeric: true },
  { key: 'verdict', label: 'Verdict' },
  { key: 'psi', label: 'PSI', numeric: true },
  { key: 'missing', label: 'Missing (ref → cur)' },
];

const missingShare = (f: FeatureDrift) =>
  f.current.rows ? (f.current.missing + f.current.invalid) / f.current.rows : 0;

function sortValue(f: FeatureDrift, key: SortKey): string | number {
  switch (key) {
    case 'name':
      return f.name.toLowerCase();
    case 'type':
      return f.type;
    case 'method':
      return f.method;
    case 'score':
      // "How drifted": p-values are small when drifted, distances large; compare by margin past threshold.
      return f.score === null
        ? -Infinity
        : f.rule === '>='
          ? f.score / (f.threshold || 1)
          : (f.threshold || 1) / Math.max(f.score, 1e-300);
    case 'verdict':
      return f.status === 'skipped' ? -1 : f.drifted ? 1 : 0;
    case 'psi':
      return f.psi ?? -Infinity;
    case 'missing':
      return missingShare(f);
  }
}

export function sortFeatures(features: FeatureDrift[], key: SortKey, descending: boolean): FeatureDrift[] {
  return [...features].sort((a, b) => {
    const va = sortValue(a, key);
    const vb = sortValue(b, key);
    const c = va < vb ? -1 : va > vb ? 1 : a.name.localeCompare(b.name);
    return descending ? -c : c;
  });
}

export interface TableHandlers {
  onSort(key: SortKey): void;
  onSelect(name: string): void;
}

export function renderTable(
  table: HTMLTableElement,
  rows: FeatureDrift[],
  sort: { key: SortKey; descending: boolean },
  selected: string | null,
  h: TableHandlers,
): void {
  const thead = table.tHead ?? table.createTHead();
  thead.replaceChildren();
  const hr = thead.insertRow();
  for (const c of COLUMNS) {
    const th = document.createElement('th');
    th.scope = 'col';
    th.className = `col-${c.key}${c.numeric ? ' num' : ''}`;
    th.setAttribute('aria-sort', sort.key === c.key ? (sort.descending ? 'descending' : 'ascending') : 'none');
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = c.label + (sort.key === c.key ? (sort.descending ? ' ▾' : ' ▴') : '');
    b.addEventListener('click', () => h.onSort(c.key));
    th.append(b);
    hr.append(th);
  }
  const body = table.tBodies[0] ?? table.createTBody();
  body.replaceChildren();
  for (const f of rows) {
    const tr = body.insertRow();
    tr.tabIndex = 0;
    tr.dataset.feature = f.name;
    tr.setAttribute('aria-selected', String(f.name === selected));
    if (f.drifted) tr.classList.add('drifted');
    // [text, second line (wraps under the first when narrow), class]
    const cells: [string, string, string][] = [
      [f.name, '', 'col-name'],
      [f.type, '', 'col-type'],
      [methodText(f), '', 'col-method'],
      [fmtScore(f.score), `(${ruleText(f)})`, 'col-score num'],
      [
        f.status === 'skipped' ? 'skipped' : f.drifted ? 'Drift' : 'OK',
        '',
        `col-verdict verdict ${f.status === 'skipped' ? 'skipped' : f.drifted ? 'drift' : 'ok'}`,
      ],
      [fmtScore(f.psi), f.psiLevel === 'none' ? '' : f.psiLevel, `col-psi num psi-${f.psiLevel}`],
      [missingText(f), '', 'col-missing'],
    ];
    for (const [text, extra, cls] of cells) {
      const td = tr.insertCell();
      td.className = cls;
      td.textContent = text;
      if (extra) {
        const span = document.createElement('span');
        span.className = 'extra';
        span.textContent = extra;
        td.append(' ', span);
      }
    }
    tr.addEventListener('click', () => h.onSelect(f.name));
    tr.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault();
        h.onSelect(f.name);
      }
    });
  }
}
