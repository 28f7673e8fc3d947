import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { errorMessage, isMlopsError, MlopsError } from '../errors';
import type { Registry } from '../registry/registry';
import { resolveModelRef } from '../registry/resolve';
import type { ModelVersion } from '../registry/types';
import { compareVersions, type Comparison, gateValue } from './compare';
import { resolveData } from './data';
import type { Workspace } from './evaluate';
import { appendRetrainRun, readRetrainRuns, type RetrainRecord, takeRetrainLock } from './retrainLock';
import { runShell, substitute } from './runCommand';
import type { BreachEvent, MonitorSpec, RetrainSpec } from './types';

export const CHALLENGER_ALIAS = 'challenger';
/**
 * Tags of a retrained version: the breach that triggered it (a lineage tag the MLflow backend lets through
 * its reserved `mlops.` prefix, see LINEAGE_TAGS) and the monitor that ran it.
 */
export const TRIGGER_TAG = 'mlops.trigger';
export const MONITOR_TAG = 'retrain.monitor';
export const REFERENCE_TAG = 'reference_data';

export interface RetrainOptions {
  registry: Registry;
  monitor: MonitorSpec;
  /** mlops.yaml's folder: the command's cwd and the base of relative paths. */
  dir: string;
  workspace: Workspace;
  /** The breach that fired it; undefined when a person asked (`mlops retrain`). */
  trigger?: BreachEvent;
  actor: string;
  /** Skip the cool-down (a person asked); the lock still holds. */
  force?: boolean;
  now?: number;
  signal?: AbortSignal;
  onLine?: (line: string) => void;
}

export type RetrainOutcome =
  | { status: 'skipped'; reason: string }
  | {
      status: 'registered';
      version: ModelVersion;
      parent: ModelVersion;
      comparison: Comparison;
      promoted: { alias: string; version: number } | null;
    };

/** Records one step of a run in the model's retrain history (what every record of the run shares is bound). */
type RecordStep = (
  outcome: RetrainRecord['outcome'],
  details?: Pick<RetrainRecord, 'version' | 'error' | 'verdict' | 'challengerWins' | 'promoted'>,
  at?: number,
) => Promise<void>;

/**
 * Runs the monitor's retrain command and registers what it writes as the `challenger` of the watched
 * version, then compares the two on the current data. Under the model's retrain lock, and not within
 * the retrain cool-down of the last run (unless `force`). A failing command throws with its last
 * output lines and registers nothing; any failure after the start is recorded as the run's outcome.
 */
export async function retrain(o: RetrainOptions): Promise<RetrainOutcome> {
  const m = o.monitor;
  const r = m.retrain;
  if (!r)
    throw new MlopsError(
      'INVALID_STATE',
      `The monitor "${m.name}" has no retrain: section.`,
      'Add retrain: { command, output } to it in mlops.yaml.',
    );
  const now = o.now ?? Date.now();
  const release = await takeRetrainLock(o.workspace.monitorDir, m.modelName);
  try {
    const last = (await readRetrainRuns(o.workspace.monitorDir, m.modelName)).at(-1);
    if (!o.force && last && now - Date.parse(last.at) < r.cooldownMs)
      return {
        status: 'skipped',
        reason: `retrained at ${last.at}, within the ${Math.round(r.cooldownMs / 60000)} min cool-down`,
      };
    const trigger = o.trigger
      ? `${o.trigger.check} ${o.trigger.severity}: ${o.trigger.value ?? 'n/a'} past ${o.trigger.threshold ?? 'n/a'}`
      : `manual by ${o.actor}`;
    let registered: number | undefined;
    const record: RecordStep = (outcome, details = {}, at = Date.now()) => {
      if (outcome === 'registered') registered = details.version;
      return appendRetrainRun(o.workspace.monitorDir, {
        at: new Date(at).toISOString(),
        model: m.modelName,
        monitor: m.name,
        trigger,
        outcome,
        ...details,
      });
    };
    await record('started', {}, now);
    try {
      return await retrainSteps(o, r, trigger, now, record);
    } catch (e) {
      // Every started run ends with a recorded outcome, whatever step failed: a lone "started" reads as running.
      const version = registered === undefined ? {} : { version: registered };
      await record('failed', { error: isMlopsError(e) ? e.message : errorMessage(e), ...version }).catch(
        () => undefined, // the step's own error says more than a history that cannot be written
      );
      throw e;
    }
  } finally {
    await release();
  }
}

/** The steps of a started run: run the command, register its model, compare, maybe promote. */
async function retrainSteps(
  o: RetrainOptions,
  r: RetrainSpec,
  trigger: string,
  now: number,
  record: RecordStep,
): Promise<RetrainOutcome> {
  const m = o.monitor;
  const parent = await resolveModelRef(o.registry, m.model);
  const data = await resolveData(m, {
    dir: o.dir,
    monitorDir: o.workspace.monitorDir,
    predictionsRoot: o.workspace.predictionsRoot,
    referenceTag: parent.tags.reference_data,
    now,
    signal: o.signal,
  });
  if (!data.current)
    throw new MlopsError(
      'INVALID_STATE',
      `There is no current data to retrain ${m.modelName} on (${data.noData}).`,
      'Check current: in mlops.yaml.',
    );
  const output = path.resolve(o.dir, r.output);
  const started = Date.now();
  const run = await runShell(substitute(r.command, { current: data.current, reference: data.reference }), {
    cwd: o.dir,
    env: {
      ...process.env,
      MLOPS_MODEL: m.modelName,
      MLOPS_CURRENT_DATA: data.current,
      MLOPS_REFERENCE_DATA: data.reference ?? '',
      MLOPS_PARENT_VERSION: String(parent.version),
      MLOPS_TRIGGER: JSON.stringify(o.trigger ?? { manual: true, actor: o.actor, monitor: m.name }),
      MLOPS_OUTPUT: output,
    },
    timeoutMs: r.timeoutMs,
    signal: o.signal,
    onLine: o.onLine,
  });
  if (run.code !== 0) {
    const how = run.code === null ? `was stopped (${run.signal})` : `exited with ${run.code}`;
    throw new MlopsError(
      'INVALID_STATE',
      `The retrain command of ${m.modelName} ${how}; nothing was registered. Last output:\n${run.tail.join('\n')}`,
      'Fix the training command (retrain.command in mlops.yaml) and run `mlops retrain` again.',
    );
  }
  const st = await fsp.stat(output).catch(() => undefined);
  if (!st || st.mtimeMs < started - 1000)
    throw new MlopsError(
      'INVALID_STATE',
      `The retrain command succeeded but did not write ${r.output}; nothing was registered.`,
      'Make the command write the model to retrain.output.',
    );
  const rel = (p: string) => (path.relative(o.dir, p).startsWith('..') ? p : path.relative(o.dir, p));
  const version = await o.registry
    .pushVersion(
      {
        filePath: output,
        model: m.modelName,
        alias: CHALLENGER_ALIAS,
        parentVersion: parent.version,
        description: `Retrained by the monitor "${m.name}" (${trigger}).`,
        tags: {
          [TRIGGER_TAG]: trigger.slice(0, 250),
          [REFERENCE_TAG]: rel(data.current),
          [MONITOR_TAG]: m.name,
        },
      },
      { actor: o.actor, reason: `retrain: ${trigger}` },
      { signal: o.signal },
    )
    .catch((e: unknown) => {
      throw notAModel(e, r);
    });
  await record('registered', { version: version.version });
  const comparison = await compareVersions({
    registry: o.registry,
    production: parent,
    challenger: version,
    records: data.records,
    currentFile: data.records ? undefined : data.current,
    performance: m.checks.find((c) => c.kind === 'performance'),
    dir: o.dir,
    signal: o.signal,
  });
  const promoted = await autoPromote(o, r, version, comparison);
  await record('compared', {
    version: version.version,
    verdict: comparison.verdict,
    challengerWins: comparison.challengerWins,
    promoted,
  });
  return { status: 'registered', version, parent, comparison, promoted };
}

/**
 * The output is not a model: the fix is in mlops.yaml's retrain section (what the command writes where),
 * not the push hint's "export the model again and push it", which is a person's step.
 */
function notAModel(e: unknown, r: RetrainSpec): unknown {
  if (!isMlopsError(e, 'INVALID_MODEL_FILE')) return e;
  return new MlopsError(
    'INVALID_MODEL_FILE',
    `${e.message} The retrain command wrote it (retrain.output: ${r.output}); nothing was registered.`,
    'Make retrain.command in mlops.yaml write an ONNX model (e.g. with torch.onnx.export or skl2onnx) to retrain.output, then run `mlops retrain` again.',
    { cause: e },
  );
}

/** `promote: auto`: moves the watched alias to the challenger when its gate metric improved enough. */
async function autoPromote(
  o: RetrainOptions,
  r: RetrainSpec,
  version: ModelVersion,
  comparison: Comparison,
): Promise<{ alias: string; version: number } | null> {
  const p = r.promote;
  if (p.mode !== 'auto' || !comparison.compared || !comparison.production || !comparison.challenger) return null;
  const before = gateValue(comparison.production, p.metric);
  const after = gateValue(comparison.challenger, p.metric);
  const alias = o.monitor.alias ?? 'production';
  const passes = before !== null && after !== null && after - before >= p.minImprovement;
  if (!passes || comparison.challenger.errors !== 0) return null;
  await o.registry.promote(o.monitor.modelName, alias, version.version, {
    actor: o.actor,
    reason: `promote: auto (${p.metric} gate)`,
  });
  return { alias, version: version.version };
}
