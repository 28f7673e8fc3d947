import { MlflowRegistry } from '../../../src/core/registry/mlflow/mlflowRegistry';
import { tempDir } from '../../helpers/tmp';
import { startMlflowDouble } from '../../mlflowDouble/mlflowServerDouble';
import { registryContract } from './contract';

// The same behaviour suite as the embedded registry, over real HTTP on 127.0.0.1 against the MLflow
// test double (a real MLflow server cannot run here: no PyPI).
registryContract('mlflow (REST over HTTP to the MLflow test double)', async () => {
  const server = await startMlflowDouble();
  const cache = tempDir('mlops-mlflow-cache-');
  const registry = await MlflowRegistry.open(server.url, {
    env: {},
    cacheDir: cache.dir,
    timeoutMs: 5_000,
    retry: { baseDelayMs: 5, maxDelayMs: 20 },
  });
  return {
    registry,
    cleanup: async () => {
      await registry.close();
      await server.close();
      cache.cleanup();
    },
  };
});
