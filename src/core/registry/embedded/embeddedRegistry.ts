import { promises as fsp } from 'node:fs';
import path from 'node:path';
import type { SqlValue } from 'sql.js';
import { MlopsError } from '../../errors';
import { fsError, isNodeError } from '../../util/fsx';
import {
  validateAlias,
  validateEmbeddedModelName,
  validateModelName,
  validateStringMap,
  validateVersionNumber,
} from '../names';
import { clampPageSize, decodePageToken, encodePageToken } from '../pageToken';
import type { Disposable, Registry } from '../registry';
import { planRollback } from '../rollback';
import type {
  ActionContext,
  AuditEvent,
  GcOptions,
  GcReport,
  ListOptions,
  ListVersionsOptions,
  ModelVersion,
  OperationOptions,
  Page,
  PushInput,
  RecordedVersion,
  RegisteredModel,
  VerifyReport,
  VersionStatus,
} from '../types';
import { ArtifactStore, corruptArtifact, missingArtifact } from './artifactStore';
import { collectGarbage, verifyRegistry } from './maintenance';
import { RegistryFile, type RegistryFileOptions } from './registryFile';
import { aliasesOf, assertCanHold, auditEvent, holder, modelRow, setAlias, toVersion, versionRow } from './queries';
import { all, eventFromRow, jsonColumn, modelFromRow, one, versionFromRow } from './rows';

export { DB_FILE } from './registryFile';

const PUSHED_WITH_KEY = 'SELECT version FROM versions WHERE model = ? AND push_key = ? ORDER BY version LIMIT 1';

export interface EmbeddedOptions extends RegistryFileOptions {
  /** Create the folder and an empty registry when none exists (default false: a clear error instead). */
  create?: boolean;
}

/**
 * The registry in a workspace folder: `.mlops/registry.sqlite` (sql.js, see RegistryFile for how
 * several processes share it) and a content-addressed artifact store. This class is the Registry
 * contract in SQL; the file, its lock and its reloads live in RegistryFile.
 */
export class EmbeddedRegistry implements Registry {
  readonly kind = 'embedded' as const;
  readonly location: string;
  private readonly store: ArtifactStore;
  private readonly file: RegistryFile;

  private constructor(
    readonly dir: string,
    opts: EmbeddedOptions,
  ) {
    this.location = dir;
    this.store = new ArtifactStore(path.join(dir, 'artifacts'));
    this.file = new RegistryFile(dir, this.store, opts);
  }

  static async open(dir: string, opts: EmbeddedOptions = {}): Promise<EmbeddedRegistry> {
    const reg = new EmbeddedRegistry(path.resolve(dir), opts);
    await assertFolder(reg.dir);
    if (!(await reg.file.exists())) {
      if (!opts.create || opts.readOnly) {
        throw new MlopsError(
          'NOT_FOUND',
          `There is no registry at ${reg.dir}.`,
          'Run `mlops init` (or push a model) to create one, or point --registry / mlops.registry.uri at an existing one.',
          { reason: 'NO_REGISTRY' },
        );
      }
      try {
        await fsp.mkdir(reg.dir, { recursive: true });
      } catch (e) {
        throw fsError(e, 'create the registry folder', reg.dir);
      }
      await reg.file.create();
    } else {
      await reg.file.read(() => undefined);
    }
    return reg;
  }

  // ---------------------------------------------------------------- registered models

  async listModels(opts: ListOptions = {}): Promise<Page<RegisteredModel>> {
    const size = clampPageSize(opts.maxResults);
    const after = opts.pageToken ? decodePageToken(opts.pageToken, (v): v is string => typeof v === 'string') : null;
    return this.file.read((db) => {
      const rows =
        after === null
          ? all(db, 'SELECT * FROM models ORDER BY name LIMIT ?', [size + 1])
          : all(db, 'SELECT * FROM models WHERE name > ? ORDER BY name LIMIT ?', [after, size + 1]);
      const items = rows.slice(0, size).map((r) => modelFromRow(r, aliasesOf(db, String(r.name))));
      return rows.length > size ? { items, nextPageToken: encodePageToken(items[items.length - 1].name) } : { items };
    });
  }

  async getModel(name: string): Promise<RegisteredModel> {
    validateModelName(name);
    return this.file.read((db) => modelFromRow(modelRow(db, this.dir, name), aliasesOf(db, name)));
  }

  async createModel(
    name: string,
    init: { description?: string; tags?: Record<string, string> } = {},
  ): Promise<RegisteredModel> {
    validateEmbeddedModelName(name);
    const tags = validateStringMap('tag', init.tags);
    await this.file.mutate((db, now) => {
      if (one(db, 'SELECT 1 FROM models WHERE name = ?', [name])) {
        throw new MlopsError(
          'ALREADY_EXISTS',
          `A model named "${name}" already exists.`,
          'Push a new version to it, or choose another name.',
        );
      }
      db.run('INSERT INTO models(name, description, tags, created_at, updated_at) VALUES (?,?,?,?,?)', [
        name,
        init.description ?? '',
        JSON.stringify(tags),
        now,
        now,
      ]);
    });
    return this.getModel(name);
  }

  async updateModel(
    name: string,
    change: { description?: string; tags?: Record<string, string | null> },
  ): Promise<RegisteredModel> {
    validateModelName(name);
    await this.file.mutate((db, now) => {
      const r = modelRow(db, this.dir, name);
      const tags = applyTagChange(jsonColumn<Record<string, string>>(r, 'tags', {}), change.tags);
      db.run('UPDATE models SET description = ?, tags = ?, updated_at = ? WHERE name = ?', [
        change.description ?? String(r.description),
        JSON.stringify(tags),
        now,
        name,
      ]);
    });
    return this.getModel(name);
  }

  async deleteModel(name: string, ctx: ActionContext): Promise<void> {
    validateModelName(name);
    await this.file.mutate((db, now) => {
      modelRow(db, this.dir, name);
      db.run('DELETE FROM aliases WHERE model = ?', [name]);
      db.run('DELETE FROM versions WHERE model = ?', [name]);
      db.run('DELETE FROM models WHERE name = ?', [name]);
      auditEvent(db, now, ctx, { model: name, action: 'delete-model' });
    });
  }

  // ---------------------------------------------------------------- versions

  async listVersions(model: string, opts: ListVersionsOptions = {}): Promise<Page<ModelVersion>> {
    validateModelName(model);
    const size = clampPageSize(opts.maxResults);
    const before = opts.pageToken ? decodePageToken(opts.pageToken, (v): v is number => Number.isInteger(v)) : null;
    return this.file.read((db) => {
      modelRow(db, this.dir, model);
      const where = ['model = ?'];
      const params: SqlValue[] = [model];
      if (!opts.includeArchived) where.push("status = 'active'");
      if (before !== null) {
        where.push('version < ?');
        params.push(before);
      }
      params.push(size + 1);
      const rows = all(db, `SELECT * FROM versions WHERE ${where.join(' AND ')} ORDER BY version DESC LIMIT ?`, params);
      const aliases = aliasesOf(db, model);
      const byVersion = new Map<number, string[]>();
      for (const [a, v] of Object.entries(aliases)) byVersion.set(v, [...(byVersion.get(v) ?? []), a]);
      const items = rows.slice(0, size).map((r) => versionFromRow(r, byVersion.get(Number(r.version)) ?? []));
      return rows.length > size
        ? { items, nextPageToken: encodePageToken(items[items.length - 1].version) }
        : { items };
    });
  }

  async getVersion(model: string, version: number): Promise<RecordedVersion> {
    validateModelName(model);
    validateVersionNumber(version);
    return this.file.read((db) => toVersion(db, versionRow(db, this.dir, model, version)));
  }

  async getVersionByAlias(model: string, alias: string): Promise<ModelVersion> {
    validateModelName(model);
    validateAlias(alias);
    return this.file.read((db) => {
      modelRow(db, this.dir, model);
      const v = holder(db, model, alias);
      if (v === null) {
        throw new MlopsError(
          'NOT_FOUND',
          `Model "${model}" has no alias "${alias}".`,
          `Promote a version first (\`mlops promote ${model} <version> --alias ${alias}\`).`,
        );
      }
      return toVersion(db, versionRow(db, this.dir, model, v));
    });
  }

  async pushVersion(input: PushInput, ctx: ActionContext, opts: OperationOptions = {}): Promise<RecordedVersion> {
    validateEmbeddedModelName(input.model);
    // Loaded on first push only: the ONNX reader (protobufjs and its schema) costs every read command
    // ~25 ms of start-up otherwise.
    const { preparePush } = await import('../push');
    const p = await preparePush(input, opts);
    this.file.assertWritable(); // before touching the store
    if (p.input.parentVersion !== undefined) {
      // Checked before storing so a bad parent leaves no file behind (checked again under the lock).
      await this.file.read((db) => versionRow(db, this.dir, p.input.model, p.input.parentVersion as number));
    }
    // The artifact is durable before any row refers to it; a crash after this leaves only an orphan.
    await this.store.put(p.bytes, p.sha256, opts);
    opts.onProgress?.({ stage: 'Registering' });
    // Under the lock, before the row: the file must still be there. `mlops gc` (which holds the lock
    // while it removes) may have taken an identical unreferenced copy between the put and now.
    const ensureStored = async () => {
      if (!(await this.store.exists(p.sha256))) await this.store.put(p.bytes, p.sha256, opts);
    };
    const version = await this.file.mutate((db, now) => {
      const { model, parentVersion, alias } = p.input;
      // A retry of a push that already registered this file under this key: that version, unchanged.
      const done = p.pushKey === null ? undefined : one(db, PUSHED_WITH_KEY, [model, p.pushKey]);
      if (done) return Number(done.version);
      let m = one(db, 'SELECT * FROM models WHERE name = ?', [model]);
      if (!m) {
        db.run('INSERT INTO models(name, created_at, updated_at) VALUES (?,?,?)', [model, now, now]);
        m = modelRow(db, this.dir, model);
      }
      if (parentVersion !== undefined) versionRow(db, this.dir, model, parentVersion);
      const v = Number(m.last_version) + 1;
      db.run(
        `INSERT INTO versions(model, version, status, description, tags, metrics, params, sha256, size, file_name, source,
           signature, onnx, created_at, created_by, updated_at, parent_version, run_id, push_key)
         VALUES (?,?, 'active', ?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
        [
          model,
          v,
          p.input.description ?? '',
          JSON.stringify(p.input.tags),
          JSON.stringify(p.input.metrics),
          JSON.stringify(p.input.params),
          p.sha256,
          p.bytes.length,
          p.fileName,
          p.source,
          JSON.stringify(p.inspection.signature),
          JSON.stringify(p.inspection.summary),
          now,
          ctx.actor,
          now,
          parentVersion ?? null,
          p.input.runId ?? null,
          p.pushKey,
        ],
      );
      db.run('UPDATE models SET last_version = ?, updated_at = ? WHERE name = ?', [v, now, model]);
      auditEvent(db, now, ctx, { model, action: 'create-version', version: v });
      if (alias !== undefined) {
        auditEvent(db, now, ctx, {
          model,
          action: 'promote',
          alias,
          fromVersion: holder(db, model, alias),
          toVersion: v,
        });
        setAlias(db, now, model, alias, v);
      }
      return v;
    }, ensureStored);
    return this.getVersion(p.input.model, version);
  }

  async updateVersion(
    model: string,
    version: number,
    change: { description?: string; tags?: Record<string, string | null> },
  ): Promise<ModelVersion> {
    validateModelName(model);
    validateVersionNumber(version);
    await this.file.mutate((db, now) => {
      const r = versionRow(db, this.dir, model, version);
      const tags = applyTagChange(jsonColumn<Record<string, string>>(r, 'tags', {}), change.tags);
      db.run('UPDATE versions SET description = ?, tags = ?, updated_at = ? WHERE model = ? AND version = ?', [
        change.description ?? String(r.description),
        JSON.stringify(tags),
        now,
        model,
        version,
      ]);
    });
    return this.getVersion(model, version);
  }

  async setVersionStatus(
    model: string,
    version: number,
    status: VersionStatus,
    ctx: ActionContext,
  ): Promise<AuditEvent> {
    validateModelName(model);
    validateVersionNumber(version);
    if (status !== 'active' && status !== 'archived') {
      throw new MlopsError(
        'INVALID_ARGUMENT',
        `"${String(status)}" is not a version status.`,
        'Use "active" or "archived".',
      );
    }
    return this.file.mutate((db, now) => {
      const r = versionRow(db, this.dir, model, version);
      if (r.status === status) {
        throw new MlopsError('INVALID_STATE', `Version ${version} of model "${model}" is already ${status}.`);
      }
      if (status === 'archived') {
        const held = all(db, 'SELECT alias FROM aliases WHERE model = ? AND version = ?', [model, version]).map(
          (a) => `@${String(a.alias)}`,
        );
        if (held.length) {
          throw new MlopsError(
            'INVALID_STATE',
            `Version ${version} of model "${model}" holds ${held.join(', ')} and cannot be archived while it serves.`,
            'Move the alias first (promote another version or roll back), then archive.',
          );
        }
      }
      db.run('UPDATE versions SET status = ?, updated_at = ? WHERE model = ? AND version = ?', [
        status,
        now,
        model,
        version,
      ]);
      return auditEvent(db, now, ctx, { model, action: status === 'archived' ? 'archive' : 'restore', version });
    });
  }

  async deleteVersion(model: string, version: number, ctx: ActionContext): Promise<void> {
    validateModelName(model);
    validateVersionNumber(version);
    await this.file.mutate((db, now) => {
      versionRow(db, this.dir, model, version);
      for (const a of all(db, 'SELECT alias FROM aliases WHERE model = ? AND version = ? ORDER BY alias', [
        model,
        version,
      ])) {
        auditEvent(db, now, ctx, {
          model,
          action: 'remove-alias',
          alias: String(a.alias),
          fromVersion: version,
          toVersion: null,
        });
      }
      db.run('DELETE FROM aliases WHERE model = ? AND version = ?', [model, version]);
      db.run('DELETE FROM versions WHERE model = ? AND version = ?', [model, version]);
      db.run('UPDATE models SET updated_at = ? WHERE name = ?', [now, model]);
      auditEvent(db, now, ctx, { model, action: 'delete-version', version });
    });
    // The artifact stays (another version or a concurrent push may share it); `mlops verify` counts
    // orphans and `mlops gc` removes them after a grace period.
  }

  // ---------------------------------------------------------------- aliases

  async promote(model: string, alias: string, version: number, ctx: ActionContext): Promise<AuditEvent | null> {
    validateModelName(model);
    validateAlias(alias);
    validateVersionNumber(version);
    return this.file.mutate((db, now) => {
      assertCanHold(db, this.dir, model, version, alias);
      const from = holder(db, model, alias);
      if (from === version) return null; // already there: nothing to record
      setAlias(db, now, model, alias, version);
      return auditEvent(db, now, ctx, { model, action: 'promote', alias, fromVersion: from, toVersion: version });
    });
  }

  async rollback(model: string, alias: string, ctx: ActionContext): Promise<AuditEvent> {
    validateModelName(model);
    validateAlias(alias);
    return this.file.mutate((db, now) => {
      modelRow(db, this.dir, model);
      const current = holder(db, model, alias);
      const { to } = planRollback(
        {
          model,
          aliases: current === null ? {} : { [alias]: current },
          history: all(db, 'SELECT * FROM audit WHERE model = ? ORDER BY id', [model]).map(eventFromRow),
          statusOf: (v) => {
            const r = one(db, 'SELECT status FROM versions WHERE model = ? AND version = ?', [model, v]);
            return r ? (r.status as VersionStatus) : 'deleted';
          },
        },
        alias,
      );
      setAlias(db, now, model, alias, to);
      return auditEvent(db, now, ctx, { model, action: 'rollback', alias, fromVersion: current, toVersion: to });
    });
  }

  async removeAlias(model: string, alias: string, ctx: ActionContext): Promise<AuditEvent> {
    validateModelName(model);
    validateAlias(alias);
    return this.file.mutate((db, now) => {
      modelRow(db, this.dir, model);
      const from = holder(db, model, alias);
      if (from === null)
        throw new MlopsError(
          'NOT_FOUND',
          `Model "${model}" has no alias "${alias}".`,
          `Run \`mlops show models:/${model}/latest\` to see its aliases.`,
        );
      db.run('DELETE FROM aliases WHERE model = ? AND alias = ?', [model, alias]);
      return auditEvent(db, now, ctx, { model, action: 'remove-alias', alias, fromVersion: from, toVersion: null });
    });
  }

  async history(model: string, filter: { alias?: string } = {}): Promise<AuditEvent[]> {
    validateModelName(model);
    if (filter.alias !== undefined) validateAlias(filter.alias);
    return this.file.read((db) => {
      const rows =
        filter.alias === undefined
          ? all(db, 'SELECT * FROM audit WHERE model = ? ORDER BY id', [model])
          : all(db, 'SELECT * FROM audit WHERE model = ? AND alias = ? ORDER BY id', [model, filter.alias]);
      if (rows.length === 0) modelRow(db, this.dir, model); // unknown model: say so rather than print nothing
      return rows.map(eventFromRow);
    });
  }

  // ---------------------------------------------------------------- artifacts

  async pullArtifact(model: string, version: number, destPath: string, opts: OperationOptions = {}): Promise<void> {
    const v = await this.getVersion(model, version);
    await this.store.copyVerified(
      v.artifact.sha256,
      path.resolve(destPath),
      `model "${model}" version ${version}`,
      opts,
    );
  }

  async localArtifactPath(model: string, version: number, opts: OperationOptions = {}): Promise<string> {
    const v = await this.getVersion(model, version);
    const got = await this.store.check(v.artifact.sha256, opts.signal);
    const what = `model "${model}" version ${version}`;
    if (!got) throw missingArtifact(what, v.artifact.sha256);
    if (got.sha256 !== v.artifact.sha256) throw corruptArtifact(what, v.artifact.sha256, got.sha256);
    return this.store.pathOf(v.artifact.sha256);
  }

  verify(opts: OperationOptions = {}): Promise<VerifyReport> {
    return verifyRegistry(this.file, this.store, opts);
  }

  collectGarbage(opts: GcOptions): Promise<GcReport> {
    return collectGarbage(this.file, this.store, opts);
  }

  // ---------------------------------------------------------------- change notification

  watch(listener: () => void): Disposable {
    return this.file.watch(listener);
  }

  async close(): Promise<void> {
    await this.file.close();
  }
}

/** A registry location that exists but is a file (or a FIFO...) is named as such, not "no registry". */
async function assertFolder(dir: string): Promise<void> {
  let st;
  try {
    st = await fsp.stat(dir);
  } catch (e) {
    if (isNodeError(e, 'ENOENT')) return;
    throw fsError(e, 'open the registry at', dir);
  }
  if (!st.isDirectory()) {
    throw new MlopsError(
      'INVALID_ARGUMENT',
      `${dir} is a file, not a registry folder.`,
      'Point --registry / mlops.registry.uri at the folder that holds registry.sqlite (by default .mlops).',
    );
  }
}

function applyTagChange(
  tags: Record<string, string>,
  change: Record<string, string | null> | undefined,
): Record<string, string> {
  const out = { ...tags };
  for (const [k, v] of Object.entries(change ?? {})) {
    if (v === null) delete out[k];
    else out[k] = validateStringMap('tag', { [k]: v })[k];
  }
  return out;
}
