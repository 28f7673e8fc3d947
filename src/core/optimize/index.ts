/**
 * Quantize-and-compare: rewrites a model (onnx/quantize), measures it against its source with the
 * serving runtime's in-process runner, and decides with the user's rule whether it is worth keeping.
 * It sits above serving and onnx; onnx/ never imports serving.
 */
export { quantizeAndCompare, type CompareOptions, type CompareResult } from './compare';
export { registerKept, keptMetrics, TAG_OPTIMIZATION, TAG_OPTIMIZED_FROM } from './register';
export { decide, tolerance, DEFAULT_MIN_SPEEDUP, DEFAULT_METRIC_DROP, DEFAULT_OUTPUT_CHANGE } from './verdict';
export type { Verdict, VerdictRule, Tolerance } from './verdict';
export { cpuInfo, describeCpu, parseCpuFlags, type CpuInfo } from './cpu';
export { fileData, generatedData, inputSpec, type EvalData, type InputSpec } from './inputs';
export { defaultCandidates } from './candidates';
export { compareOutputs, compareMetric, auc, type OutputAgreement, type MetricComparison } from './accuracy';
export { measureInterleaved, batchRequest, latencyStats, type LatencyStats, type MeasureOptions } from './latency';
export type { QuantizeReport, CandidateReport } from './types';
export { runQuantize, type QuantizeRequest } from './run';
