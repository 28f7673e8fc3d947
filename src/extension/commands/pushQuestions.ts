import path from 'node:path';
import type * as vscode from 'vscode';
import { validateModelName } from '../../core/registry/names';
import type { Registry } from '../../core/registry/registry';
import { readConfig } from '../config';
import { workspaceRoot } from '../registry/registryService';
import { DATA_FILE_FILTERS, pickFile } from '../ui/pickFile';
import { askText, pickOne, pickOrType } from '../ui/prompt';
import { parseKeyValueText, parseMetricsText } from './metricsText';

/**
 * The questions of Push Model Version…, in the order asked: model, metrics, params, description, parent,
 * training data, alias. All but the model are optional (Enter or "None" skips them).
 */

const TITLE = 'Push Model Version';

/** The tag Show Drift reads to find a version's training data (its drift reference). */
export const TRAINING_DATA_TAG = 'reference_data';

export async function askModel(reg: Registry, file: string): Promise<string> {
  const models = (await reg.listModels({ maxResults: 1000 })).items.map((m) => m.name);
  const guess = path.basename(file, path.extname(file));
  return pickOrType({
    title: `${TITLE}: model name`,
    placeHolder: 'Pick a model, or type a new name',
    items: models,
    newLabel: 'New model',
    value: models.length === 0 ? guess : undefined,
    validate: validateModelName,
  });
}

export async function askMetrics(): Promise<Record<string, number>> {
  return parseMetricsText(
    await askText({
      title: `${TITLE}: metrics (optional)`,
      prompt: 'name=value pairs, separated by spaces. Press Enter to skip.',
      placeHolder: 'auc=0.94 accuracy=0.91',
      validate: parseMetricsText,
    }),
  );
}

export async function askParams(): Promise<Record<string, string>> {
  return parseKeyValueText(
    await askText({
      title: `${TITLE}: params (optional)`,
      prompt: 'The training parameters, name=value pairs separated by spaces. Press Enter to skip.',
      placeHolder: 'lr=0.01 max_depth=6 epochs=20',
      validate: (s) => parseKeyValueText(s),
    }),
  );
}

export async function askDescription(): Promise<string> {
  return (
    await askText({
      title: `${TITLE}: description (optional)`,
      prompt: 'One line on what changed in this version. Press Enter to skip.',
      placeHolder: 'e.g. retrained on March data with the new tenure feature',
    })
  ).trim();
}

/** Offers the model's newest version as the parent (lineage); undefined for a new model or "No parent". */
export async function askParent(reg: Registry, model: string): Promise<number | undefined> {
  const latest = await reg.listVersions(model, { maxResults: 1 }).then(
    (p) => p.items[0],
    () => undefined, // a new model: no parent to offer
  );
  if (!latest) return undefined;
  const held = latest.aliases.map((a) => `@${a}`).join(' ');
  return pickOne<number | undefined>(
    [
      {
        label: `v${latest.version}`,
        description: `the latest version${held ? ` (${held})` : ''}: this one is derived from it`,
        value: latest.version,
      },
      { label: 'No parent', description: 'an unrelated model under the same name', value: undefined },
    ],
    { title: `${TITLE}: parent version (lineage)`, placeHolder: `Which version of ${model} does this one come from?` },
  );
}

/**
 * The training data file, optional, remembered per model in the workspace state and stored as the
 * version's `reference_data` tag (relative to the workspace root when inside it), which Show Drift reads.
 */
export async function askTrainingData(memory: vscode.Memento, model: string): Promise<string | undefined> {
  const key = `mlops.push.trainingData/${model}`;
  const remembered = memory.get<string>(key);
  const CHOOSE = Symbol('choose');
  const picked = await pickOne<string | typeof CHOOSE | undefined>(
    [
      ...(remembered
        ? [
            {
              label: `$(database) ${remembered}`,
              description: `the training data last used for ${model}`,
              value: remembered,
            },
          ]
        : []),
      { label: '$(file) Choose a file…', description: 'CSV, TSV, JSONL or Parquet', value: CHOOSE },
      { label: 'None', description: 'Show Drift will ask for the reference data', value: undefined },
    ],
    {
      title: `${TITLE}: training data (optional)`,
      placeHolder: 'The data this version was trained on: the drift reference',
    },
  );
  if (picked === undefined) return undefined;
  const file =
    picked === CHOOSE
      ? asWorkspacePath(
          (await pickFile({ title: `${TITLE}: the training data of ${model}`, filters: DATA_FILE_FILTERS })).fsPath,
        )
      : picked;
  await memory.update(key, file);
  return file;
}

/** A path relative to the workspace root when inside it (portable across clones), else absolute. */
export function asWorkspacePath(file: string): string {
  const root = workspaceRoot();
  if (root === undefined) return file;
  const rel = path.relative(root, file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel.split(path.sep).join('/') : file;
}

export async function askAlias(reg: Registry, model: string): Promise<string> {
  const inUse = await reg.getModel(model).then(
    (m) => m.aliases,
    () => ({}) as Record<string, number>,
  );
  const names = [...new Set([...readConfig().promotionAliases, ...Object.keys(inUse)])];
  return pickOne(
    [
      { label: 'No alias', value: '' },
      ...names.map((a) => ({
        label: `@${a}`,
        description: inUse[a] === undefined ? 'give the new version this alias' : `move it from v${inUse[a]}`,
        value: a,
      })),
    ],
    { title: `${TITLE}: alias (optional)`, placeHolder: 'Give the new version an alias right away?' },
  );
}
