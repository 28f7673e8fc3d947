/**
 * Reads the serving metrics of one server, in process, from its Prometheus text (ServingMetrics.render,
 * the only public view of them): per model and version, the cumulative counters and histograms the
 * Latency panel turns into per-interval points. No HTTP: the extension host owns the server object.
 */

/** Cumulative values of one model version since the server started. */
export interface VersionCounters {
  model: string;
  version: number;
  success: number;
  failure: number;
  /** Request duration histogram: per-bucket (not cumulative) counts, the last one for +Inf; seconds bounds. */
  durationBounds: number[];
  durationCounts: number[];
  queueSum: number;
  queueCount: number;
  computeSum: number;
  computeCount: number;
  batchSum: number;
  batchCount: number;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

function labelsOf(text: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!text) return out;
  for (const m of text.matchAll(LABEL)) out[m[1]] = m[2].replace(/\\n/g, '\n').replace(/\\(["\\])/g, '$1');
  return out;
}

const PREFIX = 'mlops_inference_';

/** Parses the families the panel needs, keyed by "model\u0000version". Unknown lines are ignored. */
export function readVersionCounters(text: string): Map<string, VersionCounters> {
  const out = new Map<string, VersionCounters>();
  const cumulative = new Map<string, { le: number; v: number }[]>();
  const at = (l: Record<string, string>) => {
    const key = `${l.model}\u0000${l.version}`;
    let c = out.get(key);
    if (!c) {
      c = {
        model: l.model,
        version: Number(l.version),
        success: 0,
        failure: 0,
        durationBounds: [],
        durationCounts: [],
        queueSum: 0,
        queueCount: 0,
        computeSum: 0,
        computeCount: 0,
        batchSum: 0,
        batchCount: 0,
      };
      out.set(key, c);
    }
    return { key, c };
  };
  for (const line of text.split('\n')) {
    if (!line.startsWith(PREFIX)) continue;
    const m = SAMPLE.exec(line);
    if (!m) continue;
    const name = m[1].slice(PREFIX.length);
    const l = labelsOf(m[2]);
    if (l.model === undefined || l.version === undefined) continue;
    const v = m[3] === '+Inf' ? Infinity : Number(m[3]);
    if (!Number.isFinite(v)) continue;
    const { key, c } = at(l);
    switch (name) {
      case 'request_success_total':
        c.success += v;
        break;
      case 'request_failure_total':
        c.failure += v; // one series per reason
        break;
      case 'request_duration_seconds_bucket': {
        const le = l.le === '+Inf' ? Infinity : Number(l.le);
        const list = cumulative.get(key) ?? [];
        list.push({ le, v });
        cumulative.set(key, list);
        break;
      }
      case 'queue_duration_seconds_sum':
        c.queueSum = v;
        break;
      case 'queue_duration_seconds_count':
        c.queueCount = v;
        break;
      case 'compute_duration_seconds_sum':
        c.computeSum = v;
        break;
      case 'compute_duration_seconds_count':
        c.computeCount = v;
        break;
      case 'batch_size_sum':
        c.batchSum = v;
        break;
      case 'batch_size_count':
        c.batchCount = v;
        break;
    }
  }
  for (const [key, list] of cumulative) {
    const c = out.get(key)!;
    list.sort((a, b) => a.le - b.le);
    let prev = 0;
    for (const { le, v } of list) {
      if (Number.isFinite(le)) c.durationBounds.push(le);
      c.durationCounts.push(Math.max(0, v - prev));
      prev = v;
    }
  }
  return out;
}
