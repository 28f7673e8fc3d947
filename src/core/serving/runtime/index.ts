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
 * Importing this module does not load onnxruntime-node; only the worker threads do.
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
