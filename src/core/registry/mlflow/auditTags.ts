import type { AuditAction, AuditEvent } from '../types';
import { MAX_TAG_VALUE, TAG } from './tags';

/**
 * MLflow keeps no alias history, so ours lives on the registered model as tags that people can read in
 * MLflow's UI: one tag per event, `mlops.history.000042` = `{"action":"promote","alias":"production",
 * "from":1,"to":2,"actor":"alice","time":"2025-05-01T10:00:00.000Z","reason":"better auc"}`. Keys sort by
 * event id; only the newest `limit` events are kept (rollback can walk back that far). Both the CLI and
 * the extension read and write the same tags, so a rollback done in one is seen by the other.
 */
const ACTIONS: readonly AuditAction[] = [
  'create-version',
  'promote',
  'rollback',
  'remove-alias',
  'archive',
  'restore',
  'delete-version',
  'delete-model',
];
const KEY_RE = /^mlops\.history\.(\d+)$/;
const MAX_REASON = 1000;

export function historyKey(id: number): string {
  return `${TAG.historyPrefix}${String(id).padStart(6, '0')}`;
}

export function encodeEvent(e: Omit<AuditEvent, 'id' | 'model'>): string {
  const v: Record<string, unknown> = { action: e.action };
  if (e.alias !== null) v.alias = e.alias;
  if (e.fromVersion !== null) v.from = e.fromVersion;
  if (e.toVersion !== null) v.to = e.toVersion;
  if (e.version !== null) v.version = e.version;
  v.actor = e.actor;
  v.time = new Date(e.time).toISOString();
  if (e.reason !== null) v.reason = e.reason.slice(0, MAX_REASON);
  return JSON.stringify(v).slice(0, MAX_TAG_VALUE);
}

/** Events stored on a model, oldest first; tags that do not parse are returned for verify() to report. */
export function decodeEvents(
  model: string,
  tags: Record<string, string>,
): { events: AuditEvent[]; unreadable: string[] } {
  const events: AuditEvent[] = [];
  const unreadable: string[] = [];
  for (const [key, value] of Object.entries(tags)) {
    const m = KEY_RE.exec(key);
    if (!m) continue;
    const e = decodeOne(Number(m[1]), model, value);
    if (e) events.push(e);
    else unreadable.push(key);
  }
  events.sort((a, b) => a.id - b.id);
  return { events, unreadable };
}

function decodeOne(id: number, model: string, value: string): AuditEvent | null {
  let v: Record<string, unknown>;
  try {
    v = JSON.parse(value) as Record<string, unknown>;
  } catch {
    return null;
  }
  if (!v || typeof v !== 'object' || !ACTIONS.includes(v.action as AuditAction)) return null;
  const time = Date.parse(String(v.time));
  const num = (x: unknown) => (typeof x === 'number' && Number.isInteger(x) ? x : null);
  return {
    id,
    time: Number.isNaN(time) ? 0 : time,
    actor: typeof v.actor === 'string' ? v.actor : '',
    model,
    action: v.action as AuditAction,
    alias: typeof v.alias === 'string' ? v.alias : null,
    fromVersion: num(v.from),
    toVersion: num(v.to),
    version: num(v.version),
    reason: typeof v.reason === 'string' ? v.reason : null,
  };
}

export function historyIds(tags: Record<string, string>): number[] {
  const ids: number[] = [];
  for (const k of Object.keys(tags)) {
    const m = KEY_RE.exec(k);
    if (m) ids.push(Number(m[1]));
  }
  return ids.sort((a, b) => a - b);
}

export function nextEventId(tags: Record<string, string>): number {
  const ids = historyIds(tags);
  return ids.length ? ids[ids.length - 1] + 1 : 1;
}

/** Keys to delete so that at most `limit` events remain once `adding` more are written. */
export function keysBeyondLimit(tags: Record<string, string>, limit: number, adding: number): string[] {
  const ids = historyIds(tags);
  const excess = ids.length + adding - limit;
  return excess > 0 ? ids.slice(0, excess).map(historyKey) : [];
}
