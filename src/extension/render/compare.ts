import type { ModelVersion } from '../../core/registry/types';
import { formatBytes, formatDims, formatMetric, orUnknown } from '../../core/util/format';
import { code, isoTime, md, table } from './markdown';

/**
 * Two versions side by side: metrics, params, tags and signature, each differing row marked with ≠
 * (and metrics with their delta), so the differences stand out in a plain, read-only document.
 */
export function compareMarkdown(a: ModelVersion, b: ModelVersion): string {
  const A = `v${a.version}`;
  const B = `v${b.version}`;
  const sections = [
    `# ${md(a.model)}: ${A} ↔ ${B}`,
    'Rows marked **≠** differ.',
    section(
      'Version',
      ['', 'field', A, B],
      [
        row('aliases', a.aliases.map((x) => `@${x}`).join(' ') || '—', b.aliases.map((x) => `@${x}`).join(' ') || '—'),
        row('status', a.status, b.status),
        row('created', isoTime(a.createdAt), isoTime(b.createdAt)),
        row('author', orUnknown(a.createdBy), orUnknown(b.createdBy)),
        row('size', formatBytes(a.artifact.size), formatBytes(b.artifact.size)),
        row('sha256', orUnknown(a.artifact.sha256, 16), orUnknown(b.artifact.sha256, 16)),
        row(
          'parent',
          a.parentVersion === null ? '—' : `v${a.parentVersion}`,
          b.parentVersion === null ? '—' : `v${b.parentVersion}`,
        ),
      ],
    ),
    metricsSection(a, b, A, B),
    mapSection('Params', a.params, b.params, A, B),
    mapSection('Tags', a.tags, b.tags, A, B),
    signatureSection(a, b, A, B),
  ];
  return sections.filter(Boolean).join('\n\n') + '\n';
}

type Row = string[];

function row(field: string, x: string, y: string): Row {
  return [x === y ? '' : '**≠**', md(field), md(x), md(y)];
}

function section(title: string, header: string[], rows: Row[]): string {
  return `## ${title}\n\n${rows.length ? table(header, rows) : '_none in either version_'}`;
}

function keys(...recs: Record<string, unknown>[]): string[] {
  return [...new Set(recs.flatMap((r) => Object.keys(r)))].sort();
}

function metricsSection(a: ModelVersion, b: ModelVersion, A: string, B: string): string {
  const rows = keys(a.metrics, b.metrics).map((k) => {
    const x = a.metrics[k];
    const y = b.metrics[k];
    const delta = x !== undefined && y !== undefined && x !== y ? `${y - x > 0 ? '+' : ''}${formatMetric(y - x)}` : '';
    return [
      x === y ? '' : '**≠**',
      md(k),
      x === undefined ? '—' : formatMetric(x),
      y === undefined ? '—' : formatMetric(y),
      delta,
    ];
  });
  return section('Metrics', ['', 'metric', A, B, `Δ (${B} − ${A})`], rows);
}

function mapSection(title: string, x: Record<string, string>, y: Record<string, string>, A: string, B: string): string {
  return section(
    title,
    ['', title.toLowerCase().replace(/s$/, ''), A, B],
    keys(x, y).map((k) => row(k, x[k] ?? '—', y[k] ?? '—')),
  );
}

function signatureSection(a: ModelVersion, b: ModelVersion, A: string, B: string): string {
  const spec = (v: ModelVersion, io: 'inputs' | 'outputs', name: string) => {
    const t = v.signature?.[io].find((s) => s.name === name);
    return t ? `${t.elemType} ${formatDims(t.shape)}` : '—';
  };
  const rows: Row[] = [];
  for (const io of ['inputs', 'outputs'] as const) {
    const names = [...new Set([...(a.signature?.[io] ?? []), ...(b.signature?.[io] ?? [])].map((t) => t.name))];
    for (const n of names) {
      const x = spec(a, io, n);
      const y = spec(b, io, n);
      rows.push([x === y ? '' : '**≠**', `${io === 'inputs' ? 'in' : 'out'} ${code(n)}`, md(x), md(y)]);
    }
  }
  return section('Signature', ['', 'tensor', A, B], rows);
}
