import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildMlp } from '../../builders/mlpBuilder';
import { openRegistry } from '../../../src/core/registry/open';
import type { Registry } from '../../../src/core/registry/registry';
import { WORKSPACE } from './env';

/** A small real ONNX model (an MLP built in code); different seeds give different bytes. */
export function writeModel(name: string, seed = 1, inputDim = 4): string {
  const dir = path.join(WORKSPACE, 'models');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, name.endsWith('.onnx') ? name : `${name}.onnx`);
  writeFileSync(file, buildMlp({ inputDim, hidden: [8], outputDim: 2, seed, softmax: true }));
  return file;
}

/** Reads a registry with the core, as `mlops` would: the ground truth the extension must agree with. */
export async function withRegistry<T>(dir: string, fn: (r: Registry) => Promise<T>): Promise<T> {
  const reg = await openRegistry(dir, { cwd: WORKSPACE });
  try {
    return await fn(reg);
  } finally {
    await reg.close();
  }
}
