import { rollbackTarget } from '../../core/registry/rollback';
import type { AuditEvent } from '../../core/registry/types';

/**
 * Which of a version's aliases can be rolled back, decided from the model's audit history with the
 * core's own rule (rollback.ts), so the menu offers Roll Back exactly when `mlops rollback` would work.
 */
export function rollbackAliases(
  history: readonly AuditEvent[],
  model: string,
  version: number,
  aliases: readonly string[],
): string[] {
  const events = currentIncarnation(history);
  const unavailable = unavailableVersions(events);
  return aliases.filter((alias) => {
    try {
      rollbackTarget(events, model, alias, version, (v) => !unavailable.has(v));
      return true;
    } catch {
      return false;
    }
  });
}

/** Events since the model was last deleted: a re-created model starts a new history (as in the core). */
function currentIncarnation(history: readonly AuditEvent[]): AuditEvent[] {
  let cut = -1;
  history.forEach((e, i) => {
    if (e.action === 'delete-model') cut = i;
  });
  return history.slice(cut + 1);
}

/** Versions that cannot hold an alias now: deleted, or archived and not restored since. */
function unavailableVersions(events: readonly AuditEvent[]): Set<number> {
  const out = new Set<number>();
  for (const e of events) {
    if (e.version === null) continue;
    if (e.action === 'archive' || e.action === 'delete-version') out.add(e.version);
    else if (e.action === 'restore') out.delete(e.version);
  }
  return out;
}
