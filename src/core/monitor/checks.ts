import path from 'node:path';
import { applyDriftConfig, type DriftSettings } from '../drift/config';
import { readDataset } from '../drift/read/index';
import { runDrift } from '../drift/run';
import type { Dataset } from '../drift/types';
import { errorMessage, isMlopsError, MlopsError } from '../errors';
import type { ModelVersion } from '../registry/types';
import { versionUri } from '../registry/uri';
import { FEATURE_NAMES_TAG, featureNamesFromTag } from '../serving/predlog/features';
import type { PredictionRecord } from '../serving/types';
import type { MonitorData } from './data';
import { cellText, findColumn, percentile, type PerformanceMetric, scorePerformance, type Scored } from './metrics';
import type { CheckSpec } from './types';

/** What a check measured: the value in its unit, or null (no data) with the reason. */
export interface Measure {
  value: number | null;
  unit: string;
  message: string;
}

export interface CheckContext {
  dir: string;
  data: MonitorData;
  /** The watched version (its tags name the prediction log's columns). */
  version: ModelVersion;
  /** The project's drift settings (mlops.yaml `drift:` over the defaults). */
  drift: DriftSettings;
  now: number;
  signal?: AbortSignal;
  /** The current dataset, read once for the stale and missing checks. */
  dataset(): Promise<Dataset>;
}

const none = (unit: string, message: string): Measure => ({ value: null, unit, message });

/** The unit a check's values are in (a check that failed still charts on the same axis as its history). */
export function unitOf(spec: CheckSpec): string {
  if (spec.kind === 'performance') return String(spec.options.metric ?? '');
  return spec.kind === 'stale' || spec.kind === 'latency' ? 'ms' : 'share';
}

/**
 * Measures one check, turning a failure of its own (a labels file without the id column, a stale column
 * holding no timestamps) into "no data" with the error: one broken check must not hide the others.
 * Cancellation and bugs still end the evaluation.
 */
export async function measureOrError(spec: CheckSpec, ctx: CheckContext): Promise<Measure & { error?: string }> {
  try {
    return await measure(spec, ctx);
  } catch (e) {
    if (!isMlopsError(e) || e.code === 'CANCELLED') throw e;
    const error = errorMessage(e);
    return { value: null, unit: unitOf(spec), message: error, error };
  }
}

export async function measure(spec: CheckSpec, ctx: CheckContext): Promise<Measure> {
  const d = ctx.data;
  switch (spec.kind) {
    case 'drift': {
      if (!d.current) return none('share', d.noData ?? 'no current data');
      if (!d.reference)
        return none('share', 'no reference data: set reference: or tag the version with reference_data');
      const o = spec.options;
      const settings = applyDriftConfig(
        ctx.drift,
        { ...(o.columns ? { columns: o.columns } : {}), ...(o.features ? { features: o.features } : {}) },
        'checks.drift',
      );
      const r = await runDrift({
        reference: d.reference,
        current: d.current,
        // The window is a file of our own: messages name the log and its fix, not the file.
        ...(d.records
          ? {
              referenceName: d.window.reference,
              currentName: d.window.current,
              columnsHint: logColumnsHint(ctx.version),
            }
          : {}),
        settings,
        signal: ctx.signal,
        now: ctx.now,
      });
      const drifted = r.features.filter((f) => f.status === 'compared' && f.drifted).map((f) => f.name);
      return {
        value: r.dataset.features ? r.dataset.share : null,
        unit: 'share',
        message: `${r.dataset.driftedFeatures} of ${r.dataset.features} features drifted${drifted.length ? ` (${drifted.slice(0, 5).join(', ')})` : ''}`,
      };
    }
    case 'stale': {
      if (!d.current) return none('ms', d.noData ?? 'no current data');
      const ds = await ctx.dataset();
      const name = spec.options.column as string | undefined;
      const ts = name ? findColumn(ds, name) : ds.columns.find((c) => c.type === 'timestamp');
      if (!ts || ts.type !== 'timestamp')
        throw new MlopsError(
          'INVALID_ARGUMENT',
          `${ds.file}: ${name ? `column "${name}" holds no timestamps` : 'there is no timestamp column'}, which checks.stale needs.`,
          'Name a column of ISO 8601 times or epoch seconds with checks.stale.column.',
        );
      let newest = -Infinity;
      for (const v of ts.values) if (v > newest) newest = v;
      if (!Number.isFinite(newest)) return none('ms', `column ${ts.name} has no timestamp`);
      return { value: ctx.now - newest, unit: 'ms', message: `newest ${ts.name} is ${new Date(newest).toISOString()}` };
    }
    case 'missing': {
      if (!d.current) return none('share', d.noData ?? 'no current data');
      const ds = await ctx.dataset();
      const wanted = spec.options.columns as string[] | undefined;
      let worst = { name: '', share: 0 };
      for (const c of ds.columns) {
        if (wanted ? !wanted.includes(c.name) : c.type === 'timestamp') continue;
        const share = ds.rows ? c.missing / ds.rows : 0;
        if (share >= worst.share) worst = { name: c.name, share };
      }
      // Columns with every value missing are not read as columns; they are the worst case.
      for (const s of ds.skipped)
        if ((!wanted || wanted.includes(s.name)) && /missing/.test(s.reason)) worst = { name: s.name, share: 1 };
      return { value: worst.share, unit: 'share', message: worst.name ? `most missing: ${worst.name}` : 'no column' };
    }
    case 'latency': {
      const recs = (d.records ?? []).filter((r) => r.status === 200);
      const p = String(spec.options.percentile ?? 'p95');
      const v = percentile(
        recs.map((r) => r.latencyMs),
        Number(p.slice(1)),
      );
      return v === null
        ? none('ms', d.noData ?? 'no answered request in the window')
        : { value: v, unit: 'ms', message: `${p} of ${recs.length} requests` };
    }
    case 'error_rate': {
      const recs = d.records ?? [];
      if (!recs.length) return none('share', d.noData ?? 'no request in the window');
      const failed = recs.filter((r) => r.status < 200 || r.status >= 300).length;
      return { value: failed / recs.length, unit: 'share', message: `${failed} of ${recs.length} requests failed` };
    }
    case 'performance': {
      if (!d.records?.length)
        return none('', d.noData ?? 'performance needs the prediction log (current: { predictions: ... })');
      const preds = outputsById(d.records, spec.options.output as string | undefined);
      return performanceOf(spec, ctx.dir, preds, ctx.signal);
    }
  }
}

/**
 * What to do when the prediction log's columns are not the reference's: the log names a version's inputs
 * by its feature_names tag (recorded when `mlops serve` starts the version), else by position as the log
 * reader does (<input>_0, <input>_1, …; a 1-D input by its name).
 */
export function logColumnsHint(v: ModelVersion): string {
  const byPosition = (v.signature?.inputs ?? [])
    .map((i) => (i.shape && i.shape.length <= 1 ? i.name : `${i.name}_0, ${i.name}_1, …`))
    .join('; ');
  const tag = featureNamesFromTag(v.tags);
  return (
    `The log names the inputs by the version's ${FEATURE_NAMES_TAG} tag` +
    (tag ? ` (now ${tag.join(',')})` : '') +
    `, else by position${byPosition ? ` (${byPosition})` : ''}: ` +
    `set the tag to the reference's column names (mlops tag ${versionUri(v.model, v.version)} ${FEATURE_NAMES_TAG}=a,b,c) ` +
    'and serve the version again, or name the columns to compare with checks.drift.columns (or drift.columns) in mlops.yaml.'
  );
}

/** The first row of the chosen output (default: the first) of each logged request that has an id. */
export function outputsById(records: PredictionRecord[], output?: string): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const r of records) {
    if (r.id === undefined || !r.outputs) continue;
    const t = output ? r.outputs[output] : Object.values(r.outputs)[0];
    if (!t) continue;
    const width = t.shape.length > 1 ? t.shape.slice(1).reduce((a, b) => a * b, 1) : 1;
    out.set(r.id, t.data.slice(0, width).map(Number));
  }
  return out;
}

/** Joins predictions with the labels file on the request id and scores them. */
export async function performanceOf(
  spec: CheckSpec,
  dir: string,
  preds: Map<string, number[]>,
  signal?: AbortSignal,
): Promise<Measure> {
  const o = spec.options;
  const metric = o.metric as PerformanceMetric;
  const file = path.resolve(dir, String(o.labels));
  const idName = String(o.id ?? 'request_id');
  const labelName = String(o.label ?? 'label');
  const labels = await readDataset(file, {
    displayName: String(o.labels),
    types: { [idName]: 'categorical', [labelName]: 'categorical' },
    signal,
  });
  const idCol = findColumn(labels, idName);
  const labelCol = findColumn(labels, labelName);
  if (!idCol || !labelCol)
    throw new MlopsError(
      'INVALID_ARGUMENT',
      `${String(o.labels)} has no column "${!idCol ? idName : labelName}".`,
      `Name the columns with checks.performance.id and .label (columns: ${labels.header.join(', ')}).`,
    );
  const rows: Scored[] = [];
  for (let i = 0; i < labels.rows; i++) {
    const id = cellText(idCol, i);
    const label = cellText(labelCol, i);
    const output = id === null ? undefined : preds.get(id);
    if (output && label !== null) rows.push({ output, label });
  }
  const value = scorePerformance(rows, metric);
  return value === null
    ? none(metric, `no labelled prediction to score (${rows.length} joined on ${idName})`)
    : { value, unit: metric, message: `${metric} on ${rows.length} labelled predictions` };
}
