import { runJson } from './builders';
import type { Params } from './http';
import type { Handler } from './registryRoutes';
import { DoubleError, type DoubleRun } from './store';

/** The TEST DOUBLE's tracking endpoints used by a push: a run holds metrics, params and the file. */
const STATUSES = new Set(['RUNNING', 'FINISHED', 'FAILED', 'KILLED', 'SCHEDULED']);

export const runRoutes: Record<string, Handler> = {
  'POST runs/create': (p, s) => {
    const r = s.createRun(
      p.optStr('experiment_id') || '0',
      p.optStr('run_name'),
      p.optStr('user_id'),
      p.int('start_time', 0),
      p.tags(),
    );
    return { run: runJson(r) };
  },
  'GET runs/get': (p, s) => ({ run: runJson(s.run(p.str('run_id'))) }),
  'POST runs/update': (p, s) => {
    const r = s.run(p.str('run_id'));
    if (p.has('status')) {
      const st = p.str('status');
      if (!STATUSES.has(st)) throw new DoubleError(400, 'INVALID_PARAMETER_VALUE', `Invalid run status: ${st}`);
      r.status = st as DoubleRun['status'];
    }
    if (p.has('end_time')) r.endTime = p.int('end_time', 0);
    if (p.has('run_name')) r.runName = p.optStr('run_name');
    return { run_info: runJson(r).info };
  },
  'POST runs/log-batch': (p, s) => logBatch(p, s.run(p.str('run_id')), s),
  'POST runs/delete': (p, s) => {
    s.run(p.str('run_id')).lifecycleStage = 'deleted';
    return {};
  },
};

function logBatch(p: Params, r: DoubleRun, s: Parameters<Handler>[1]): unknown {
  if (r.lifecycleStage === 'deleted')
    throw new DoubleError(
      400,
      'INVALID_STATE',
      `The run ${r.runId} must be in the 'active' state. Current state is deleted.`,
    );
  const metrics = (p.raw('metrics') ?? []) as { key: string; value: number; timestamp: number; step?: number }[];
  const params = p.tags('params');
  const tags = p.tags('tags');
  if (metrics.length > 1000 || params.length > 100 || tags.length > 100) {
    throw new DoubleError(
      400,
      'INVALID_PARAMETER_VALUE',
      'A batch logging request can contain at most 1000 metrics, 100 params and 100 tags.',
    );
  }
  for (const m of metrics) {
    // Identical metric entries are ignored, so a repeated log-batch changes nothing.
    if (
      !r.metrics.some(
        (x) => x.key === m.key && x.value === m.value && x.timestamp === m.timestamp && x.step === (m.step ?? 0),
      )
    ) {
      r.metrics.push({ key: m.key, value: m.value, timestamp: m.timestamp, step: m.step ?? 0 });
    }
  }
  for (const x of params) s.logParam(r, x.key, x.value);
  for (const t of tags) r.tags.set(t.key, t.value);
  return {};
}
