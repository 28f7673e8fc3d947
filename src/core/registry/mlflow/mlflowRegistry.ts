import path from 'node:path';
import { MlopsError, readOnlyRegistry } from '../../errors';
import { validateAlias, validateModelName, validateStringMap, validateVersionNumber } from '../names';
import { clampPageSize, decodePageToken, encodePageToken } from '../pageToken';
import type { Disposable, Registry } from '../registry';
import { planRollback } from '../rollback';
import type {
  ActionContext,
  AuditEvent,
  ListOptions,
  ListVersionsOptions,
  ModelVersion,
  OperationOptions,
  Page,
  PushInput,
  RegisteredModel,
  VerifyReport,
  VersionStatus,
} from '../types';
import { cachedVerified, copyVerified, versionFilePath } from './artifacts';
import { decodeEvents } from './auditTags';
import { Changes } from './changes';
import { MlflowClient } from './client';
import { aliasesOf, statusOf, toModel, toVersion } from './convert';
import { Lookups } from './lookups';
import { pushToMlflow } from './mlflowPush';
import { verifyMlflow } from './mlflowVerify';
import { resolveOptions, type MlflowOptions, type ResolvedOptions } from './options';
import { pollForChanges } from './poller';
import { readBackPushed } from './readBack';
import { isMlflowError } from './remoteErrors';
import { assertUserTagKeys } from './tags';
import { MlflowTransport } from './transport';
import { tagsToRecord, type ModelVersionJson } from './wire';

/**
 * The registry on an MLflow tracking server (Model Registry REST API 2.0), meaning the same as the
 * embedded one: versions, descriptions, tags and aliases are MLflow's own; our extra facts are `mlops.*`
 * tags (tags.ts) and the alias history is kept on the model (auditTags.ts). A change spanning several
 * calls undoes its earlier calls when a later one fails (undo.ts).
 */
export class MlflowRegistry implements Registry {
  readonly kind = 'mlflow' as const;
  readonly location: string;
  private readonly http: MlflowTransport;
  private readonly client: MlflowClient;
  private readonly lookups: Lookups;
  private readonly changes: Changes;
  private readonly watchers = new Set<Disposable>();
  private closed = false;
  private version: Promise<string> | undefined;

  private constructor(private readonly o: ResolvedOptions) {
    this.location = o.url;
    this.http = new MlflowTransport({
      url: o.url,
      credentials: o.credentials,
      tls: o.tls,
      timeoutMs: o.timeoutMs,
      retry: o.retry,
      log: o.log,
    });
    this.client = new MlflowClient(this.http);
    this.lookups = new Lookups(this.client, o.historyLimit, o.log);
    this.changes = new Changes(this.client, this.lookups, o.log);
  }

  /** Nothing is sent until the first call; use checkMlflowConnection() to test a server up front. */
  static async open(url: string, opts: MlflowOptions = {}): Promise<MlflowRegistry> {
    return new MlflowRegistry(resolveOptions(url, opts));
  }

  private get server(): string {
    return this.http.server;
  }

  private assertOpen(): void {
    if (this.closed) throw new MlopsError('INVALID_STATE', 'The registry was closed.');
  }

  private assertWritable(): void {
    this.assertOpen();
    if (this.o.readOnly) {
      throw readOnlyRegistry(this.location);
    }
  }

  // ---------------------------------------------------------------- registered models

  async listModels(opts: ListOptions = {}): Promise<Page<RegisteredModel>> {
    this.assertOpen();
    const size = clampPageSize(opts.maxResults);
    // MLflow's own token, wrapped so a damaged one is caught here with our usual message.
    const token = opts.pageToken
      ? decodePageToken(opts.pageToken, (v): v is string => typeof v === 'string' && v.length > 0)
      : undefined;
    const page = await this.client.searchModels({ maxResults: size, pageToken: token });
    const items = (page.registered_models ?? []).map(toModel);
    return page.next_page_token ? { items, nextPageToken: encodePageToken(page.next_page_token) } : { items };
  }

  async getModel(name: string): Promise<RegisteredModel> {
    validateModelName(name);
    this.assertOpen();
    return toModel(await this.lookups.model(name));
  }

  async createModel(
    name: string,
    init: { description?: string; tags?: Record<string, string> } = {},
  ): Promise<RegisteredModel> {
    validateModelName(name);
    const tags = validateStringMap('tag', init.tags);
    assertUserTagKeys(Object.keys(tags));
    this.assertWritable();
    try {
      await this.client.createModel(
        name,
        init.description ?? '',
        Object.entries(tags).map(([key, value]) => ({ key, value })),
      );
    } catch (e) {
      if (isMlflowError(e, 'RESOURCE_ALREADY_EXISTS')) {
        throw new MlopsError(
          'ALREADY_EXISTS',
          `A model named "${name}" already exists on ${this.server}.`,
          'Push a new version to it, or choose another name.',
        );
      }
      throw e;
    }
    return this.getModel(name);
  }

  async updateModel(
    name: string,
    change: { description?: string; tags?: Record<string, string | null> },
  ): Promise<RegisteredModel> {
    validateModelName(name);
    const tagChange = checkTagChange(change.tags);
    this.assertWritable();
    const rm = await this.lookups.model(name);
    if (change.description !== undefined) await this.client.updateModel(name, change.description);
    const existing = tagsToRecord(rm.tags);
    for (const [k, v] of Object.entries(tagChange)) {
      if (v !== null) await this.client.setModelTag(name, k, v);
      else if (k in existing) await this.client.deleteModelTag(name, k);
    }
    return this.getModel(name);
  }

  async deleteModel(name: string, _ctx: ActionContext): Promise<void> {
    validateModelName(name);
    this.assertWritable();
    await this.lookups.model(name);
    // Deleting the model deletes its versions, aliases and tags, our history included (documented).
    await this.client.deleteModel(name);
  }

  // ---------------------------------------------------------------- versions

  async listVersions(model: string, opts: ListVersionsOptions = {}): Promise<Page<ModelVersion>> {
    validateModelName(model);
    this.assertOpen();
    const size = clampPageSize(opts.maxResults);
    // Keyset paging on the version number, like the embedded backend: stable while versions come and go.
    const below = opts.pageToken
      ? decodePageToken(opts.pageToken, (v): v is number => Number.isInteger(v) && (v as number) > 0)
      : undefined;
    const rm = await this.lookups.model(model);
    const aliases = aliasesOf(rm);
    const kept: ModelVersionJson[] = [];
    let serverToken: string | undefined;
    do {
      const page = await this.client.searchVersions({
        model,
        below,
        maxResults: size + 1,
        orderBy: ['version_number DESC'],
        pageToken: serverToken,
      });
      for (const mv of page.model_versions ?? []) if (opts.includeArchived || statusOf(mv) === 'active') kept.push(mv);
      serverToken = page.next_page_token || undefined;
    } while (serverToken && kept.length <= size);
    kept.sort((a, b) => Number(b.version) - Number(a.version));
    const items = kept.slice(0, size).map((mv) => toVersion(mv, aliases));
    return kept.length > size ? { items, nextPageToken: encodePageToken(items[items.length - 1].version) } : { items };
  }

  async getVersion(model: string, version: number): Promise<ModelVersion> {
    validateModelName(model);
    validateVersionNumber(version);
    this.assertOpen();
    const { rm, mv } = await this.lookups.modelAndVersion(model, version);
    return toVersion(mv, aliasesOf(rm));
  }

  async getVersionByAlias(model: string, alias: string): Promise<ModelVersion> {
    validateModelName(model);
    validateAlias(alias);
    this.assertOpen();
    // From the model's aliases: GET registered-models/alias answers 400, not 404, for a missing alias.
    const rm = await this.lookups.model(model);
    const aliases = aliasesOf(rm);
    const v = aliases[alias];
    if (v === undefined) {
      throw new MlopsError(
        'NOT_FOUND',
        `Model "${model}" has no alias "${alias}".`,
        `Promote a version first (\`mlops promote ${model} <version> --alias ${alias}\`).`,
      );
    }
    try {
      return toVersion(await this.client.getVersion(model, v), aliases);
    } catch (e) {
      if (!isMlflowError(e, 'RESOURCE_DOES_NOT_EXIST')) throw e;
      throw new MlopsError(
        'NOT_FOUND',
        `The alias "${alias}" of model "${model}" points at version ${v}, which no longer exists on ${this.server}.`,
        `Promote another version to "${alias}".`,
      );
    }
  }

  async pushVersion(input: PushInput, ctx: ActionContext, opts: OperationOptions = {}): Promise<ModelVersion> {
    this.assertWritable();
    const pushed = await pushToMlflow(
      {
        client: this.client,
        http: this.http,
        lookups: this.lookups,
        experimentId: this.o.experimentId,
        log: this.o.log,
      },
      input,
      ctx,
      opts,
    );
    return readBackPushed(() => this.getVersion(input.model, pushed.version), pushed, {
      model: input.model,
      server: this.server,
      retry: this.o.retry,
      log: this.o.log,
    });
  }

  async updateVersion(
    model: string,
    version: number,
    change: { description?: string; tags?: Record<string, string | null> },
  ): Promise<ModelVersion> {
    validateModelName(model);
    validateVersionNumber(version);
    const tagChange = checkTagChange(change.tags);
    this.assertWritable();
    const { mv } = await this.lookups.modelAndVersion(model, version);
    if (change.description !== undefined) await this.client.updateVersion(model, version, change.description);
    const existing = tagsToRecord(mv.tags);
    for (const [k, v] of Object.entries(tagChange)) {
      if (v !== null) await this.client.setVersionTag(model, version, k, v);
      else if (k in existing) await this.client.deleteVersionTag(model, version, k);
    }
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
    this.assertWritable();
    return this.changes.setStatus(model, version, status, ctx);
  }

  async deleteVersion(model: string, version: number, ctx: ActionContext): Promise<void> {
    validateModelName(model);
    validateVersionNumber(version);
    this.assertWritable();
    await this.changes.deleteVersion(model, version, ctx);
  }

  // ---------------------------------------------------------------- aliases

  async promote(model: string, alias: string, version: number, ctx: ActionContext): Promise<AuditEvent | null> {
    validateModelName(model);
    validateAlias(alias);
    validateVersionNumber(version);
    this.assertWritable();
    const { rm, mv } = await this.lookups.modelAndVersion(model, version);
    if (statusOf(mv) === 'archived') {
      throw new MlopsError(
        'INVALID_STATE',
        `Version ${version} of model "${model}" is archived and cannot take the alias "${alias}".`,
        `Restore it first (\`mlops restore ${model} ${version}\`).`,
      );
    }
    const from = aliasesOf(rm)[alias] ?? null;
    if (from === version) return null; // already there: nothing to record
    return this.changes.moveAlias(model, alias, from, version, rm, ctx, 'promote');
  }

  /** The target comes from the history tags through planRollback(), exactly as on the embedded registry. */
  async rollback(model: string, alias: string, ctx: ActionContext): Promise<AuditEvent> {
    validateModelName(model);
    validateAlias(alias);
    this.assertWritable();
    const rm = await this.lookups.model(model);
    const current = aliasesOf(rm)[alias] ?? null;
    const status = new Map<number, VersionStatus>();
    if (current !== null)
      for (const mv of await this.lookups.allVersions(model)) status.set(Number(mv.version), statusOf(mv));
    const events = decodeEvents(model, tagsToRecord(rm.tags)).events;
    const aliases = current === null ? {} : { [alias]: current };
    const { to } = planRollback(
      { model, aliases, history: events, statusOf: (v) => status.get(v) ?? 'deleted' },
      alias,
    );
    return this.changes.moveAlias(model, alias, current, to, rm, ctx, 'rollback');
  }

  async removeAlias(model: string, alias: string, ctx: ActionContext): Promise<AuditEvent> {
    validateModelName(model);
    validateAlias(alias);
    this.assertWritable();
    return this.changes.removeAlias(model, alias, ctx);
  }

  async history(model: string, filter: { alias?: string } = {}): Promise<AuditEvent[]> {
    validateModelName(model);
    if (filter.alias !== undefined) validateAlias(filter.alias);
    this.assertOpen();
    const rm = await this.lookups.model(model);
    const events = decodeEvents(model, tagsToRecord(rm.tags)).events;
    return filter.alias === undefined ? events : events.filter((e) => e.alias === filter.alias);
  }

  // ---------------------------------------------------------------- artifacts

  async pullArtifact(model: string, version: number, destPath: string, opts: OperationOptions = {}): Promise<void> {
    const { file, sha256 } = await this.cached(model, version, opts);
    await copyVerified(file, path.resolve(destPath), sha256, `model "${model}" version ${version}`, this.server);
  }

  async localArtifactPath(model: string, version: number, opts: OperationOptions = {}): Promise<string> {
    return (await this.cached(model, version, opts)).file;
  }

  /** The version's file in the download cache, downloaded (and verified) when not there yet. */
  private async cached(
    model: string,
    version: number,
    opts: OperationOptions,
  ): Promise<{ file: string; sha256: string }> {
    const v = await this.getVersion(model, version);
    const remote = versionFilePath(this.server, v);
    const file = await cachedVerified(
      this.http,
      this.o.cacheDir,
      remote.file,
      remote.sha256,
      `model "${model}" version ${version}`,
      opts,
    );
    return { file, sha256: remote.sha256 };
  }

  async verify(opts: OperationOptions = {}): Promise<VerifyReport> {
    this.assertOpen();
    return verifyMlflow({ client: this.client, http: this.http, lookups: this.lookups }, opts);
  }

  /** What the server's GET /version answers (e.g. "2.17.0"), for the root of the Models tree. */
  async serverVersion(): Promise<string> {
    this.assertOpen();
    this.version ??= this.http.text('/version').then((v) => v.slice(0, 40));
    return this.version.catch((e: unknown) => {
      this.version = undefined;
      throw e;
    });
  }

  watch(listener: () => void): Disposable {
    const d = pollForChanges(this.client, this.o.pollIntervalMs, listener, this.o.log);
    this.watchers.add(d);
    return {
      dispose: () => {
        d.dispose();
        this.watchers.delete(d);
      },
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const w of this.watchers) w.dispose();
    this.watchers.clear();
    this.http.close();
  }
}

function checkTagChange(tags: Record<string, string | null> | undefined): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const [k, v] of Object.entries(tags ?? {})) out[k] = v === null ? null : validateStringMap('tag', { [k]: v })[k];
  assertUserTagKeys(Object.keys(out));
  return out;
}
