/**
 * The registry core, reached only through `loadCore()` (a dynamic import): esbuild then wraps this
 * module and everything it pulls in (sql.js, the ONNX reader) in lazy initialisers that run on the first
 * call, not when the bundle loads. Nothing else in src/extension may import these modules statically.
 */
import { markCoreLoaded } from './lazyState';

export { openRegistry, parseRegistryUri, type RegistryLocation } from '../../core/registry/open';
export { DB_FILE } from '../../core/registry/embedded/embeddedRegistry';
export { checkMlflowConnection, normalizeMlflowUrl } from '../../core/registry/mlflow/index';

// Runs when this module is evaluated: if bundling ever hoisted it into activation, the suite would see it.
markCoreLoaded();
