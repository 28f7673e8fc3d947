import { MlopsError } from '../errors';
import { validateAlias, validateModelName, validateVersionNumber } from './names';

/** A model URI as MLflow writes them: models:/name/3, models:/name@production, models:/name/latest. */
export type ModelRef =
  | { model: string; kind: 'version'; version: number }
  | { model: string; kind: 'alias'; alias: string }
  | { model: string; kind: 'latest' };

export function versionUri(model: string, version: number): string {
  return `models:/${model}/${version}`;
}

export function aliasUri(model: string, alias: string): string {
  return `models:/${model}@${alias}`;
}

export function formatModelRef(ref: ModelRef): string {
  switch (ref.kind) {
    case 'version':
      return versionUri(ref.model, ref.version);
    case 'alias':
      return aliasUri(ref.model, ref.alias);
    case 'latest':
      return `models:/${ref.model}/latest`;
  }
}

const USAGE = 'Write it as models:/<name>/<version>, models:/<name>@<alias> or models:/<name>/latest.';

export function parseModelUri(uri: string): ModelRef {
  const m = /^models:\/(.+)$/.exec(uri.trim());
  if (!m) throw new MlopsError('INVALID_ARGUMENT', `"${uri}" is not a model URI.`, USAGE);
  const rest = m[1];
  // Model names may hold '/', ':' and '@' (MLflow 2.17 accepts them): the last '@' starts an alias when
  // no '/' follows it, otherwise the last '/' starts the version. models:/team/churn/3 is team/churn v3.
  const at = rest.lastIndexOf('@');
  if (at >= 0 && !rest.slice(at + 1).includes('/')) {
    const model = validateModelName(rest.slice(0, at));
    return { model, kind: 'alias', alias: validateAlias(rest.slice(at + 1)) };
  }
  const slash = rest.lastIndexOf('/');
  if (slash < 0) throw new MlopsError('INVALID_ARGUMENT', `"${uri}" names no version or alias.`, USAGE);
  const model = validateModelName(rest.slice(0, slash));
  const tail = rest.slice(slash + 1);
  if (tail.toLowerCase() === 'latest') return { model, kind: 'latest' };
  if (!/^\d+$/.test(tail))
    throw new MlopsError('INVALID_ARGUMENT', `"${tail}" in "${uri}" is not a version number.`, USAGE);
  return { model, kind: 'version', version: validateVersionNumber(tail) };
}
