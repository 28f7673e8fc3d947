import { MlopsError } from '../../errors';
import type { ActionContext, AuditEvent, VersionStatus } from '../types';
import type { MlflowClient } from './client';
import { aliasesOf, statusOf } from './convert';
import type { Lookups } from './lookups';
import { TAG } from './tags';
import type { Logger } from './transport';
import { UndoLog } from './undo';
import type { RegisteredModelJson } from './wire';

/**
 * Changes to aliases and version status, each several MLflow calls: the change, then its audit event.
 * A failing later call undoes the earlier ones (undo.ts); the step that cannot be undone (deleting a
 * version) comes last. The history is trimmed to its cap only once the change succeeded.
 */
export class Changes {
  constructor(
    private readonly client: MlflowClient,
    private readonly lookups: Lookups,
    private readonly log?: Logger,
  ) {}

  private async run<T>(
    model: string,
    rm: RegisteredModelJson,
    events: number,
    steps: (undo: UndoLog) => Promise<T>,
  ): Promise<T> {
    const undo = new UndoLog(this.log);
    let out: T;
    try {
      out = await steps(undo);
    } catch (e) {
      throw await undo.unwind(e);
    }
    await this.lookups.trimHistory(model, rm, events);
    return out;
  }

  async setStatus(model: string, version: number, status: VersionStatus, ctx: ActionContext): Promise<AuditEvent> {
    const { rm, mv } = await this.lookups.modelAndVersion(model, version);
    const before = statusOf(mv);
    if (before === status)
      throw new MlopsError('INVALID_STATE', `Version ${version} of model "${model}" is already ${status}.`);
    if (status === 'archived') {
      const held = Object.entries(aliasesOf(rm))
        .filter(([, v]) => v === version)
        .map(([a]) => `@${a}`);
      if (held.length) {
        throw new MlopsError(
          'INVALID_STATE',
          `Version ${version} of model "${model}" holds ${held.join(', ')} and cannot be archived while it serves.`,
          'Move the alias first (promote another version or roll back), then archive.',
        );
      }
    }
    return this.run(model, rm, 1, async (undo) => {
      await this.client.setVersionTag(model, version, TAG.status, status);
      undo.add(`status tag of version ${version}`, () => this.client.setVersionTag(model, version, TAG.status, before));
      const [e] = await this.lookups.record(
        model,
        rm,
        ctx,
        [{ action: status === 'archived' ? 'archive' : 'restore', version }],
        undo,
      );
      return e;
    });
  }

  /** MLflow would leave the version's aliases dangling: they are removed (and recorded) first. */
  async deleteVersion(model: string, version: number, ctx: ActionContext): Promise<void> {
    const { rm } = await this.lookups.modelAndVersion(model, version);
    const held = Object.entries(aliasesOf(rm))
      .filter(([, v]) => v === version)
      .map(([a]) => a)
      .sort();
    await this.run(model, rm, held.length + 1, async (undo) => {
      for (const alias of held) {
        await this.client.deleteAlias(model, alias);
        undo.add(`alias "${alias}"`, () => this.client.setAlias(model, alias, version));
      }
      const events = [
        ...held.map((alias) => ({ action: 'remove-alias' as const, alias, fromVersion: version, toVersion: null })),
        { action: 'delete-version' as const, version },
      ];
      await this.lookups.record(model, rm, ctx, events, undo);
      await this.client.deleteVersion(model, version);
    });
  }

  async moveAlias(
    model: string,
    alias: string,
    from: number | null,
    to: number,
    rm: RegisteredModelJson,
    ctx: ActionContext,
    action: 'promote' | 'rollback',
  ): Promise<AuditEvent> {
    return this.run(model, rm, 1, async (undo) => {
      await this.client.setAlias(model, alias, to);
      undo.add(`alias "${alias}"`, () =>
        from === null ? this.client.deleteAlias(model, alias) : this.client.setAlias(model, alias, from),
      );
      const [e] = await this.lookups.record(
        model,
        rm,
        ctx,
        [{ action, alias, fromVersion: from, toVersion: to }],
        undo,
      );
      return e;
    });
  }

  async removeAlias(model: string, alias: string, ctx: ActionContext): Promise<AuditEvent> {
    const rm = await this.lookups.model(model);
    const from = aliasesOf(rm)[alias];
    if (from === undefined)
      throw new MlopsError(
        'NOT_FOUND',
        `Model "${model}" has no alias "${alias}".`,
        `Run \`mlops show models:/${model}/latest\` to see its aliases.`,
      );
    return this.run(model, rm, 1, async (undo) => {
      await this.client.deleteAlias(model, alias);
      undo.add(`alias "${alias}"`, () => this.client.setAlias(model, alias, from));
      const [e] = await this.lookups.record(
        model,
        rm,
        ctx,
        [{ action: 'remove-alias', alias, fromVersion: from, toVersion: null }],
        undo,
      );
      return e;
    });
  }
}
