import { resolveModelRef } from '../../core/registry/resolve';
import { versionUri } from '../../core/registry/uri';
import { parseKeyValues, UsageError } from '../args';
import type { CommandSpec } from '../context';

/**
 * `mlops tag models:/churn/3 reference_data=data/train.csv owner=risk --remove stale`: sets and removes a
 * version's tags through Registry.updateVersion (the same call as Edit Tags… in VS Code). Other tags stay.
 */
export const tagCommand: CommandSpec = {
  name: 'tag',
  summary: "Set or remove a version's tags",
  usage: '<models:/name/version | models:/name@alias> [key=value]... [--remove <key>]...',
  options: { remove: { type: 'string', multiple: true } },
  positionals: [1, 1000],
  help: 'Example: mlops tag models:/churn/3 reference_data=data/train.csv --remove stale\nAn empty value (key=) sets the tag to "". Other tags are left as they are.',
  async run(ctx, [uri, ...pairs], values) {
    for (const p of pairs)
      if (p.indexOf('=') <= 0)
        throw new UsageError(`"${p}" is not key=value (to remove a tag, write --remove ${p}).`, 'tag');
    const set = parseKeyValues('tag', pairs);
    const remove = (values.remove as string[] | undefined) ?? [];
    if (Object.keys(set).length === 0 && remove.length === 0)
      throw new UsageError('give at least one key=value to set or one --remove <key>.', 'tag');
    const tags: Record<string, string | null> = { ...set };
    for (const key of remove) {
      if (key in set) throw new UsageError(`the tag "${key}" is both set and removed.`, 'tag');
      tags[key] = null;
    }
    const reg = await ctx.registry();
    const target = await resolveModelRef(reg, uri);
    const v = await reg.updateVersion(target.model, target.version, { tags });
    ctx.print({ model: v.model, version: v.version, tags: v.tags }, () => {
      const lines = Object.entries(v.tags).map(([k, val]) => `  ${k}=${val}`);
      return `Tags of ${versionUri(v.model, v.version)}:${lines.length ? `\n${lines.join('\n')}` : ' none'}`;
    });
  },
};
