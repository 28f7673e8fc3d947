import { existsSync } from 'node:fs';
import { MlopsError } from '../../core/errors';
import type { MonitorsFile, MonitorSpec } from '../../core/monitor/types';
import { pickOne } from '../ui/prompt';
import { configFile, CONFIG_FILE, loadMonitorCore } from './loadMonitorCore';
import type { MonitorTreeElement } from './monitorsTree';

/** The monitor a command is for: a row of the Monitors view, a monitor's or model's name, or asked for. */
export function monitorName(arg: unknown): string | undefined {
  if (typeof arg === 'string') return arg;
  const e = arg as MonitorTreeElement | undefined;
  if (e?.kind === 'monitor') return e.row.name;
  if (e?.kind === 'check') return e.monitor.name;
  return undefined;
}

/** mlops.yaml's monitors, read and checked (files exist) by the core, as `mlops monitor` reads them. */
export async function loadProject(): Promise<MonitorsFile> {
  const file = configFile();
  if (!file || !existsSync(file))
    throw new MlopsError(
      'NOT_FOUND',
      `There is no ${CONFIG_FILE} in the workspace folder to take monitors from.`,
      'Create one from the Monitors view.',
    );
  return (await loadMonitorCore()).readMonitors(file, CONFIG_FILE);
}

/** The monitor `arg` names (by monitor or model name), else the only one that fits, else asked for. */
export async function findMonitor(
  project: MonitorsFile,
  arg: unknown,
  title: string,
  want: (m: MonitorSpec) => boolean = () => true,
): Promise<MonitorSpec> {
  const name = monitorName(arg);
  const candidates = project.monitors.filter(want);
  if (name !== undefined) {
    const m =
      candidates.find((x) => x.name === name) ??
      candidates.find((x) => x.modelName === name) ??
      project.monitors.find((x) => x.name === name || x.modelName === name);
    if (!m)
      throw new MlopsError(
        'NOT_FOUND',
        `${CONFIG_FILE} has no monitor named "${name}".`,
        `Monitors: ${project.monitors.map((x) => x.name).join(', ') || 'none'}.`,
      );
    return m;
  }
  if (candidates.length === 0)
    throw new MlopsError('NOT_FOUND', `No monitor of ${CONFIG_FILE} fits ${title}.`, 'See the README, "Monitoring".');
  if (candidates.length === 1) return candidates[0];
  return pickOne(
    candidates.map((m) => ({ label: m.name, description: m.model, value: m })),
    { title, placeHolder: 'Monitor' },
  );
}
