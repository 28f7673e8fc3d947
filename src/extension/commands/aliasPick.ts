import type { Registry } from '../../core/registry/registry';
import { validateAlias } from '../../core/registry/names';
import { readRollbackState, rollbackMoves } from '../../core/registry/rollback';
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

/**
 * Roll Back's choice when the version holds several aliases; each says where it would go, computed by the
 * core's rule (`rollbackMoves`) on the state the backend reads, so the preview names the version the
 * rollback moves to. Aliases with no earlier holder are listed as such.
 */
export async function pickRollbackAlias(reg: Registry, model: string, held: string[]): Promise<string> {
  if (held.length === 1) return held[0];
  const state = await readRollbackState(reg, model);
  const moves = new Map(rollbackMoves(state).map((m) => [m.alias, m]));
  const items = held.map((a) => {
    const m = moves.get(a);
    return { label: `@${a}`, description: m ? `v${m.from} → v${m.to}` : 'no earlier holder', value: a };
  });
  return pickOne(items, { title: `Roll back ${model}`, placeHolder: 'Which alias goes back to its previous version?' });
}
