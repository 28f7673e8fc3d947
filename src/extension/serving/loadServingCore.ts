import type * as ServingCore from './servingCore';

export type ServingCoreModule = typeof ServingCore;

let core: Promise<ServingCoreModule> | undefined;

/** The serving core, loaded on first use (see servingCore.ts). */
export function loadServingCore(): Promise<ServingCoreModule> {
  core ??= import('./servingCore');
  return core;
}
