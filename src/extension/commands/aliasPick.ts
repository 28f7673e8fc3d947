import type { Registry } from '../../core/registry/registry';
import { validateAlias } from '../../core/registry/names';
import { rollbackTarget } from '../../core/registry/rollback';
import type { ModelVersion } from '../../core/registry/types';
import { readConfig } from '../config';
import { askText, pickOne, type PickItem } from '../ui/prompt';

const NEW_ALIAS = Symbol('new alias');

/**
 * Promote…'s choice: the configured promotion aliases (`mlops.promotion.aliases`), then the aliases the
 * model already uses, then "New alias…"; each says where it points now.
 */
export async function pickPromotionAlias(reg: Registry, v: ModelVersion): Promise<string> {
  const model = await reg.getModel(v.model);
  const names = [...new Set([...readConfig().promotionAliases, ...Object.keys(model.aliases)])];
  const items: PickItem<string | typeof NEW_ALIAS>[] = names.map((a) => {
    const holder = model.aliases[a];
    const where = holder === undefined ? 'not set' : holder === v.version ? 'already points here' : `now v${holder}`;
    return { label: `@${a}`, description: where, value: a };
  });
  items.push({ label: '$(add) New alias…', value: NEW_ALIAS });
  const picked = await pickOne(items, {
    title: `Promote ${v.model} v${v.version}`,
    placeHolder: 'Move which alias to this version?',
  });
  if (picked !== NEW_ALIAS) return picked;
  return (
    await askText({
      title: `Promote ${v.model} v${v.version}`,
      prompt: 'New alias: letters, digits, "_" and "-"',
      placeHolder: 'e.g. champion',
      validate: validateAlias,
    })
  ).trim();
}

/** Roll Back's choice when the version holds several aliases; each says where it would go. */
export async function pickRollbackAlias(
  reg: Registry,
  model: string,
  aliases: Record<string, number>,
  only?: string[],
): Promise<string> {
  const names = only ?? Object.keys(aliases);
  if (names.length === 1) return names[0];
  const history = await reg.history(model);
  const items = names.map((a) => {
    let description: string;
    try {
      description = `v${aliases[a]} → v${rollbackTarget(history, model, a, aliases[a] ?? null, () => true)}`;
    } catch {
      description = 'no earlier holder';
    }
    return { label: `@${a}`, description, value: a };
  });
  return pickOne(items, { title: `Roll back ${model}`, placeHolder: 'Which alias goes back to its previous version?' });
}
