import os from 'node:os';

/**
 * How many workers and intra-op threads per session, so that workers x threads never exceeds the cores:
 * onnxruntime threads that outnumber the cores only fight each other (and the HTTP thread).
 * Default: one worker per core up to 4 (concurrent runs hide each run's messaging overhead and keep
 * small models fast), and the remaining cores as intra-op threads (big models at 8+ cores). On up to 4
 * cores one core is left to the HTTP thread (the extension host's, inside VS Code): it parses, checks and
 * answers every request, and on 2 cores a second worker only took turns with it. Measured on 2 cores
 * (README, "serve"; noisy VM, medians): the small MLP 13,000 vs 10,500 req/s with 1 worker vs 2, the
 * batched big MLP 2,930 vs 2,840, and 45 MiB less memory (one worker holds each model once).
 */
export function poolSizing(o: { workers?: number; intraOpThreads?: number }, cores = os.availableParallelism()) {
  const positive = (n: number | undefined) => (n !== undefined && Number.isInteger(n) && n > 0 ? n : undefined);
  const w = positive(o.workers);
  const t = positive(o.intraOpThreads);
  if (w && t) return { workers: w, intraOpThreads: t };
  if (w) return { workers: w, intraOpThreads: Math.max(1, Math.floor(cores / w)) };
  if (t) return { workers: Math.max(1, Math.floor(cores / t)), intraOpThreads: t };
  const forModels = cores <= 4 ? Math.max(1, cores - 1) : cores;
  const workers = Math.min(4, forModels);
  return { workers, intraOpThreads: Math.max(1, Math.floor(forModels / workers)) };
}
