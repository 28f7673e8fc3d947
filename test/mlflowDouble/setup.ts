import { MlflowRegistry } from '../../src/core/registry/mlflow/mlflowRegistry';
import type { MlflowOptions } from '../../src/core/registry/mlflow/options';
import type { LogLevel } from '../../src/core/registry/mlflow/transport';
import { tempDir, writeModel } from '../helpers/tmp';
import { startMlflowDouble, type DoubleOptions, type MlflowDouble } from './mlflowServerDouble';
import type { DoubleStore } from './store';

/** Fast settings for tests: short backoff, short timeouts. */
export const FAST: MlflowOptions = {
  env: {},
  timeoutMs: 2_000,
  retry: { attempts: 4, baseDelayMs: 5, maxDelayMs: 20 },
  pollIntervalMs: 50,
};

export interface Fixture {
  server: MlflowDouble;
  registry: MlflowRegistry;
  /** Diagnostics the registry logged (retries, clean-ups). */
  logs: { level: LogLevel; message: string }[];
  dir: string;
  model: string;
  cleanup(): Promise<void>;
}

/** A test double of an MLflow server, a registry talking to it, and a small ONNX model file. */
export async function mlflowFixture(
  o: { double?: DoubleOptions; registry?: MlflowOptions; url?: (base: string) => string } = {},
): Promise<Fixture> {
  const server = await startMlflowDouble(o.double);
  const t = tempDir('mlops-mlflow-');
  const logs: Fixture['logs'] = [];
  const registry = await MlflowRegistry.open(o.url ? o.url(server.url) : server.url, {
    ...FAST,
    cacheDir: `${t.dir}/cache`,
    log: (level, message) => logs.push({ level, message }),
    ...o.registry,
  });
  return {
    server,
    registry,
    logs,
    dir: t.dir,
    model: writeModel(t.dir, 'model.onnx', { seed: 7 }),
    cleanup: async () => {
      await registry.close();
      await server.close();
      t.cleanup();
    },
  };
}

/**
 * Everything on the server a failed operation must leave as it was: models (description, tags,
 * aliases), versions (with tags), artifacts, and runs that are still active (a failed push's run must be
 * marked FAILED and deleted).
 */
export function serverState(s: DoubleStore): unknown {
  return {
    models: [...s.models.values()].map((m) => ({
      name: m.name,
      description: m.description,
      tags: [...m.tags].sort(),
      aliases: [...m.aliases].sort(),
    })),
    versions: [...s.versions.values()].map((v) => ({
      name: v.name,
      version: v.version,
      description: v.description,
      tags: [...v.tags].sort(),
    })),
    artifacts: [...s.artifacts.keys()].sort(),
    activeRuns: [...s.runs.values()].filter((r) => r.lifecycleStage === 'active').map((r) => r.runId),
  };
}
