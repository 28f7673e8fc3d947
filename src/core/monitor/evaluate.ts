import { projectDriftSettings } from '../drift/configFile';
import { readDataset } from '../drift/read/index';
import type { Dataset } from '../drift/types';
import { errorMessage, isMlopsError } from '../errors';
import type { Registry } from '../registry/registry';
import { resolveModelRef } from '../registry/resolve';
import type { ModelVersion } from '../registry/types';
import { measureOrError } from './checks';
import { resolveData } from './data';
import { appendEvaluation, readHistory } from './history';
import { breachDecision, checkState, rawLevel, worstLevel } from './policy';
import type { BreachEvent, CheckResult, DataWindow, Evaluation, Level, MonitorsFile, MonitorSpec } from './types';

/** Where a project's monitoring state lives. */
export interface Workspace {
  /** `.mlops/monitor`: histories, windows, retrain locks. */
  monitorDir: string;
  /** `.mlops/predictions`: the serving prediction logs. */
  predictionsRoot: string;
}

export interface EvaluateOptions {
  registry: Registry;
  project: MonitorsFile;
  workspace: Workspace;
  now?: number;
  signal?: AbortSignal;
}

/** One evaluation of every monitor (in order); each is appended to its model's history. */
export async function evaluateAll(o: EvaluateOptions): Promise<Evaluation[]> {
  const out: Evaluation[] = [];
  for (const m of o.project.monitors) out.push(await evaluateMonitor(m, o));
  return out;
}

/**
 * Measures every check of a monitor, applies the policy against its history (for:, cool-down), records
 * the evaluation and returns it. A failure to evaluate the monitor at all (a missing model, unreadable
 * data) is recorded as the evaluation's error with state "No data", so the history shows the gap; a
 * failure of one check is that check's error (measureOrError), and the other checks keep their values.
 */
export async function evaluateMonitor(m: MonitorSpec, o: EvaluateOptions): Promise<Evaluation> {
  const now = o.now ?? Date.now();
  const history = await readHistory(o.workspace.monitorDir, m.modelName, m.name);
  const last = history[history.length - 1];
  let version: ModelVersion | undefined;
  let checks: CheckResult[] = [];
  let events: BreachEvent[] = [];
  let suppressed = 0;
  let error: string | undefined;
  let window: DataWindow | undefined;
  try {
    version = await resolveModelRef(o.registry, m.model);
    const data = await resolveData(m, {
      dir: o.project.dir,
      monitorDir: o.workspace.monitorDir,
      predictionsRoot: o.workspace.predictionsRoot,
      referenceTag: version.tags.reference_data,
      now,
      signal: o.signal,
    });
    window = data.window;
    const drift = await projectDriftSettings(o.project.path, o.project.file);
    let ds: Promise<Dataset> | undefined;
    const ctx = {
      dir: o.project.dir,
      data,
      version,
      drift,
      now,
      signal: o.signal,
      dataset: () => (ds ??= readDataset(data.current!, { displayName: data.window.current, signal: o.signal })),
    };
    for (const spec of m.checks) {
      const got = await measureOrError(spec, ctx);
      const { level: raw, threshold } = rawLevel(spec, got.value);
      const earlier = history.map((e) => e.checks.find((c) => c.kind === spec.kind)?.raw ?? 'nodata');
      const state = checkState(raw, earlier, spec.for);
      const previous = last?.checks.find((c) => c.kind === spec.kind)?.state ?? null;
      const past = history.flatMap((e) =>
        e.events.filter((x) => x.check === spec.kind).map((x) => ({ severity: x.severity, at: Date.parse(x.at) })),
      );
      checks.push({
        kind: spec.kind,
        raw,
        state,
        value: got.value,
        threshold,
        unit: got.unit,
        message: got.message,
        ...(got.error ? { error: got.error } : {}),
        pos: spec.pos,
      });
      const decision = breachDecision(state, previous, past, spec.cooldownMs, now);
      if (decision === 'suppressed') suppressed++;
      if (decision === 'fire')
        events.push({
          monitor: m.name,
          model: m.modelName,
          version: version.version,
          check: spec.kind,
          severity: state as 'warning' | 'critical',
          value: got.value,
          threshold,
          unit: got.unit,
          message: got.message,
          window: data.window,
          at: new Date(now).toISOString(),
        });
    }
  } catch (e) {
    if (!isMlopsError(e)) throw e;
    error = errorMessage(e);
    checks = [];
    events = [];
  }
  const state: Level = error ? 'nodata' : worstLevel(checks.map((c) => c.state));
  const evaluation: Evaluation = {
    at: new Date(now).toISOString(),
    monitor: m.name,
    model: m.modelName,
    version: version?.version ?? null,
    state,
    previousState: last?.state ?? null,
    checks,
    events,
    suppressed,
    ...(window ? { window } : {}),
    ...(error ? { error } : {}),
  };
  await appendEvaluation(o.workspace.monitorDir, evaluation);
  return evaluation;
}
