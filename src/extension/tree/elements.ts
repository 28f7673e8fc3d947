import type { ModelVersion, RegisteredModel } from '../../core/registry/types';
import { CONTEXT_VALUES, type VersionFlag } from '../ids';

/** The Models tree's elements: plain data, so commands can also be called with `{ model, version }`. */

export interface ModelElement {
  readonly kind: 'model';
  readonly name: string;
  readonly model: RegisteredModel;
}

export interface VersionElement {
  readonly kind: 'version';
  readonly model: string;
  readonly version: number;
  readonly data: ModelVersion;
  readonly parent: ModelElement;
  /** Aliases held by this version that have an earlier holder to roll back to. */
  readonly rollbackAliases: string[];
}

export interface LoadMoreElement {
  readonly kind: 'loadMore';
  /** The model whose versions continue; undefined at the root (more models). */
  readonly parent: ModelElement | undefined;
}

/**
 * Why the registry cannot be listed, as the view's only row: one sentence, click for the log. (A
 * TreeView.message would hide the welcome views, and this keeps the sentence in sight with its actions.)
 */
export interface ProblemElement {
  readonly kind: 'problem';
  readonly message: string;
}

/** The MLflow tracking server the tree shows, as its first row (embedded registries have none). */
export interface ServerElement {
  readonly kind: 'server';
  readonly url: string;
  readonly serverVersion: string;
}

export type TreeElement = ModelElement | VersionElement | LoadMoreElement | ProblemElement | ServerElement;

/** `mlops:version+aliased+rollback+archived`: the base and the flags that pick menu items. */
export function versionContextValue(v: ModelVersion, rollbackAliases: string[], served = false): string {
  const flags: VersionFlag[] = [];
  if (v.aliases.length > 0) flags.push('aliased');
  if (rollbackAliases.length > 0) flags.push('rollback');
  if (v.status === 'archived') flags.push('archived');
  if (served) flags.push('served');
  return [CONTEXT_VALUES.version, ...flags].join('+');
}

export function elementId(e: TreeElement): string {
  switch (e.kind) {
    case 'model':
      return `model:${e.name}`;
    case 'version':
      return `version:${e.model}/${e.version}`;
    case 'loadMore':
      return `more:${e.parent?.name ?? ''}`;
    case 'problem':
      return 'problem';
    case 'server':
      return `server:${e.url}`;
  }
}
