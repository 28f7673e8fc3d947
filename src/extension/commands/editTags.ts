import type * as vscode from 'vscode';
import { MlopsError } from '../../core/errors';
import { versionUri } from '../../core/registry/uri';
import { registerCommand } from '../boundary';
import { COMMANDS } from '../ids';
import { askText, pickOne } from '../ui/prompt';
import { showInfo } from '../ui/toast';
import type { Deps } from './deps';
import { optionsArg, targetVersion } from './target';
import { TRAINING_DATA_TAG } from './pushQuestions';

/** Answers given up front (other extensions, tests), like `mlops tag <uri> k=v --remove k`. */
export interface EditTagsOptions {
  set?: Record<string, string>;
  remove?: string[];
}

const ADD = Symbol('add');

/**
 * Edit Tags… on a version: add a tag, change one's value or remove it, through Registry.updateVersion
 * (the same call as `mlops tag`). One change per run; the tree and open documents refresh.
 */
export function registerEditTags(d: Deps): vscode.Disposable {
  return registerCommand(d.log, COMMANDS.editTags, async (arg?: unknown, rawOpts?: unknown) => {
    const opts = optionsArg<EditTagsOptions>(rawOpts);
    const reg = await d.service.get();
    const v = await targetVersion(reg, arg, 'Edit Tags', true);
    const change = opts.set || opts.remove ? fromOptions(opts) : await askChange(v.model, v.version, v.tags);
    const updated = await reg.updateVersion(v.model, v.version, { tags: change });
    d.tree.refresh();
    void d.lastModel.set(v.model);
    const what = Object.entries(change)
      .map(([k, val]) => (val === null ? `removed ${k}` : `${k}=${val}`))
      .join(', ');
    showInfo(`${versionUri(v.model, v.version)}: ${what}.`);
    return updated;
  });
}

function fromOptions(opts: EditTagsOptions): Record<string, string | null> {
  const out: Record<string, string | null> = { ...opts.set };
  for (const k of opts.remove ?? []) {
    if (k in out) throw new MlopsError('INVALID_ARGUMENT', `The tag "${k}" is both set and removed.`);
    out[k] = null;
  }
  if (Object.keys(out).length === 0) throw new MlopsError('INVALID_ARGUMENT', 'No tag to set or remove was given.');
  return out;
}

async function askChange(
  model: string,
  version: number,
  tags: Record<string, string>,
): Promise<Record<string, string | null>> {
  const title = `Edit Tags of ${model} v${version}`;
  const picked = await pickOne<string | typeof ADD>(
    [
      { label: '$(add) Add a tag…', value: ADD },
      ...Object.entries(tags).map(([k, val]) => ({ label: k, description: val, value: k })),
    ],
    { title, placeHolder: Object.keys(tags).length ? 'Pick a tag to change or remove, or add one' : 'No tags yet' },
  );
  if (picked === ADD) {
    const typed = await askText({
      title,
      prompt: `key=value. The training data for Show Drift is the tag ${TRAINING_DATA_TAG}.`,
      placeHolder: `e.g. ${TRAINING_DATA_TAG}=data/train.csv`,
      validate: parseTag,
    });
    const [k, val] = parseTag(typed);
    return { [k]: val };
  }
  const action = await pickOne(
    [
      { label: '$(edit) Change the value…', value: 'change' as const },
      { label: '$(trash) Remove the tag', value: 'remove' as const },
    ],
    { title, placeHolder: `${picked}=${tags[picked]}` },
  );
  if (action === 'remove') return { [picked]: null };
  return { [picked]: await askText({ title, prompt: `New value of ${picked}`, value: tags[picked] }) };
}

/** "key=value" -> [key, value]; the key may not be empty (the registry checks it further). */
function parseTag(s: string): [string, string] {
  const eq = s.indexOf('=');
  if (eq <= 0 || !s.slice(0, eq).trim())
    throw new MlopsError('INVALID_ARGUMENT', 'Write key=value, e.g. owner=risk-team.');
  return [s.slice(0, eq).trim(), s.slice(eq + 1)];
}
