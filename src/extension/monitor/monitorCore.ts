/**
 * The monitor core the editor needs, behind one module the adapter imports lazily (`import('./monitorCore')`):
 * the YAML parser and the evaluation code load on first use, never at activation.
 */
export { parseMonitors, readMonitors } from '../../core/monitor/config';
export { evaluateMonitor } from '../../core/monitor/evaluate';
export { MONITOR_DIR, readHistory } from '../../core/monitor/history';
export { resolveData } from '../../core/monitor/data';
export { CHALLENGER_ALIAS } from '../../core/monitor/retrain';
export { readRetrainRuns } from '../../core/monitor/retrainLock';
export { DEFAULT_REGISTRY_DIR, parseRegistryUri } from '../../core/registry/open';
export { resolveModelRef } from '../../core/registry/resolve';
export { PREDICTIONS_DIR } from '../../core/serving/predlog/layout';
