/**
 * The load tester's public API, used by `mlops loadtest`, the serving panel (through the extension) and
 * the benchmarks: build a target (a running server over HTTP, or a model in this process through a
 * ModelRunner), then `runLoadTest(target, plan, { signal, onProgress })` -> LoadTestReport.
 */
export { runLoadTest, validatePlan, PLAN_LIMITS, LATE_SEND_MS } from './engine';
export type { LoadTestProgress, RunLoadTestOptions } from './engine';
export type { LoadTarget, SendOutcome } from './target';
export { HttpTarget, type HttpTargetOptions } from './httpTarget';
export { RunnerTarget } from './runnerTarget';
export { inputSpecsFromSignature, inputSpecsFromMetadata, type InputSpec } from './inputSpec';
export { exampleRequest, randomRequestPool, rowRequestPool, oipBody, mlflowBody } from './requests';
export { readDataRows, type DataRows } from './dataRows';
export { fetchServerModel, type ServerModel } from './serverMetadata';
export {
  prepareRequests,
  prepareHttpTarget,
  prepareRunnerTarget,
  type Protocol,
  type RequestSource,
  type PreparedRequests,
  type HttpTargetSetup,
} from './setup';
export { openInProcessTarget, type InProcessSetup } from './inProcess';
