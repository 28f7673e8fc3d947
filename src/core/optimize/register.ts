import type { Registry } from '../registry/registry';
import type { ActionContext, ModelVersion, OperationOptions } from '../registry/types';
import type { QuantizeReport } from './types';

/**
 * Tags a kept model carries: where it came from and how it was made. The MLflow backend lets these two
 * through its reserved `mlops.` prefix (LINEAGE_TAGS in registry/mlflow/tags.ts).
 */
export const TAG_OPTIMIZED_FROM = 'mlops.optimized_from';
export const TAG_OPTIMIZATION = 'mlops.optimization';

/** The metrics registered with a kept model (all from the report; names stable for dashboards). */
export function keptMetrics(r: QuantizeReport): Record<string, number> {
  const c = r.candidates.find((x) => x.optimization === r.chosen);
  if (!c) return {};
  const m: Record<string, number> = {
    latency_p50_ms: c.latency.serving.p50,
    latency_p99_ms: c.latency.serving.p99,
    latency_p50_ms_batch1: c.latency.batch1.p50,
    speedup: c.speedup.serving,
    speedup_batch1: c.speedup.batch1,
    max_abs_diff: c.agreement.maxAbsDiff,
  };
  if (c.agreement.top1Agreement !== null) m.top1_agreement = c.agreement.top1Agreement;
  // Signed change of the metric (candidate − source): accuracy_delta, auc_delta, rmse_delta.
  if (c.metric) m[`${c.metric.name}_delta`] = c.metric.candidate - c.metric.source;
  return Object.fromEntries(Object.entries(m).filter(([, v]) => Number.isFinite(v)));
}

/**
 * Pushes the kept model as a new version of `target.model`, linked to its source (parentVersion when the
 * source is a registered version). It moves no alias: promoting it is the user's decision.
 */
export async function registerKept(
  registry: Registry,
  report: QuantizeReport,
  filePath: string,
  target: { model: string; parent?: ModelVersion; sourceLabel: string },
  ctx: ActionContext,
  opts: OperationOptions = {},
): Promise<ModelVersion> {
  const tags: Record<string, string> = {
    [TAG_OPTIMIZED_FROM]: target.sourceLabel,
    [TAG_OPTIMIZATION]: report.chosen ?? '',
  };
  // The quantized model answers the same questions on the same data: drift keeps its reference.
  const ref = target.parent?.tags.reference_data;
  if (ref) tags.reference_data = ref;
  return registry.pushVersion(
    {
      filePath,
      model: target.model,
      metrics: keptMetrics(report),
      tags,
      description: report.verdict.sentence,
      ...(target.parent ? { parentVersion: target.parent.version } : {}),
    },
    ctx,
    opts,
  );
}
