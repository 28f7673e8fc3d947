import type * as OptimizeCore from './optimizeCore';

export type OptimizeCoreModule = typeof OptimizeCore;

let core: Promise<OptimizeCoreModule> | undefined;

/** The quantize-and-compare core, loaded on first use (see optimizeCore.ts). */
export function loadOptimizeCore(): Promise<OptimizeCoreModule> {
  core ??= import('./optimizeCore');
  return core;
}
