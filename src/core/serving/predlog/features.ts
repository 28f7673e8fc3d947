import { promises as fsp } from 'node:fs';
import path from 'node:path';
import type { ModelSignature } from '../../registry/types';
import { isNodeError, writeFileAtomic } from '../../util/fsx';
import { FEATURES_FILE, modelLogDir } from './layout';

/** Per version: input name -> a name for each element of a row of that input. */
export type FeatureNames = Record<string, Record<string, string[]>>;

/** The version tag naming the columns of a model's single 2-D input, comma-separated (MLflow's habit). */
export const FEATURE_NAMES_TAG = 'feature_names';

/** Column names from a `feature_names` tag ("age, income,country" -> ["age", "income", "country"]). */
export function featureNamesFromTag(tags: Record<string, string>): string[] | undefined {
  const raw = tags[FEATURE_NAMES_TAG];
  if (raw === undefined) return undefined;
  const names = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return names.length > 0 ? names : undefined;
}

/**
 * Feature names of a version's inputs for the log reader: the `feature_names` tag names the columns of
 * a single input with a fixed row width; anything else is named by the reader (<input>_<i>).
 */
export function inputFeatureNames(sig: ModelSignature | null, tags: Record<string, string>): Record<string, string[]> {
  const names = featureNamesFromTag(tags);
  const inputs = sig?.inputs ?? [];
  if (!names || inputs.length !== 1) return {};
  const width = inputs[0].shape?.[inputs[0].shape.length - 1];
  if (inputs[0].shape?.length !== 2 || (typeof width === 'number' && width !== names.length)) return {};
  return { [inputs[0].name]: names };
}

export async function readFeatureNames(modelDir: string): Promise<FeatureNames> {
  try {
    const parsed: unknown = JSON.parse(await fsp.readFile(path.join(modelDir, FEATURES_FILE), 'utf8'));
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as FeatureNames) : {};
  } catch (e) {
    if (isNodeError(e, 'ENOENT')) return {};
    return {};
  }
}

/** Records a version's feature names beside its log (atomic replace; other versions' entries kept). */
export async function recordFeatureNames(
  root: string,
  model: string,
  version: number,
  names: Record<string, string[]>,
): Promise<void> {
  if (Object.keys(names).length === 0) return;
  const dir = modelLogDir(root, model);
  await fsp.mkdir(dir, { recursive: true });
  const all = await readFeatureNames(dir);
  if (JSON.stringify(all[String(version)]) === JSON.stringify(names)) return;
  all[String(version)] = names;
  await writeFileAtomic(
    path.join(dir, FEATURES_FILE),
    Buffer.from(JSON.stringify(all, null, 2) + '\n'),
    String(process.pid),
  );
}
