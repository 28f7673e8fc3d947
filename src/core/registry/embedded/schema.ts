import type { Database } from 'sql.js';
import { MlopsError } from '../../errors';

/**
 * The embedded registry's schema, versioned. Each migration moves the schema one step forward inside
 * the mutation's transaction; a database newer than this code is refused rather than damaged.
 * JSON columns hold maps (tags, metrics, params) and the ONNX signature, read back whole.
 */
const MIGRATIONS: readonly string[] = [
  // 1: the first schema
  `
  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE models (
    name TEXT PRIMARY KEY,
    description TEXT NOT NULL DEFAULT '',
    tags TEXT NOT NULL DEFAULT '{}',
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    last_version INTEGER NOT NULL DEFAULT 0
  );
  CREATE TABLE versions (
    model TEXT NOT NULL REFERENCES models(name) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('active', 'archived')),
    description TEXT NOT NULL DEFAULT '',
    tags TEXT NOT NULL DEFAULT '{}',
    metrics TEXT NOT NULL DEFAULT '{}',
    params TEXT NOT NULL DEFAULT '{}',
    sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
    size INTEGER NOT NULL,
    file_name TEXT NOT NULL,
    source TEXT NOT NULL,
    signature TEXT,
    onnx TEXT,
    created_at INTEGER NOT NULL,
    created_by TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    parent_version INTEGER,
    run_id TEXT,
    PRIMARY KEY (model, version)
  );
  CREATE INDEX versions_sha256 ON versions(sha256);
  CREATE TABLE aliases (
    model TEXT NOT NULL,
    alias TEXT NOT NULL,
    version INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (model, alias),
    FOREIGN KEY (model, version) REFERENCES versions(model, version) ON DELETE CASCADE
  );
  CREATE TABLE audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    time INTEGER NOT NULL,
    actor TEXT NOT NULL,
    model TEXT NOT NULL,
    action TEXT NOT NULL,
    alias TEXT,
    from_version INTEGER,
    to_version INTEGER,
    version INTEGER,
    reason TEXT
  );
  CREATE INDEX audit_model ON audit(model, id);
  `,
  // 2: a retried push with the same idempotency key finds the version it registered (push.ts pushKey)
  `
  ALTER TABLE versions ADD COLUMN push_key TEXT;
  CREATE INDEX versions_push_key ON versions(model, push_key);
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

export function schemaVersion(db: Database): number {
  const hasMeta = db.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'");
  if (hasMeta.length === 0) return 0;
  const r = db.exec("SELECT value FROM meta WHERE key = 'schema_version'");
  return r.length ? Number(r[0].values[0][0]) : 0;
}

/** Refuses databases written by a newer version of MLOps Studio. */
export function assertReadable(db: Database, file: string): number {
  const v = schemaVersion(db);
  if (v > SCHEMA_VERSION) {
    throw new MlopsError(
      'INVALID_STATE',
      `${file} was written by a newer MLOps Studio (schema ${v}; this one reads up to ${SCHEMA_VERSION}).`,
      'Update MLOps Studio (extension or CLI) to use this registry.',
    );
  }
  return v;
}

/** Brings the schema up to date; runs inside the caller's transaction. Returns true if it changed. */
export function migrate(db: Database, file: string): boolean {
  const from = assertReadable(db, file);
  if (from === 0) {
    const tables = db.exec("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'");
    if (tables.length && tables[0].values.length) {
      throw new MlopsError(
        'CORRUPT',
        `${file} is a SQLite database but not an MLOps registry.`,
        'Point --registry / mlops.registry.uri at a registry folder, or move that file away.',
      );
    }
  }
  for (let v = from; v < SCHEMA_VERSION; v++) db.exec(MIGRATIONS[v]);
  if (from < SCHEMA_VERSION) {
    db.run("INSERT OR REPLACE INTO meta(key, value) VALUES ('schema_version', ?)", [String(SCHEMA_VERSION)]);
    if (from === 0) db.run("INSERT OR REPLACE INTO meta(key, value) VALUES ('created_at', ?)", [String(Date.now())]);
    return true;
  }
  return false;
}
