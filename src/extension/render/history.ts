import type { AuditAction, AuditEvent } from '../../core/registry/types';
import { isoTime, md, table } from './markdown';

const VERBS: Record<AuditAction, string> = {
  'create-version': 'pushed',
  promote: 'promoted',
  rollback: 'rolled back',
  'remove-alias': 'removed alias',
  archive: 'archived',
  restore: 'restored',
  'delete-version': 'deleted',
  'delete-model': 'deleted the model',
};

/** What happened, in words: "@production v2 → v3", "v4". */
export function eventChange(e: AuditEvent): string {
  if (e.alias !== null) {
    const from = e.fromVersion === null ? '—' : `v${e.fromVersion}`;
    const to = e.toVersion === null ? '—' : `v${e.toVersion}`;
    return `@${e.alias} ${from} → ${to}`;
  }
  return e.version === null ? '' : `v${e.version}`;
}

/**
 * The audit history of a model, newest first. When `version` is given, the events that concern it are
 * marked with ▶ (its creation, status changes, and aliases moving to or from it).
 */
export function historyMarkdown(model: string, events: AuditEvent[], version?: number): string {
  const concerns = (e: AuditEvent) =>
    version !== undefined && (e.version === version || e.fromVersion === version || e.toVersion === version);
  const rows = [...events]
    .reverse()
    .map((e) => [
      concerns(e) ? '▶' : '',
      isoTime(e.time),
      md(e.actor),
      VERBS[e.action] ?? e.action,
      md(eventChange(e)),
      e.reason ? md(e.reason) : '',
    ]);
  const title = `# ${md(model)}: history${version !== undefined ? ` (▶ = v${version})` : ''}`;
  return `${title}\n\n${rows.length ? table(['', 'time', 'actor', 'action', 'change', 'reason'], rows) : '_No events yet._'}\n`;
}
