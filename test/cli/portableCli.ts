import { chmodSync, copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { CLI } from '../helpers/cli';

/**
 * A copy of what the bundled CLI loads at run time (dist/cli.js, sql.js's wasm, the worker bundles)
 * in a world-readable folder under `dir`, for tests that run the CLI as another user: the checkout
 * itself may sit in a private folder (root's home is 0700) that user cannot reach.
 * Returns the copied cli.js.
 */
export function portableCli(dir: string): string {
  const src = path.dirname(CLI);
  const dest = path.join(dir, 'mlops-cli');
  mkdirSync(dest, { recursive: true });
  chmodSync(dest, 0o755);
  for (const f of readdirSync(src)) {
    if (f === 'cli.js' || f === 'sql-wasm.wasm' || /Worker\.js$/.test(f)) {
      copyFileSync(path.join(src, f), path.join(dest, f));
      chmodSync(path.join(dest, f), 0o755);
    }
  }
  return path.join(dest, 'cli.js');
}
