import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runCli } from '../../../src/cli/cli';
import { seededRandom } from '../../builders/mlpBuilder';
import { openRegistry } from '../../../src/core/registry/open';
import type { Registry } from '../../../src/core/registry/registry';
import { PredictionLog } from '../../../src/core/serving/predlog/writer';
import type { PredictionRecord } from '../../../src/core/serving/types';
import { tempDir, writeModel } from '../../helpers/tmp';

/** The repository root (tests run from out/test/...). */
export const REPO = path.resolve(__dirname, '..', '..', '..', '..');

/** A CSV of `rows` rows of four numeric features a..d drawn around `shift`, and optional extra columns. */
export function featuresCsv(
  rows: number,
  seed: number,
  shift = 0,
  extra?: (i: number) => Record<string, string>,
): string {
  const rnd = seededRandom(seed);
  const head = ['a', 'b', 'c', 'd', ...Object.keys(extra?.(0) ?? {})];
  const lines = [head.join(',')];
  for (let i = 0; i < rows; i++) {
    const v = [0, 1, 2, 3].map(() => (rnd() * 2 - 1 + shift).toFixed(4));
    lines.push([...v, ...Object.values(extra?.(i) ?? {})].join(','));
  }
  return lines.join('\n') + '\n';
}

/** Prediction records of the 4-input model: `n` answered requests with ids r0.., within the last hour. */
export function records(
  n: number,
  o: { latencyMs?: number; status?: number; now?: number; seed?: number } = {},
): PredictionRecord[] {
  const rnd = seededRandom(o.seed ?? 3);
  const now = o.now ?? Date.now();
  return Array.from({ length: n }, (_, i) => {
    const x = [0, 1, 2, 3].map(() => Math.round((rnd() * 2 - 1) * 1e4) / 1e4);
    const p = rnd();
    return {
      ts: new Date(now - (n - i) * 1000).toISOString(),
      model: 'fraud',
      version: 1,
      id: `r${i}`,
      status: o.status ?? 200,
      inputs: { input: { shape: [1, 4], data: x } },
      outputs: { output: { shape: [1, 2], data: [1 - p, p] } },
      latencyMs: o.latencyMs ?? 4,
      queueMs: 0,
      computeMs: 1,
      batchSize: 1,
      protocol: 'oip' as const,
    };
  });
}

export interface Project {
  dir: string;
  registry: Registry;
  cleanup(): Promise<void>;
  write(rel: string, text: string): void;
  log(recs: PredictionRecord[]): Promise<void>;
  cli(args: string[], env?: NodeJS.ProcessEnv): Promise<{ code: number; out: string; err: string }>;
}

/** A temporary project: an embedded registry with fraud v1 @production (a real 4 -> 2 ONNX model). */
export async function project(o: { registry?: Registry } = {}): Promise<Project> {
  const t = tempDir('mlops-monitor-');
  const registry = o.registry ?? (await openRegistry(path.join(t.dir, '.mlops'), { create: true }));
  const file = writeModel(t.dir, 'fraud-v1.onnx', { inputDim: 4, outputDim: 2, softmax: true, seed: 5 });
  await registry.pushVersion({ filePath: file, model: 'fraud', alias: 'production' }, { actor: 'test' });
  const write = (rel: string, text: string) => {
    mkdirSync(path.dirname(path.join(t.dir, rel)), { recursive: true });
    writeFileSync(path.join(t.dir, rel), text);
  };
  return {
    dir: t.dir,
    registry,
    write,
    async log(recs) {
      const log = new PredictionLog({ root: path.join(t.dir, '.mlops', 'predictions') });
      for (const r of recs) log.append(r);
      await log.close();
    },
    async cli(args, env = {}) {
      let out = '';
      let err = '';
      const code = await runCli(args, {
        stdout: (s) => (out += s + '\n'),
        stderr: (s) => (err += s + '\n'),
        env: { MLOPS_ACTOR: 'ci-bot', ...env },
        cwd: t.dir,
      });
      return { code, out, err };
    },
    async cleanup() {
      if (!o.registry) await registry.close();
      t.cleanup();
    },
  };
}
