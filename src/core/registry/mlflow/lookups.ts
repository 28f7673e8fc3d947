import { MlopsError } from '../../errors';
import type { ActionContext, AuditEvent } from '../types';
import { encodeEvent, historyKey, keysBeyondLimit, nextEventId } from './auditTags';
import type { MlflowClient } from './client';
import { isMlflowError } from './remoteErrors';
import type { Logger } from './transport';
import type { UndoLog } from './undo';
import { tagsToRecord, type ModelVersionJson, type RegisteredModelJson } from './wire';

type NewEvent = Partial<AuditEvent> & Pick<AuditEvent, 'action'>;

/**
 * Reads shared by the registry, push and verify, with MLflow's "not found" turned into the same
 * sentences as the embedded registry's; and the writing of audit events as model tags.
 */
export class Lookups {
  constructor(
    readonly client: MlflowClient,
    private readonly historyLimit: number,
    private readonly log?: Logger,
  ) {}

  get server(): string {
    return this.client.server;
  }

  noModel(name: string): MlopsError {
    return new MlopsError(
      'NOT_FOUND',
      `There is no model named "${name}" on ${this.server}.`,
      'Run `mlops models` to list the models.',
    );
  }

  noVersion(model: string, version: number): MlopsError {
    return new MlopsError(
      'NOT_FOUND',
      `Model "${model}" has no version ${version} on ${this.server}.`,
      `Run \`mlops versions ${model}\` to list its versions.`,
    );
  }

  async model(name: string): Promise<RegisteredModelJson> {
    try {
      return await this.client.getModel(name);
    } catch (e) {
      throw isMlflowError(e, 'RESOURCE_DOES_NOT_EXIST') ? this.noModel(name) : e;
    }
  }

  async modelOrNull(name: string): Promise<RegisteredModelJson | null> {
    try {
      return await this.client.getModel(name);
    } catch (e) {
      if (isMlflowError(e, 'RESOURCE_DOES_NOT_EXIST')) return null;
      throw e;
    }
  }

  /** The model and one version, fetched together; says which of the two is missing. */
  async modelAndVersion(model: string, version: number): Promise<{ rm: RegisteredModelJson; mv: ModelVersionJson }> {
    const [rm, mv] = await Promise.allSettled([this.model(model), this.client.getVersion(model, version)]);
    if (rm.status === 'rejected') throw rm.reason;
    if (mv.status === 'rejected')
      throw isMlflowError(mv.reason, 'RESOURCE_DOES_NOT_EXIST') ? this.noVersion(model, version) : mv.reason;
    return { rm: rm.value, mv: mv.value };
  }

  /** Every version of a model, archived included, newest first. */
  async allVersions(model: string): Promise<ModelVersionJson[]> {
    const out: ModelVersionJson[] = [];
    let pageToken: string | undefined;
    do {
      const page = await this.client.searchVersions({
        model,
        maxResults: 1000,
        orderBy: ['version_number DESC'],
        pageToken,
      });
      out.push(...(page.model_versions ?? []));
      pageToken = page.next_page_token || undefined;
    } while (pageToken);
    return out;
  }

  /**
   * Appends events to the model's history tags (each undoable through `undo`). Ids continue from the
   * tags read at the start of the operation: MLflow offers no compare-and-set, so two writers recording
   * at the very same moment could pick the same id and one event would replace the other.
   */
  async record(
    model: string,
    rm: RegisteredModelJson,
    ctx: ActionContext,
    events: NewEvent[],
    undo?: UndoLog,
  ): Promise<AuditEvent[]> {
    let id = nextEventId(tagsToRecord(rm.tags));
    const time = Date.now();
    const reason = ctx.reason?.trim() ? ctx.reason.trim() : null;
    const out: AuditEvent[] = [];
    for (const partial of events) {
      const e: AuditEvent = {
        id: id++,
        time,
        actor: ctx.actor,
        model,
        alias: null,
        fromVersion: null,
        toVersion: null,
        version: null,
        reason,
        ...partial,
      };
      const key = historyKey(e.id);
      await this.client.setModelTag(model, key, encodeEvent(e));
      undo?.add(`history tag ${key} of model "${model}"`, () => this.client.deleteModelTag(model, key));
      out.push(e);
    }
    return out;
  }

  /** Drops the oldest events beyond the cap, once the operation succeeded; failing here is harmless. */
  async trimHistory(model: string, rm: RegisteredModelJson, added: number): Promise<void> {
    for (const key of keysBeyondLimit(tagsToRecord(rm.tags), this.historyLimit, added)) {
      await this.client
        .deleteModelTag(model, key)
        .catch((e: unknown) => this.log?.('warn', `could not trim ${key} of "${model}": ${String(e)}`));
    }
  }
}
