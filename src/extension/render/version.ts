import type { ModelSignature, ModelVersion, TensorSpec } from '../../core/registry/types';
import { aliasUri, versionUri } from '../../core/registry/uri';
import { formatBytes, formatDims, formatMetric, timeAgo } from '../../core/util/format';
import { code, isoTime, md, table } from './markdown';
import { lineageText } from './quantize';

/** How a version reads in the tree and in its tooltip / details document. */

/** The metric shown in a row: the configured one when the version has it, else the first. */
export function keyMetric(v: ModelVersion, preferred: string): [string, number] | undefined {
  if (preferred && v.metrics[preferred] !== undefined) return [preferred, v.metrics[preferred]];
  const first = Object.entries(v.metrics)[0];
  return first;
}

/** `@production · auc 0.941 · 2 h ago`, or `int8 · 2.3× of v3 · 2 h ago` for a quantized version */
export function versionDescription(v: ModelVersion, preferredMetric: string, now = Date.now()): string {
  const parts: string[] = [];
  if (v.aliases.length) parts.push(v.aliases.map((a) => `@${a}`).join(' '));
  // A quantized version says what it is and how it compares to its source instead of a metric.
  const lineage = lineageText(v);
  const m = lineage ? undefined : keyMetric(v, preferredMetric);
  if (lineage) parts.push(lineage);
  if (m) parts.push(`${m[0]} ${formatMetric(m[1])}`);
  if (v.status === 'archived') parts.push('archived');
  parts.push(timeAgo(v.createdAt, now));
  return parts.join(' · ');
}

export function tensorText(t: TensorSpec): string {
  return `${code(t.name)} ${t.elemType} ${formatDims(t.shape)}`;
}

export function signatureText(sig: ModelSignature | null): string {
  if (!sig) return '_not recorded_';
  return [...sig.inputs.map((t) => `in ${tensorText(t)}`), ...sig.outputs.map((t) => `out ${tensorText(t)}`)].join(
    '  \n',
  );
}

function kvTable(title: string, rec: Record<string, string | number>, fmt: (v: string | number) => string): string {
  const rows = Object.entries(rec).map(([k, v]) => [md(k), fmt(v)]);
  return rows.length ? `**${title}**\n\n${table([title.toLowerCase().replace(/s$/, ''), 'value'], rows)}` : '';
}

/** Everything about a version, as Markdown: the tooltip and the "Show Details" document share it. */
export function versionMarkdown(v: ModelVersion, now = Date.now()): string {
  const head = `### ${md(v.model)} v${v.version}${v.aliases.map((a) => ` \`@${a}\``).join('')}${v.status === 'archived' ? ' _(archived)_' : ''}`;
  const uris = [versionUri(v.model, v.version), ...v.aliases.map((a) => aliasUri(v.model, a))].map(code).join(' · ');
  const facts = [
    v.description ? md(v.description) : '',
    uris,
    `created ${isoTime(v.createdAt)} (${timeAgo(v.createdAt, now)}) by ${v.createdBy ? md(v.createdBy) : '_unknown_'}`,
    // Unknown for versions another MLflow client registered: said so, never shown as "0 B" or blank.
    `sha256 ${v.artifact.sha256 ? code(v.artifact.sha256) : '_unknown_'}`,
    `size ${v.artifact.size === null ? '_unknown_' : formatBytes(v.artifact.size)} · file ${v.artifact.fileName ? code(v.artifact.fileName) : '_unknown_'}`,
    `source ${code(v.artifact.source)}`,
    lineage(v),
    v.onnx
      ? `ONNX ir ${v.onnx.irVersion}, opset ${v.onnx.opsets.map((o) => `${o.domain || 'ai.onnx'} ${o.version}`).join(', ')}, ${v.onnx.nodeCount} nodes, ${v.onnx.paramCount.toLocaleString('en-US')} parameters, by ${md(v.onnx.producerName || '?')}`
      : '',
  ].filter(Boolean);
  return [
    head,
    facts.join('  \n'),
    kvTable('Metrics', v.metrics, (x) => formatMetric(Number(x))),
    kvTable('Params', v.params, (x) => md(String(x))),
    kvTable('Tags', v.tags, (x) => md(String(x))),
    `**Signature**\n\n${signatureText(v.signature)}`,
  ]
    .filter(Boolean)
    .join('\n\n');
}

function lineage(v: ModelVersion): string {
  const parts: string[] = [];
  if (v.parentVersion !== null) parts.push(`parent v${v.parentVersion}`);
  if (v.runId) parts.push(`run ${code(v.runId)}`);
  return parts.length ? `lineage: ${parts.join(', ')}` : '';
}
