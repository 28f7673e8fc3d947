/**
 * The serving core, reached only through `loadServingCore()` (a dynamic import), as the registry core is
 * (registry/core.ts): the HTTP server, the worker pool (onnxruntime-node, in worker threads) and the load
 * tester load when the first endpoint starts, never at activation.
 */
export { startServing, type RunningServer } from '../../core/serving/serve';
export { signatureMetadata } from '../../core/serving/server/datatypes';
export { HttpTarget } from '../../core/serving/loadtest/httpTarget';
export { runLoadTest } from '../../core/serving/loadtest/engine';
export { exampleRequest, oipBody } from '../../core/serving/loadtest/requests';
export { readDataRows } from '../../core/serving/loadtest/dataRows';
export { prepareRequests } from '../../core/serving/loadtest/setup';
export { compareVersions, runnerSide } from '../../core/serving/compare';
export { registryTarget } from '../../core/serving/deploy/target';
export { WorkerPool } from '../../core/serving/runtime';
