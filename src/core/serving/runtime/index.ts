/**
 * The serving runtime: onnxruntime sessions in worker threads, requests validated against the model
 * signature, dynamic batching. The HTTP server, `mlops serve`, the load tester's in-process mode and
 * quantize-and-compare all run models through here:
 *
 *   const pool = WorkerPool.create();                       // once per process
 *   const runner = await pool.createRunner({ served, modelPath, signature });
 *   const { response, timing } = await runner.infer(request, signal);
 *   await runner.close();                                   // drain, then release the session
 *   await pool.close();
 *
 * Importing this module does not load onnxruntime-node; only the worker threads do. The worker script is
 * found beside the running code (dist/inferenceWorker.js for the bundles, the tsc output for tests) or
 * given as `WorkerPool.create({ workerPath })` (workerPath.ts).
 *
 * Errors (MlopsError codes; decide on codes, never on wording):
 *   INVALID_ARGUMENT  the request does not match the signature (names the input, expected vs got) -> 400
 *   OVERLOADED        the runner's queue is full; `retryAfterSeconds(e)` gives the hint          -> 503 + Retry-After
 *   UNAVAILABLE       the runner or pool is closed/closing (drain)                                -> 503
 *   CANCELLED         the caller's AbortSignal fired
 *   INTERNAL          onnxruntime failed on a valid request, or the worker holding it crashed    -> 500
 *   NOT_FOUND / INVALID_MODEL_FILE   from createRunner: missing file, or onnxruntime cannot load it
 *
 * Batching policy: requestQueue.ts. Counters for /metrics: runnerStats.ts (`runner.stats()`).
 */
export { WorkerPool, type PoolOptions } from './workerPool';
export { type Runner, type RunnerOptions, DEFAULT_BATCHING } from './runner';
export type { BatchingOptions } from './requestQueue';
export type { RunnerStats } from './runnerStats';
export type { LoadReport, CachedSession } from './workerProtocol';
export { OverloadedError, retryAfterSeconds } from './overloaded';
export { prepareRequest, type PreparedRequest } from './prepareRequest';
export { planModel, describeSpec, type ModelPlan } from './modelPlan';
export { datatypeOf, elemTypeOf, isDatatype } from './datatypes';
export { resolveWorkerPath } from './workerPath';
export { poolSizing } from './sizing';
