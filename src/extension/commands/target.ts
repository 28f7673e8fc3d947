import { Uri } from 'vscode';
import { MlopsError } from '../../core/errors';
import type { Registry } from '../../core/registry/registry';
import type { ModelVersion } from '../../core/registry/types';
import { parseModelUri } from '../../core/registry/uri';
import { timeAgo } from '../../core/util/format';
import { pickOne } from '../ui/prompt';

/** The version a command acts on: a tree row, `{ model, version }`, a `models:/` URI, or asked for. */
export interface VersionRef {
  model: string;
  version: number;
}

export function asVersionRef(arg: unknown): VersionRef | undefined {
  if (typeof arg === 'string') {
    const ref = parseModelUri(arg);
    if (ref.kind !== 'version')
      throw new MlopsError(
        'INVALID_ARGUMENT',
        `"${arg}" does not name a version number.`,
        'Use models:/<name>/<version>.',
      );
    return { model: ref.model, version: ref.version };
  }
  if (arg && typeof arg === 'object') {
    const o = arg as { model?: unknown; version?: unknown };
    if (typeof o.model === 'string' && typeof o.version === 'number') return { model: o.model, version: o.version };
  }
  return undefined;
}

export function asModelName(arg: unknown): string | undefined {
  if (typeof arg === 'string') return arg;
  if (arg && typeof arg === 'object') {
    const o = arg as { kind?: unknown; name?: unknown; model?: unknown };
    if (o.kind === 'model' && typeof o.name === 'string') return o.name;
    if (typeof o.model === 'string') return o.model;
  }
  return undefined;
}

/** The version a command targets, read fresh from the registry (the row may be seconds old). */
export async function targetVersion(
  reg: Registry,
  arg: unknown,
  title: string,
  includeArchived = false,
): Promise<ModelVersion> {
  const ref = asVersionRef(arg) ?? (await pickVersion(reg, title, asModelName(arg), includeArchived));
  return reg.getVersion(ref.model, ref.version);
}

export async function pickModel(reg: Registry, title: string): Promise<string> {
  const page = await reg.listModels({ maxResults: 1000 });
  if (page.items.length === 0)
    throw new MlopsError('NOT_FOUND', 'The registry has no models yet.', 'Push a model version first.');
  return pickOne(
    page.items.map((m) => ({
      label: m.name,
      description: Object.entries(m.aliases)
        .map(([a, v]) => `@${a} v${v}`)
        .join(' '),
      value: m.name,
    })),
    { title, placeHolder: 'Model' },
  );
}

export async function pickVersion(
  reg: Registry,
  title: string,
  model?: string,
  includeArchived = false,
  exclude?: number,
): Promise<VersionRef> {
  const name = model ?? (await pickModel(reg, title));
  const page = await reg.listVersions(name, { maxResults: 1000, includeArchived });
  const items = page.items
    .filter((v) => v.version !== exclude)
    .map((v) => ({
      label: `v${v.version}`,
      description: [
        v.aliases.map((a) => `@${a}`).join(' '),
        v.status === 'archived' ? 'archived' : '',
        timeAgo(v.createdAt),
      ]
        .filter(Boolean)
        .join(' · '),
      value: { model: name, version: v.version },
    }));
  if (items.length === 0)
    throw new MlopsError(
      'NOT_FOUND',
      `Model "${name}" has no ${exclude === undefined ? '' : 'other '}version to choose.`,
    );
  return pickOne(items, { title, placeHolder: `Version of ${name}` });
}

/**
 * A command's answers-up-front argument. Menus pass other things in that position (the Explorer passes
 * the selected Uris as an array), so only a plain object counts.
 */
export function optionsArg<T extends object>(x: unknown): Partial<T> {
  return x !== null && typeof x === 'object' && !Array.isArray(x) && !(x instanceof Uri) ? (x as Partial<T>) : {};
}
