/**
 * What adapters (the extension's "Connect to MLflow…", the CLI) need from the MLflow backend. The
 * registry itself is opened through openRegistry() with an http(s) URI.
 */
export { checkMlflowConnection, type MlflowConnectionInfo } from './connection';
export { credentialsFromEnv, redact, tlsFromEnv, type MlflowCredentials, type MlflowTls } from './credentials';
export { MlflowRegistry } from './mlflowRegistry';
export { normalizeMlflowUrl, type MlflowOptions } from './options';
