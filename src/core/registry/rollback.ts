import { MlopsError } from '../errors';
import type { AuditEvent } from './types';

/**
 * Where a rollback of `alias` goes, derived from the audit history only, so both backends agree.
 *
 * Replaying the alias's events builds a stack of holders: a promotion pushes the new holder, a rollback
 * pops the current one. Rolling back pops again, so repeated rollbacks walk further back, and a
 * promotion after a rollback starts a new branch on top of what remains. Holders that can no longer
 * take the alias (deleted or archived since) are skipped, since they cannot be served.
 */
export function holderStack(events: readonly AuditEvent[], alias: string): number[] {
  const stack: number[] = [];
  for (const e of events) {
    if (e.alias !== alias) continue;
    if (e.action === 'promote' && e.toVersion !== null) {
      if (stack[stack.length - 1] !== e.toVersion) stack.push(e.toVersion);
    } else if (e.action === 'rollback') {
      // Pop down to the version the rollback landed on (it is the new top).
      while (stack.length > 0 && stack[stack.length - 1] !== e.toVersion) stack.pop();
      if (stack.length === 0 && e.toVersion !== null) stack.push(e.toVersion);
    }
  }
  return stack;
}

export function rollbackTarget(
  events: readonly AuditEvent[],
  model: string,
  alias: string,
  currentHolder: number | null,
  canHold: (version: number) => boolean,
): number {
  if (currentHolder === null) {
    throw new MlopsError(
      'INVALID_STATE',
      `The alias "${alias}" of model "${model}" is not set, so there is nothing to roll back.`,
      `Promote a version to "${alias}" instead.`,
    );
  }
  const stack = holderStack(events, alias);
  // The live holder is the top; if history and state disagree (edited by hand), trust the state.
  while (stack.length > 0 && stack[stack.length - 1] === currentHolder) stack.pop();
  for (let i = stack.length - 1; i >= 0; i--) {
    const v = stack[i];
    if (v !== currentHolder && canHold(v)) return v;
  }
  throw new MlopsError(
    'INVALID_STATE',
    `The alias "${alias}" of model "${model}" has no earlier holder to roll back to (version ${currentHolder} is the first that is still available).`,
    `Promote another version to "${alias}" instead.`,
  );
}
