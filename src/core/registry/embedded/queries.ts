import type { Database } from 'sql.js';
import { MlopsError } from '../../errors';
import type { ActionContext, AuditEvent, RecordedVersion } from '../types';
import { all, insertEvent, one, versionFromRow, type Row } from './rows';

/**
 * The lookups and writes the embedded registry repeats inside its transactions, each on the open
 * database: rows that must exist (with the error that says how to list what does), aliases, audit events.
 */

export function modelRow(db: Database, dir: string, name: string): Row {
  const r = one(db, 'SELECT * FROM models WHERE name = ?', [name]);
  if (!r) {
    throw new MlopsError(
      'NOT_FOUND',
      `There is no model named "${name}" in the registry at ${dir}.`,
      'Run `mlops models` to list the models.',
    );
  }
  return r;
}

export function versionRow(db: Database, dir: string, model: string, version: number): Row {
  modelRow(db, dir, model);
  const r = one(db, 'SELECT * FROM versions WHERE model = ? AND version = ?', [model, version]);
  if (!r) {
    throw new MlopsError(
      'NOT_FOUND',
      `Model "${model}" has no version ${version}.`,
      `Run \`mlops versions ${model}\` to list its versions.`,
    );
  }
  return r;
}

export function aliasesOf(db: Database, model: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of all(db, 'SELECT alias, version FROM aliases WHERE model = ? ORDER BY alias', [model]))
    out[String(r.alias)] = Number(r.version);
  return out;
}

export function toVersion(db: Database, r: Row): RecordedVersion {
  const aliases = all(db, 'SELECT alias FROM aliases WHERE model = ? AND version = ? ORDER BY alias', [
    r.model,
    r.version,
  ]).map((a) => String(a.alias));
  return versionFromRow(r, aliases);
}

export function holder(db: Database, model: string, alias: string): number | null {
  const r = one(db, 'SELECT version FROM aliases WHERE model = ? AND alias = ?', [model, alias]);
  return r ? Number(r.version) : null;
}

export function auditEvent(
  db: Database,
  now: number,
  ctx: ActionContext,
  e: Partial<AuditEvent> & Pick<AuditEvent, 'model' | 'action'>,
): AuditEvent {
  return insertEvent(db, {
    time: now,
    actor: ctx.actor,
    alias: null,
    fromVersion: null,
    toVersion: null,
    version: null,
    reason: ctx.reason?.trim() ? ctx.reason.trim() : null,
    ...e,
  });
}

export function setAlias(db: Database, now: number, model: string, alias: string, version: number): void {
  db.run(
    'INSERT INTO aliases(model, alias, version, updated_at) VALUES (?,?,?,?) ON CONFLICT(model, alias) DO UPDATE SET version = excluded.version, updated_at = excluded.updated_at',
    [model, alias, version, now],
  );
  // The model's updated_at stays: an alias move is not a change of the model (types.ts, as on MLflow).
}

export function assertCanHold(db: Database, dir: string, model: string, version: number, alias: string): void {
  const r = versionRow(db, dir, model, version);
  if (r.status === 'archived') {
    throw new MlopsError(
      'INVALID_STATE',
      `Version ${version} of model "${model}" is archived and cannot take the alias "${alias}".`,
      `Restore it first (\`mlops restore ${model} ${version}\`).`,
    );
  }
}
