import { resolveModelRef } from '../../core/registry/resolve';
import { collectPages } from '../../core/registry/paging';
import { parseIntOption, parseModelRefArg } from '../args';
import type { CommandSpec } from '../context';
import { historyTable, modelsTable, versionDetails, versionsTable } from './render';

/** Read-only commands: models, versions, show, history. */

export const modelsCommand: CommandSpec = {
  name: 'models',
  summary: 'List the registered models with their latest version and aliases',
  usage: '[--json]',
  positionals: [0, 0],
  async run(ctx) {
    const reg = await ctx.registry();
    const { items } = await collectPages((pageToken, maxResults) => reg.listModels({ pageToken, maxResults }));
    ctx.print({ models: items }, () => modelsTable(items));
  },
};

export const versionsCommand: CommandSpec = {
  name: 'versions',
  summary: 'List the versions of a model, newest first',
  usage: '<model> [--all] [--limit <n>] [--json]',
  options: { all: { type: 'boolean' }, limit: { type: 'string' } },
  positionals: [1, 1],
  help: '--all also lists archived versions; --limit shows only the newest n.',
  async run(ctx, [model], values) {
    const reg = await ctx.registry();
    const limit = parseIntOption('limit', values.limit as string | undefined);
    const { items } = await collectPages(
      (pageToken, maxResults) =>
        reg.listVersions(model, { pageToken, maxResults, includeArchived: values.all === true }),
      limit,
    );
    ctx.print({ model, versions: items }, () => versionsTable(items));
  },
};

export const showCommand: CommandSpec = {
  name: 'show',
  summary: 'Show one version: metrics, params, tags, signature, sha256, lineage',
  usage: '<models:/name/version | models:/name@alias | models:/name/latest> [--json]',
  positionals: [1, 1],
  async run(ctx, [uri]) {
    const ref = parseModelRefArg(uri);
    const reg = await ctx.registry();
    const v = await resolveModelRef(reg, ref);
    ctx.print(v, () => versionDetails(v));
  },
};

export const historyCommand: CommandSpec = {
  name: 'history',
  summary: 'Show the audit history of a model (who moved which alias, when, why)',
  usage: '<model> [--alias <a>] [--json]',
  options: { alias: { type: 'string' } },
  positionals: [1, 1],
  async run(ctx, [model], values) {
    const reg = await ctx.registry();
    const events = await reg.history(model, { alias: values.alias as string | undefined });
    ctx.print({ model, events }, () => historyTable(events));
  },
};
