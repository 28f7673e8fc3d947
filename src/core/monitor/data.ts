import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { MlopsError } from '../errors';
import { FEATURES_FILE, modelLogDir, PREDICTIONS_DIR } from '../serving/predlog/layout';
import { readPredictionLog } from '../serving/predlog/reader';
import type { PredictionRecord } from '../serving/types';
import { isGlob } from './config';
import type { MonitorSpec } from './types';

/** The data one evaluation looks at. */
export interface MonitorData {
  reference?: string;
  /** A data file, or a folder holding the prediction-log window (readable by the drift engine). */
  current?: string;
  /** Prediction-log records in the window (current: { predictions: ... } only). */
  records?: PredictionRecord[];
  window: { reference?: string; current: string; from?: string; to?: string };
  /** Why there is no current data (no data: not an error). */
  noData?: string;
}

/** A pattern as a folder and a test of the names in it (a glob's wildcards are in the file name only). */
export function patternMatcher(dir: string, pattern: string): { folder: string; matches: (name: string) => boolean } {
  const abs = path.resolve(dir, pattern);
  const folder = path.dirname(abs);
  if (!isGlob(pattern)) return { folder, matches: (n) => n === path.basename(abs) };
  if (isGlob(folder))
    throw new MlopsError(
      'INVALID_ARGUMENT',
      `"${pattern}": only the file name may hold wildcards.`,
      'Write it as folder/day-*.csv.',
    );
  const re = new RegExp(
    '^' +
      path
        .basename(abs)
        .replace(/[.+^$()|\\]/g, '\\$&')
        .replace(/\*/g, '[^/]*')
        .replace(/\?/g, '.')
        .replace(/\{([^}]*)\}/g, (_, alts: string) => `(${alts.split(',').join('|')})`) +
      '$',
  );
  return { folder, matches: (n) => re.test(n) };
}

/** Files a pattern names, newest last: a glob matches names in one folder (`data/day-*.csv`). */
export async function expandPattern(dir: string, pattern: string): Promise<string[]> {
  if (!isGlob(pattern)) return [path.resolve(dir, pattern)];
  const { folder, matches } = patternMatcher(dir, pattern);
  const names = await fsp.readdir(folder).catch(() => [] as string[]);
  const files = await Promise.all(
    names
      .filter(matches)
      .map(async (n) => ({ f: path.join(folder, n), t: (await fsp.stat(path.join(folder, n))).mtimeMs })),
  );
  return files.sort((a, b) => a.t - b.t || a.f.localeCompare(b.f)).map((x) => x.f);
}

/** The newest file the patterns name (a glob of daily drops: today's is the current one). */
async function newestOf(dir: string, patterns: string[]): Promise<string | undefined> {
  let best: { f: string; t: number } | undefined;
  for (const p of patterns)
    for (const f of await expandPattern(dir, p)) {
      const st = await fsp.stat(f).catch(() => undefined);
      if (st && (!best || st.mtimeMs >= best.t)) best = { f, t: st.mtimeMs };
    }
  return best?.f;
}

export interface DataContext {
  /** mlops.yaml's folder. */
  dir: string;
  /** `.mlops/monitor` (window files are written under it). */
  monitorDir: string;
  /** The registry's prediction-log root (`.mlops/predictions`), when known. */
  predictionsRoot: string;
  /** The version's `reference_data` tag. */
  referenceTag?: string;
  now: number;
  signal?: AbortSignal;
}

export async function resolveData(m: MonitorSpec, ctx: DataContext): Promise<MonitorData> {
  const reference = m.reference
    ? await newestOf(ctx.dir, m.reference)
    : ctx.referenceTag
      ? path.resolve(ctx.dir, ctx.referenceTag)
      : undefined;
  const rel = (p: string) => path.relative(ctx.dir, p) || p;
  if (m.current.kind === 'files') {
    const current = await newestOf(ctx.dir, m.current.patterns);
    return {
      reference,
      current,
      window: {
        reference: reference && rel(reference),
        current: current ? rel(current) : m.current.patterns.join(', '),
      },
      noData: current ? undefined : `no file matches ${m.current.patterns.join(', ')}`,
    };
  }
  const logDir = m.current.dir ? path.resolve(ctx.dir, m.current.dir) : modelLogDir(ctx.predictionsRoot, m.modelName);
  const from = ctx.now - m.current.windowMs;
  const records: PredictionRecord[] = [];
  const exists = await fsp.stat(logDir).then(
    () => true,
    () => false,
  );
  if (exists)
    await readPredictionLog(
      logDir,
      (r) => {
        const t = Date.parse(r.ts);
        if (t >= from && t <= ctx.now) records.push(r);
      },
      ctx.signal,
    ).catch((e: unknown) => {
      if (!(e instanceof MlopsError && e.code === 'NOT_FOUND')) throw e;
    });
  const window = {
    reference: reference && rel(reference),
    current: `prediction log of ${m.modelName}, last ${m.current.window}`,
    from: new Date(from).toISOString(),
    to: new Date(ctx.now).toISOString(),
  };
  if (records.length === 0)
    return { reference, records, window, noData: `no prediction in the last ${m.current.window}` };
  // The window as a log folder of its own, so the drift engine and a retrain command read just these rows.
  const winDir = path.join(ctx.monitorDir, 'window', path.basename(logDir));
  await fsp.mkdir(winDir, { recursive: true });
  // Written aside then renamed: a concurrent run (cron and a watcher) never reads half a window.
  const tmp = path.join(winDir, `.window-${process.pid}-${Date.now()}.tmp`);
  await fsp.writeFile(tmp, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
  await fsp.rename(tmp, path.join(winDir, 'window.jsonl'));
  await fsp.copyFile(path.join(logDir, FEATURES_FILE), path.join(winDir, FEATURES_FILE)).catch(() => undefined);
  return { reference, current: winDir, records, window };
}

export { PREDICTIONS_DIR };
