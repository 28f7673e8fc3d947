import type { Database, SqlValue } from 'sql.js';
import type { AuditAction, AuditEvent, RecordedVersion, RegisteredModel, VersionStatus } from '../types';
import { CorruptValue } from './dbFile';

/** Row <-> object mapping for the embedded schema (schema.ts). */

export type Row = Record<string, SqlValue>;

export function all(db: Database, sql: string, params: SqlValue[] = []): Row[] {
  const st = db.prepare(sql);
  try {
    st.bind(params);
    const out: Row[] = [];
    // Column names once, not per row: sql.js's getAsObject() asks SQLite for every name again on every
    // row, which was a third of `mlops versions` at 10k versions.
    let names: string[] | undefined;
    while (st.step()) {
      names ??= st.getColumnNames();
      const values = st.get();
      const row: Row = {};
      for (let i = 0; i < names.length; i++) row[names[i]] = values[i];
      out.push(row);
    }
    return out;
  } finally {
    st.free();
  }
}

export function one(db: Database, sql: string, params: SqlValue[] = []): Row | undefined {
  return all(db, sql, params)[0];
}

/** Where a row sits, for the message when one of its values is damaged. */
function rowName(r: Row): string {
  return r.version === undefined
    ? `model "${String(r.name)}"`
    : `model "${String(r.model)}" version ${String(r.version)}`;
}

/**
 * A JSON column of `r`. A value that does not parse, or is not the kind expected (an object for maps,
 * an object or null for the signature), is a CorruptValue naming the row, never a raw SyntaxError.
 */
export function jsonColumn<T>(r: Row, column: string, fallback: T, nullable = false): T {
  const v = r[column];
  if (v === null && nullable) return fallback;
  if (typeof v !== 'string' || v === '') {
    if (v === null || v === undefined || v === '') return fallback;
    throw new CorruptValue(`the ${column} of ${rowName(r)} is not JSON text`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(v);
  } catch {
    throw new CorruptValue(`the ${column} of ${rowName(r)} is not valid JSON`);
  }
  const ok = parsed === null ? nullable : typeof parsed === 'object' && !Array.isArray(parsed);
  if (!ok) throw new CorruptValue(`the ${column} of ${rowName(r)} is not a JSON object`);
  return parsed as T;
}

/** The JSON columns of each table, for `mlops verify`. */
export const JSON_COLUMNS = {
  models: [['tags', false]],
  versions: [
    ['tags', false],
    ['metrics', false],
    ['params', false],
    ['signature', true],
    ['onnx', true],
  ],
} as const;

const num = (v: SqlValue): number | null => (v === null || v === undefined ? null : Number(v));

export function modelFromRow(r: Row, aliases: Record<string, number>): RegisteredModel {
  const last = Number(r.last_version);
  return {
    name: String(r.name),
    description: String(r.description ?? ''),
    tags: jsonColumn(r, 'tags', {}),
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
    aliases,
    latestVersion: last > 0 ? last : null,
  };
}

export function versionFromRow(r: Row, aliases: string[]): RecordedVersion {
  return {
    model: String(r.model),
    version: Number(r.version),
    status: String(r.status) as VersionStatus,
    description: String(r.description ?? ''),
    tags: jsonColumn(r, 'tags', {}),
    metrics: jsonColumn(r, 'metrics', {}),
    params: jsonColumn(r, 'params', {}),
    artifact: {
      sha256: String(r.sha256),
      size: Number(r.size),
      fileName: String(r.file_name),
      source: String(r.source),
    },
    signature: jsonColumn(r, 'signature', null, true),
    onnx: jsonColumn(r, 'onnx', null, true),
    createdAt: Number(r.created_at),
    createdBy: String(r.created_by),
    updatedAt: Number(r.updated_at),
    parentVersion: num(r.parent_version),
    runId: r.run_id === null || r.run_id === undefined ? null : String(r.run_id),
    aliases,
  };
}

export function eventFromRow(r: Row): AuditEvent {
  return {
    id: Number(r.id),
    time: Number(r.time),
    actor: String(r.actor),
    model: String(r.model),
    action: String(r.action) as AuditAction,
    alias: r.alias === null ? null : String(r.alias),
    fromVersion: num(r.from_version),
    toVersion: num(r.to_version),
    version: num(r.version),
    reason: r.reason === null ? null : String(r.reason),
  };
}

export function insertEvent(db: Database, e: Omit<AuditEvent, 'id'>): AuditEvent {
  db.run(
    'INSERT INTO audit(time, actor, model, action, alias, from_version, to_version, version, reason) VALUES (?,?,?,?,?,?,?,?,?)',
    [e.time, e.actor, e.model, e.action, e.alias, e.fromVersion, e.toVersion, e.version, e.reason],
  );
  const id = Number(db.exec('SELECT last_insert_rowid()')[0].values[0][0]);
  return { id, ...e };
}
