import { MlopsError } from '../errors';
import type { Registry } from './registry';
import type { ModelVersion } from './types';
import { parseModelUri, type ModelRef } from './uri';

/** The version a model URI names: models:/m/3, models:/m@alias, or models:/m/latest (newest active). */
export async function resolveModelRef(registry: Registry, refOrUri: ModelRef | string): Promise<ModelVersion> {
  const ref = typeof refOrUri === 'string' ? parseModelUri(refOrUri) : refOrUri;
  switch (ref.kind) {
    case 'version':
      return registry.getVersion(ref.model, ref.version);
    case 'alias':
      return registry.getVersionByAlias(ref.model, ref.alias);
    case 'latest': {
      const page = await registry.listVersions(ref.model, { maxResults: 1 });
      if (page.items.length === 0) {
        throw new MlopsError(
          'NOT_FOUND',
          `Model "${ref.model}" has no active version.`,
          `Push one with \`mlops push <file> --model ${ref.model}\`.`,
        );
      }
      return page.items[0];
    }
  }
}
