import { MlopsError } from '../errors';
import { collectPages } from './paging';
import type { Registry } from './registry';
import type { AuditEvent, VersionStatus } from './types';

/**
 * The one rule for Roll Back (CONVENTIONS 19). Both backends move the alias with `planRollback`, and
 * the extension's menu flags and picker preview it with `rollbackMoves`, so what the UI names is what
 * the registry does.
 *
 * Replaying the alias's events builds a stack of holders: a promotion pushes the new holder, a rollback
 * pops the current one. Rolling back pops again, so repeated rollbacks walk further back, and a
 * promotion after a rollback starts a new branch on top of what remains. Holders that can no longer
 * take the alias (deleted or archived since) are skipped, since they cannot be served. A model deleted
 * and re-created starts a new history: events before its last `delete-model` do not count.
 */

/** A version's status as the caller knows it; 'deleted' when the version no longer exists. */
export type HolderStatus = VersionStatus | 'deleted';

/** What the rule reads: the model's aliases and history, and what is known of its versions' status. */
export interface RollbackState {
  model: string;
  /** alias -> current holder (RegisteredModel.aliases). */
  aliases: Readonly<Record<string, number>>;
  /** The model's audit history, oldest first, as Registry.history returns it (earlier incarnations too). */
  history: readonly AuditEvent[];
  /**
   * The live status of a version when the caller has read it; undefined when it has not. A version of
   * unknown status is judged from the history: unavailable when archived or deleted and not restored.
   */
  statusOf?: (version: number) => HolderStatus | undefined;
}

/** One possible rollback: `alias` moves from version `from` to version `to`. */
export interface RollbackMove {
  alias: string;
  from: number;
  to: number;
}

/** Where rolling back `alias` moves it. Throws INVALID_STATE when the alias is unset or has no earlier holder. */
export function planRollback(state: RollbackState, alias: string): RollbackMove {
  const { model } = state;
  const current = state.aliases[alias];
  if (current === undefined) {
    throw new MlopsError(
      'INVALID_STATE',
      `The alias "${alias}" of model "${model}" is not set, so there is nothing to roll back.`,
      `Promote a version to "${alias}" instead.`,
    );
  }
  const events = currentIncarnation(state.history);
  const unavailable = unavailableInHistory(events);
  const canHold = (v: number): boolean => {
    const known = state.statusOf?.(v);
    return known === undefined ? !unavailable.has(v) : known === 'active';
  };
  const stack = holderStack(events, alias);
  // The live holder is the top; if history and state disagree (edited by hand), trust the state.
  while (stack.length > 0 && stack[stack.length - 1] === current) stack.pop();
  for (let i = stack.length - 1; i >= 0; i--) {
    const v = stack[i];
    if (v !== current && canHold(v)) return { alias, from: current, to: v };
  }
  throw new MlopsError(
    'INVALID_STATE',
    `The alias "${alias}" of model "${model}" has no earlier holder to roll back to (version ${current} is the first that is still available).`,
    `Promote another version to "${alias}" instead.`,
  );
}

/**
 * The rollbacks possible now, one per alias that has an earlier holder: of every alias, or only of the
 * aliases `heldBy` holds (a version's menu).
 */
export function rollbackMoves(state: RollbackState, heldBy?: number): RollbackMove[] {
  const out: RollbackMove[] = [];
  for (const [alias, holder] of Object.entries(state.aliases)) {
    if (heldBy !== undefined && holder !== heldBy) continue;
    try {
      out.push(planRollback(state, alias));
    } catch (e) {
      if (!(e instanceof MlopsError)) throw e;
    }
  }
  return out;
}

/** The alias's holders, oldest first, as its promote and rollback events leave them. */
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

/** Events since the model was last deleted: a re-created model starts a new history. */
function currentIncarnation(history: readonly AuditEvent[]): readonly AuditEvent[] {
  let cut = -1;
  history.forEach((e, i) => {
    if (e.action === 'delete-model') cut = i;
  });
  return cut < 0 ? history : history.slice(cut + 1);
}

/** Versions the history says cannot hold an alias now: deleted, or archived and not restored since. */
function unavailableInHistory(events: readonly AuditEvent[]): Set<number> {
  const out = new Set<number>();
  for (const e of events) {
    if (e.version === null) continue;
    if (e.action === 'archive' || e.action === 'delete-version') out.add(e.version);
    else if (e.action === 'restore') out.delete(e.version);
  }
  return out;
}

/**
 * The state `planRollback` needs, read through the Registry interface: the model's aliases, its history
 * and the status of every version (archived ones included), so a preview sees what the backend sees.
 */
export async function readRollbackState(reg: Registry, model: string): Promise<RollbackState> {
  const [m, history, { items }] = await Promise.all([
    reg.getModel(model),
    reg.history(model),
    collectPages((pageToken, maxResults) => reg.listVersions(model, { pageToken, maxResults, includeArchived: true })),
  ]);
  const status = new Map(items.map((v) => [v.version, v.status]));
  return { model, aliases: m.aliases, history, statusOf: (v) => status.get(v) ?? 'deleted' };
}
