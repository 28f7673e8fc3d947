import type { Database, SqlValue } from 'sql.js';
import type { AuditAction, AuditEvent, RecordedVersion, RegisteredModel, VersionStatus } from '../types';

/** Row <-> object mapping for the embedded schema (schema.ts). */

export type Row = Record<string, SqlValue>;

export function all(db: Database, sql: string, params: SqlValue[] = []): Row[] {
  const st = db.prepare(sql);
  try {
    st.bind(params);
    const out: Row[] = [];
    while (st.step()) out.push(st.getAsObject() as Row);
    return out;
  } finally {
    st.free();
  }
}

export function one(db: Database, sql: string, params: SqlValue[] = []): Row | undefined {
  return all(db, sql, params)[0];
}

function json<T>(v: SqlValue, fallback: T): T {
  if (typeof v !== 'string' || v === '') return fallback;
  return JSON.parse(v) as T;
}

const num = (v: SqlValue): number | null => (v === null || v === undefined ? null : Number(v));

export function modelFromRow(r: Row, aliases: Record<string, number>): RegisteredModel {
  const last = Number(r.last_version);
  return {
    name: String(r.name),
    description: String(r.description ?? ''),
    tags: json(r.tags, {}),
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
    tags: json(r.tags, {}),
    metrics: json(r.metrics, {}),
    params: json(r.params, {}),
    artifact: {
      sha256: String(r.sha256),
      size: Number(r.size),
      fileName: String(r.file_name),
      source: String(r.source),
    },
    signature: json(r.signature, null),
    onnx: json(r.onnx, null),
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
