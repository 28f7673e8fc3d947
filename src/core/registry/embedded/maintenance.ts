import { MlopsError, throwIfAborted } from '../../errors';
import type { GcOptions, GcReport, OperationOptions, VerifyProblem, VerifyReport } from '../types';
import type { ArtifactStore } from './artifactStore';
import type { HeldLock } from './lock';
import type { RegistryFile } from './registryFile';
import type { Database } from 'sql.js';
import { CorruptValue, quickCheck } from './dbFile';
import { all, JSON_COLUMNS, jsonColumn, one } from './rows';
import { SCHEMA_VERSION } from './schema';

/** What `mlops verify` and `mlops gc` do on an embedded registry: whole-store checks, rarely run. */

/** The database's integrity, aliases that point nowhere, and every stored artifact's sha256 and size. */
export async function verifyRegistry(
  file: RegistryFile,
  store: ArtifactStore,
  opts: OperationOptions = {},
): Promise<VerifyReport> {
  const { rows, models, integrity, danglingAliases, damaged } = await file.read((db) => ({
    rows: all(db, 'SELECT model, version, sha256, size FROM versions ORDER BY model, version'),
    damaged: damagedValues(db),
    models: Number(one(db, 'SELECT count(*) AS n FROM models')?.n ?? 0),
    integrity: all(db, 'PRAGMA integrity_check').map((r) => String(Object.values(r)[0])),
    danglingAliases: all(
      db,
      "SELECT a.model, a.alias, a.version FROM aliases a LEFT JOIN versions v ON v.model = a.model AND v.version = a.version WHERE v.version IS NULL OR v.status != 'active'",
    ),
  }));
  const problems: VerifyProblem[] = [];
  if (integrity.join() !== 'ok') problems.push({ problem: `database integrity check failed: ${integrity.join('; ')}` });
  problems.push(...damaged);
  for (const a of danglingAliases) {
    problems.push({
      model: String(a.model),
      version: Number(a.version),
      problem: `alias @${String(a.alias)} points at a version that is missing or archived`,
    });
  }
  const checked = new Map<string, { sha256: string; size: number } | null>();
  let i = 0;
  for (const r of rows) {
    const sha = String(r.sha256);
    if (!checked.has(sha)) checked.set(sha, await store.check(sha, opts.signal));
    opts.onProgress?.({ stage: 'Checking artifacts', done: ++i, total: rows.length });
    const got = checked.get(sha);
    const where = { model: String(r.model), version: Number(r.version) };
    if (!got) problems.push({ ...where, problem: `artifact ${sha.slice(0, 12)}… is missing` });
    else if (got.sha256 !== sha)
      problems.push({
        ...where,
        problem: `artifact is corrupt (sha256 ${got.sha256.slice(0, 12)}…, expected ${sha.slice(0, 12)}…)`,
      });
    else if (got.size !== Number(r.size))
      problems.push({ ...where, problem: `artifact size ${got.size} differs from the recorded ${Number(r.size)}` });
  }
  const orphans = (await store.list()).filter((sha) => !checked.has(sha)).length;
  return {
    ok: problems.length === 0,
    models,
    versions: rows.length,
    artifactsChecked: checked.size,
    orphanArtifacts: orphans,
    problems,
    unverifiable: [],
  };
}

/** Rows whose JSON columns do not parse: reading such a version fails, so verify names each one. */
function damagedValues(db: Database): VerifyProblem[] {
  const out: VerifyProblem[] = [];
  const check = (table: 'models' | 'versions', key: string) => {
    const cols = JSON_COLUMNS[table].map(([c]) => c);
    for (const r of all(db, `SELECT ${key}, ${cols.join(', ')} FROM ${table} ORDER BY ${key}`)) {
      for (const [col, nullable] of JSON_COLUMNS[table]) {
        try {
          jsonColumn(r, col, null, nullable);
        } catch (e) {
          if (!(e instanceof CorruptValue)) throw e;
          out.push({
            model: String(r.model ?? r.name),
            version: r.version === undefined ? undefined : Number(r.version),
            problem: `${e.what}; restore registry.sqlite from a backup, or delete this ${r.version === undefined ? 'model' : 'version'}`,
          });
        }
      }
    }
  };
  check('models', 'name');
  check('versions', 'model, version');
  return out;
}

/**
 * gc deletes files, so it runs only on a registry it can fully trust: a database that passes SQLite's
 * integrity check, already at this code's schema, with every row readable. Anything less would make
 * referenced model files look unreferenced.
 */
async function assertHealthyForGc(file: RegistryFile): Promise<void> {
  const schema = await file.schemaOnDisk();
  const { integrity, damaged } = await file.read((db) => ({ integrity: quickCheck(db), damaged: damagedValues(db) }));
  const refuse = (why: string) => {
    throw new MlopsError(
      'INVALID_STATE',
      `mlops gc refuses to run: ${file.dbPath} ${why}, so it cannot tell which model files are in use.`,
      'Run `mlops verify` and repair or restore the registry first; no file was removed.',
    );
  };
  if (schema < SCHEMA_VERSION) refuse(`has schema ${schema}, not ${SCHEMA_VERSION}`);
  if (integrity.length) refuse(`fails SQLite's integrity check (${integrity.slice(0, 3).join('; ')})`);
  if (damaged.length) refuse(`has ${damaged.length} damaged row value${damaged.length === 1 ? '' : 's'}`);
}

/**
 * Removes stored artifacts no version row refers to, once unchanged for the grace period (a push
 * stores its file before its row). Holds the registry's lock while removing, so no commit can add a
 * reference between the read of the rows and the removals; a dry run only looks.
 */
export async function collectGarbage(file: RegistryFile, store: ArtifactStore, opts: GcOptions): Promise<GcReport> {
  if (!(opts.graceMs >= 0))
    throw new MlopsError(
      'INVALID_ARGUMENT',
      `The grace period must be a duration, not ${String(opts.graceMs)}.`,
      'Give it as 1h, 7d…',
    );
  const sweep = async (lock?: HeldLock): Promise<GcReport> => {
    await assertHealthyForGc(file);
    // Under the lock (unless a dry run), so no commit can add a reference between this read and the removals.
    const referenced = await file.read(
      (db) => new Set(all(db, 'SELECT DISTINCT sha256 FROM versions').map((r) => String(r.sha256))),
    );
    const cutoff = Date.now() - opts.graceMs;
    const report: GcReport = { dryRun: opts.dryRun === true, removed: [], bytesFreed: 0, keptRecent: 0, referenced: 0 };
    const stored = await store.list();
    for (const [i, sha] of stored.entries()) {
      throwIfAborted(opts.signal, 'Collecting garbage');
      opts.onProgress?.({ stage: 'Checking artifacts', done: i + 1, total: stored.length });
      if (referenced.has(sha)) {
        report.referenced++;
        continue;
      }
      let freed: number | null;
      if (opts.dryRun) {
        const st = await store.stat(sha);
        freed = st && st.mtimeMs < cutoff ? st.size : null;
      } else {
        // A sweep that outlived the lock's stale age may have lost it to a writer: stop removing then.
        await lock?.assertHeld();
        freed = await store.removeIfOlderThan(sha, cutoff);
      }
      if (freed === null) report.keptRecent++;
      else {
        report.removed.push({ sha256: sha, size: freed });
        report.bytesFreed += freed;
      }
    }
    return report;
  };
  if (opts.dryRun) return sweep();
  return file.locked(sweep);
}
