import type * as Core from './core';

export type CoreModule = typeof Core;

let core: Promise<CoreModule> | undefined;

/** The registry core, loaded on first use (see core.ts). */
export function loadCore(): Promise<CoreModule> {
  core ??= import('./core');
  return core;
}
