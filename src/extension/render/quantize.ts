import type { CandidateReport, QuantizeReport } from '../../core/optimize/types';
import type { ModelVersion } from '../../core/registry/types';
import { formatBytes } from '../../core/util/format';
import { code, md, table } from './markdown';

/**
 * The Quantize command's report document and the lineage a quantized version shows in the tree. Pure
 * text from the core's QuantizeReport (types only: rendering must not load the optimizer).
 */

/** Same tag names as core/optimize/register.ts (not imported: that module would pull the optimizer in). */
const TAG_OPTIMIZED_FROM = 'mlops.optimized_from';
const TAG_OPTIMIZATION = 'mlops.optimization';

const ms = (x: number) => (x < 10 ? x.toFixed(3) : x.toFixed(1));
const times = (x: number) => `${x.toFixed(2)}×`;

function cpuText(r: QuantizeReport): string {
  const c = r.cpu;
  const flags = (['avx2', 'avx512', 'vnni'] as const).map((f) => `${f.toUpperCase()} ${c[f] ? 'yes' : 'no'}`);
  return `${c.model} (${c.arch}, ${c.cores} cores): ${flags.join(', ')}`;
}

function accuracyCell(c: CandidateReport): string {
  const a = c.agreement;
  const parts = [`max \\|diff\\| ${a.maxAbsDiff.toPrecision(3)}`, `mean ${a.meanAbsDiff.toPrecision(3)}`];
  if (a.top1Agreement !== null) parts.push(`top-1 ${(a.top1Agreement * 100).toFixed(2)}%`);
  if (c.metric) parts.push(`${c.metric.name} ${c.metric.source.toFixed(4)} → ${c.metric.candidate.toFixed(4)}`);
  return parts.join(', ');
}

function dataText(r: QuantizeReport): string {
  if (r.data.kind === 'generated') return `${r.data.rows} generated rows (the version names no reference data)`;
  const label = r.data.label ? `, label ${code(r.data.label)}` : '';
  const cut = r.data.truncatedFrom ? ` (first ${r.data.rows} of ${r.data.truncatedFrom})` : '';
  return `${r.data.rows} rows of ${code(r.data.file ?? '')}${label}${cut}`;
}

/** The report as Markdown: verdict first, then before/after side by side. */
export function quantizeReportMarkdown(r: QuantizeReport): string {
  const b = r.servingBatch;
  const src = r.source;
  const rows = [
    [
      '**source**',
      formatBytes(src.fileBytes),
      ms(src.latency.batch1.p50),
      ms(src.latency.batch1.p99),
      ms(src.latency.serving.p50),
      ms(src.latency.serving.p99),
      '',
      '',
    ],
    ...r.candidates.map((c) => [
      `${code(c.optimization)}${c.optimization === r.chosen ? ' (chosen)' : ''}`,
      `${formatBytes(c.fileBytes)} (${Math.round((100 * c.fileBytes) / Math.max(1, src.fileBytes))}% of source)`,
      ms(c.latency.batch1.p50),
      ms(c.latency.batch1.p99),
      ms(c.latency.serving.p50),
      ms(c.latency.serving.p99),
      `${times(c.speedup.batch1)} / ${times(c.speedup.serving)}`,
      accuracyCell(c),
    ]),
  ];
  const header = ['model', 'size', 'p50 b1', 'p99 b1', `p50 b${b}`, `p99 b${b}`, `speedup b1 / b${b}`, 'accuracy'];
  const outcome = r.registered
    ? `Registered **${md(r.registered.uri)}** (parent ${md(src.label)}); no alias moved.`
    : r.verdict.keep
      ? 'Kept, but not registered.'
      : 'Nothing registered.';
  const notes = [...new Set(r.candidates.flatMap((c) => c.notes))];
  return [
    `# Quantize ${md(src.label)} (${r.mode})`,
    '',
    `**${r.verdict.keep ? 'Kept' : 'Not worth it'}:** ${md(r.verdict.sentence)}`,
    '',
    outcome,
    '',
    table(header, rows),
    '',
    'Latency: onnxruntime run time in ms, in-process, warm, interleaved runs of source and candidates.',
    '',
    `- CPU: ${md(cpuText(r))}`,
    `- Compared on ${dataText(r)}, output ${code(r.output)}`,
    `- Rule: at least ${times(r.verdict.rule.minSpeedup)} faster at batch ${b}` +
      (r.verdict.rule.maxAccuracyDrop !== undefined ? `, accuracy drop at most ${r.verdict.rule.maxAccuracyDrop}` : ''),
    ...notes.map((n) => `- Note: ${md(n)}`),
    '',
  ].join('\n');
}

/**
 * `int8 · 2.30× of v3` for a version made by Quantize (tags mlops.optimized_from / mlops.optimization,
 * metric speedup); undefined for any other version.
 */
export function lineageText(v: ModelVersion): string | undefined {
  const from = v.tags[TAG_OPTIMIZED_FROM];
  if (!from) return undefined;
  const kind = (v.tags[TAG_OPTIMIZATION] ?? '').split('-')[0] || 'optimized';
  // The source label is models:/<model>/<n> for a registered source: show `v<n>` within the same model.
  const m = /^models:\/(.+)\/(\d+)$/.exec(from);
  const of = m && m[1] === v.model ? `v${m[2]}` : m ? `${m[1]} v${m[2]}` : from;
  const speed = v.metrics.speedup;
  return speed !== undefined && Number.isFinite(speed) ? `${kind} · ${speed.toFixed(1)}× of ${of}` : `${kind} of ${of}`;
}
