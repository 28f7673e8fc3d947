import os from 'node:os';

/**
 * How many workers and intra-op threads per session, so that workers x threads never exceeds the cores:
 * onnxruntime threads that outnumber the cores only fight each other (and the HTTP thread).
 * Default: one worker per core up to 4 (concurrent runs hide each run's messaging overhead and keep
 * small models fast), and the remaining cores as intra-op threads (big models at 8+ cores).
 */
export function poolSizing(o: { workers?: number; intraOpThreads?: number }, cores = os.availableParallelism()) {
  const positive = (n: number | undefined) => (n !== undefined && Number.isInteger(n) && n > 0 ? n : undefined);
  const w = positive(o.workers);
  const t = positive(o.intraOpThreads);
  if (w && t) return { workers: w, intraOpThreads: t };
  if (w) return { workers: w, intraOpThreads: Math.max(1, Math.floor(cores / w)) };
  if (t) return { workers: Math.max(1, Math.floor(cores / t)), intraOpThreads: t };
  const workers = Math.max(1, Math.min(4, cores));
  return { workers, intraOpThreads: Math.max(1, Math.floor(cores / workers)) };
}
