import path from 'node:path';
import { EmbeddedRegistry } from '../../../src/core/registry/embedded/embeddedRegistry';
import { tempDir } from '../../helpers/tmp';
import { registryContract } from './contract';

registryContract('embedded (sql.js on disk)', async () => {
  const t = tempDir('mlops-embedded-');
  const registry = await EmbeddedRegistry.open(path.join(t.dir, '.mlops'), { create: true });
  return {
    registry,
    cleanup: async () => {
      await registry.close();
      t.cleanup();
    },
  };
});
