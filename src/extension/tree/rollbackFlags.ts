import { rollbackMoves } from '../../core/registry/rollback';
import type { AuditEvent, ModelVersion } from '../../core/registry/types';

/**
 * Which of a version's aliases can be rolled back: the core's own rule (rollback.ts `rollbackMoves`),
 * so the menu offers Roll Back exactly when `mlops rollback` would work. `listed` are the versions the
 * view has read (their status is known); any other version is judged from the history.
 */
export function rollbackAliases(
  history: readonly AuditEvent[],
  v: ModelVersion,
  listed: readonly ModelVersion[],
): string[] {
  const status = new Map(listed.map((x) => [x.version, x.status]));
  const aliases = Object.fromEntries(v.aliases.map((a) => [a, v.version]));
  return rollbackMoves({ model: v.model, aliases, history, statusOf: (n) => status.get(n) }, v.version).map(
    (m) => m.alias,
  );
}
