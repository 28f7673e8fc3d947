/**
 * The quantize-and-compare core, reached only through `loadOptimizeCore()` (a dynamic import), as the
 * registry and serving cores are: the quantizer and onnxruntime-node (the measurements run sessions in
 * worker threads) load when the user first quantizes, never at activation.
 */
export { runQuantize, DEFAULT_MIN_SPEEDUP } from '../../core/optimize';
export type { QuantizeReport } from '../../core/optimize';
