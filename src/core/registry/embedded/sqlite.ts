import { existsSync } from 'node:fs';
import path from 'node:path';
import type { SqlJsStatic } from 'sql.js';

let sqlJs: Promise<SqlJsStatic> | undefined;

/**
 * sql.js, loaded on first use (its wasm is ~650 KB and must never load at activation). The bundles ship
 * sql-wasm.wasm next to themselves; unbundled code (tests) finds it in node_modules.
 */
export function loadSqlJs(): Promise<SqlJsStatic> {
  sqlJs ??= (async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const init = require('sql.js') as (config?: { locateFile?: (f: string) => string }) => Promise<SqlJsStatic>;
    const besideBundle = path.join(__dirname, 'sql-wasm.wasm');
    // Unbundled (tests): resolve through the package; written so the bundler leaves it alone.
    const resolve: (id: string) => string = require.resolve;
    const wasm = existsSync(besideBundle) ? besideBundle : resolve('sql.js/dist/sql-wasm.wasm');
    return init({ locateFile: () => wasm });
  })();
  return sqlJs;
}
