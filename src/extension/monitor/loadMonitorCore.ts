import path from 'node:path';
import type { Workspace } from '../../core/monitor/evaluate';
import { readConfig } from '../config';
import { workspaceRoot } from '../registry/registryService';
import type * as MonitorCore from './monitorCore';

/** The project file the monitors come from, at the workspace root. */
export const CONFIG_FILE = 'mlops.yaml';

let core: Promise<typeof MonitorCore> | undefined;
/** The YAML parser and the evaluation code load on first use, never at activation. */
export const loadMonitorCore = (): Promise<typeof MonitorCore> => (core ??= import('./monitorCore'));

/** mlops.yaml's absolute path, when a folder is open. */
export function configFile(): string | undefined {
  const root = workspaceRoot();
  return root ? path.join(root, CONFIG_FILE) : undefined;
}

/**
 * Where the monitor history and the prediction logs live, as `mlops monitor` finds them: beside an
 * embedded registry, else in .mlops/ beside mlops.yaml (an MLflow registry keeps no files here).
 */
export function monitorWorkspace(c: typeof MonitorCore, projectDir: string): Workspace {
  const loc = c.parseRegistryUri(readConfig().registryUri, workspaceRoot());
  const root = loc.kind === 'embedded' ? loc.dir : path.join(projectDir, c.DEFAULT_REGISTRY_DIR);
  return { monitorDir: path.join(root, c.MONITOR_DIR), predictionsRoot: path.join(root, c.PREDICTIONS_DIR) };
}
