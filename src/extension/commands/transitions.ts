import type * as vscode from 'vscode';
import { MlopsError } from '../../core/errors';
import { validateAlias } from '../../core/registry/names';
import type { AuditEvent } from '../../core/registry/types';
import { versionUri } from '../../core/registry/uri';
import { registerCommand } from '../boundary';
import { COMMANDS } from '../ids';
import { eventChange } from '../render/history';
import { askReason } from '../ui/prompt';
import { confirmModal, showInfo } from '../ui/toast';
import { pickPromotionAlias, pickRollbackAlias } from './aliasPick';
import { actionContext, type Deps } from './deps';
import { asModelName, asVersionRef, optionsArg, pickModel, targetVersion } from './target';

/**
 * Alias and status transitions. Each asks for an optional reason that lands in the audit history, and
 * does exactly what the CLI's promote / rollback / archive / restore / delete do (same core calls).
 * `opts` lets other extensions and tests answer the questions up front.
 */
export interface TransitionOptions {
  alias?: string;
  reason?: string;
  /** Delete without the modal confirmation (like the CLI's --yes). */
  confirm?: boolean;
}

export function registerTransitions(d: Deps): vscode.Disposable[] {
  const done = (model: string, e: AuditEvent) => {
    d.tree.refresh();
    void d.lastModel.set(model);
    showInfo(`${model}: ${eventChange(e)}${e.reason ? ` (${e.reason})` : ''}.`);
  };

  return [
    registerCommand(d.log, COMMANDS.promote, async (arg?: unknown, rawOpts?: unknown) => {
      const opts = optionsArg<TransitionOptions>(rawOpts);
      const reg = await d.service.get();
      const v = await targetVersion(reg, arg, 'Promote');
      const alias = validateAlias(opts.alias ?? (await pickPromotionAlias(reg, v)));
      const reason = opts.reason ?? (await askReason(`Promote ${v.model} v${v.version} to @${alias}`));
      const e = await reg.promote(v.model, alias, v.version, actionContext(reason));
      if (e) done(v.model, e);
      else showInfo(`@${alias} already points at ${versionUri(v.model, v.version)}; nothing changed.`);
      return e;
    }),

    registerCommand(d.log, COMMANDS.rollback, async (arg?: unknown, rawOpts?: unknown) => {
      const opts = optionsArg<TransitionOptions>(rawOpts);
      const reg = await d.service.get();
      const ref = asVersionRef(arg);
      const model = ref?.model ?? asModelName(arg) ?? (await pickModel(reg, 'Roll Back'));
      const aliases = (await reg.getModel(model)).aliases;
      const held = ref ? Object.keys(aliases).filter((a) => aliases[a] === ref.version) : Object.keys(aliases);
      if (held.length === 0) {
        const what = ref ? `Version ${ref.version} of "${model}" holds no alias` : `Model "${model}" has no alias`;
        throw new MlopsError('INVALID_STATE', `${what}, so there is nothing to roll back.`, 'Promote a version first.');
      }
      const alias = opts.alias ?? (await pickRollbackAlias(reg, model, held));
      if (!held.includes(alias))
        throw new MlopsError('INVALID_ARGUMENT', `Version ${ref?.version} of "${model}" does not hold @${alias}.`);
      const reason = opts.reason ?? (await askReason(`Roll back @${alias} of ${model} (now v${aliases[alias]})`));
      const e = await reg.rollback(model, alias, actionContext(reason));
      done(model, e);
      return e;
    }),

    registerCommand(d.log, COMMANDS.archive, async (arg?: unknown, rawOpts?: unknown) => {
      const opts = optionsArg<TransitionOptions>(rawOpts);
      const reg = await d.service.get();
      const v = await targetVersion(reg, arg, 'Archive');
      const reason = opts.reason ?? (await askReason(`Archive ${v.model} v${v.version}`));
      const e = await reg.setVersionStatus(v.model, v.version, 'archived', actionContext(reason));
      done(v.model, e);
      return e;
    }),

    registerCommand(d.log, COMMANDS.restore, async (arg?: unknown, rawOpts?: unknown) => {
      const opts = optionsArg<TransitionOptions>(rawOpts);
      const reg = await d.service.get();
      const v = await targetVersion(reg, arg, 'Restore', true);
      const reason = opts.reason ?? (await askReason(`Restore ${v.model} v${v.version}`));
      const e = await reg.setVersionStatus(v.model, v.version, 'active', actionContext(reason));
      done(v.model, e);
      return e;
    }),

    registerCommand(d.log, COMMANDS.deleteVersion, async (arg?: unknown, rawOpts?: unknown) => {
      const opts = optionsArg<TransitionOptions>(rawOpts);
      const reg = await d.service.get();
      const v = await targetVersion(reg, arg, 'Delete', true);
      const aliasNote = v.aliases.length
        ? ` Its aliases (${v.aliases.map((a) => `@${a}`).join(', ')}) are removed first.`
        : '';
      const ok =
        opts.confirm === true ||
        (await confirmModal(
          `Delete version ${v.version} of "${v.model}"?`,
          `This cannot be undone; the audit history keeps a record and the number ${v.version} is never reused.${aliasNote}`,
          'Delete',
        ));
      if (!ok) return false;
      const reason = opts.reason ?? (await askReason(`Delete ${v.model} v${v.version}`));
      await reg.deleteVersion(v.model, v.version, actionContext(reason));
      d.tree.refresh();
      showInfo(`Deleted ${versionUri(v.model, v.version)}.`);
      return true;
    }),
  ];
}
