import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { MlopsError } from '../../errors';

const FILE = 'inferenceWorker.js';

/**
 * Where the inference worker script is:
 * 1. `explicit` when given (e.g. tests pointing at a particular build);
 * 2. beside the running code: `dist/inferenceWorker.js` when this code is bundled into dist/*.js, or the
 *    tsc output `out/src/core/serving/runtime/inferenceWorker.js` when it runs unbundled (tests);
 * 3. `dist/inferenceWorker.js` of the package this file belongs to (e.g. run through ts-node).
 */
export function resolveWorkerPath(explicit?: string): string {
  if (explicit) {
    if (!existsSync(explicit))
      throw new MlopsError('NOT_FOUND', `The inference worker script ${explicit} does not exist.`, buildHint());
    return explicit;
  }
  const beside = path.join(__dirname, FILE);
  if (existsSync(beside)) return beside;
  const root = packageRoot(__dirname);
  const inDist = root && path.join(root, 'dist', FILE);
  if (inDist && existsSync(inDist)) return inDist;
  throw new MlopsError(
    'INTERNAL',
    `The inference worker script ${FILE} was not found beside ${__dirname}${inDist ? ` nor at ${inDist}` : ''}.`,
    buildHint(),
  );
}

function buildHint(): string {
  return 'Build the bundles with `node esbuild.mjs` (it writes dist/inferenceWorker.js).';
}

function packageRoot(from: string): string | undefined {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const pkg = path.join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'mlops-studio') return dir;
      } catch {
        // Not ours or unreadable: keep walking up.
      }
    }
    if (path.dirname(dir) === dir) return undefined;
  }
}
