import type { AuditEvent, ModelVersion, RegisteredModel } from '../../core/registry/types';
import { aliasUri, versionUri } from '../../core/registry/uri';
import { formatBytes, formatDims, formatMetric, orUnknown, timeAgo } from '../../core/util/format';
import { keyValues, table } from '../output';

/** Human renderings of registry objects for the CLI. */

export function metricsText(m: Record<string, number>, max = 3): string {
  const entries = Object.entries(m);
  const shown = entries.slice(0, max).map(([k, v]) => `${k}=${formatMetric(v)}`);
  return shown.join(' ') + (entries.length > max ? ` +${entries.length - max}` : '');
}

export function modelsTable(models: RegisteredModel[]): string {
  if (models.length === 0) return 'No models yet. Push one with `mlops push <file.onnx> --model <name>`.';
  return table(
    ['MODEL', 'LATEST', 'ALIASES', 'UPDATED'],
    models.map((m) => [
      m.name,
      m.latestVersion === null ? '-' : `v${m.latestVersion}`,
      Object.entries(m.aliases)
        .map(([a, v]) => `@${a}=v${v}`)
        .join(' ') || '-',
      timeAgo(m.updatedAt),
    ]),
  );
}

export function versionsTable(versions: ModelVersion[]): string {
  if (versions.length === 0) return 'No versions.';
  return table(
    ['VERSION', 'ALIASES', 'STATUS', 'METRICS', 'SIZE', 'CREATED', 'BY', 'SHA256'],
    versions.map((v) => [
      `v${v.version}`,
      v.aliases.map((a) => `@${a}`).join(' ') || '-',
      v.status,
      metricsText(v.metrics) || '-',
      formatBytes(v.artifact.size),
      timeAgo(v.createdAt),
      orUnknown(v.createdBy),
      orUnknown(v.artifact.sha256, 12),
    ]),
  );
}

export function versionDetails(v: ModelVersion): string {
  const pairs: [string, string][] = [
    ['uri', [versionUri(v.model, v.version), ...v.aliases.map((a) => aliasUri(v.model, a))].join('  ')],
    ['status', v.status],
    ['created', `${new Date(v.createdAt).toISOString()} by ${orUnknown(v.createdBy)}`],
    ['description', v.description || '-'],
    [
      'metrics',
      Object.entries(v.metrics)
        .map(([k, x]) => `${k}=${formatMetric(x)}`)
        .join(' ') || '-',
    ],
    [
      'params',
      Object.entries(v.params)
        .map(([k, x]) => `${k}=${x}`)
        .join(' ') || '-',
    ],
    [
      'tags',
      Object.entries(v.tags)
        .map(([k, x]) => `${k}=${x}`)
        .join(' ') || '-',
    ],
    [
      'artifact',
      v.artifact.sha256 === null
        ? `not recorded (size unknown, sha256 unknown${v.artifact.fileName ? `, file ${v.artifact.fileName}` : ''})`
        : `${v.artifact.fileName} ${formatBytes(v.artifact.size)} sha256:${v.artifact.sha256}`,
    ],
    ['source', v.artifact.source],
    ['lineage', `parent ${v.parentVersion === null ? '-' : 'v' + v.parentVersion}, run ${v.runId ?? '-'}`],
  ];
  if (v.onnx) {
    pairs.push([
      'onnx',
      `IR ${v.onnx.irVersion}, opset ${v.onnx.opsets.map((o) => `${o.domain || 'ai.onnx'}:${o.version}`).join(' ')}, ${v.onnx.nodeCount} nodes, ${v.onnx.paramCount} parameters, producer ${v.onnx.producerName || '-'} ${v.onnx.producerVersion}`.trim(),
    ]);
  }
  for (const t of v.signature?.inputs ?? []) pairs.push(['input', `${t.name}: ${t.elemType}${formatDims(t.shape)}`]);
  for (const t of v.signature?.outputs ?? []) pairs.push(['output', `${t.name}: ${t.elemType}${formatDims(t.shape)}`]);
  return `${v.model} v${v.version}\n${keyValues(pairs)}`;
}

export function describeEvent(e: AuditEvent): string {
  const v = (n: number | null) => (n === null ? 'none' : `v${n}`);
  switch (e.action) {
    case 'promote':
      return `@${e.alias}: ${v(e.fromVersion)} -> ${v(e.toVersion)} (promote)`;
    case 'rollback':
      return `@${e.alias}: ${v(e.fromVersion)} -> ${v(e.toVersion)} (rollback)`;
    case 'remove-alias':
      return `@${e.alias}: ${v(e.fromVersion)} -> none (removed)`;
    case 'create-version':
      return `v${e.version} created`;
    case 'archive':
      return `v${e.version} archived`;
    case 'restore':
      return `v${e.version} restored`;
    case 'delete-version':
      return `v${e.version} deleted`;
    case 'delete-model':
      return 'model deleted';
  }
}

export function historyTable(events: AuditEvent[]): string {
  if (events.length === 0) return 'No history.';
  return table(
    ['#', 'TIME', 'ACTOR', 'CHANGE', 'REASON'],
    events.map((e) => [
      String(e.id),
      new Date(e.time).toISOString().replace(/\.\d+Z$/, 'Z'),
      e.actor,
      describeEvent(e),
      e.reason ?? '',
    ]),
  );
}
