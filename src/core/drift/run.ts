import { throwIfAborted } from '../errors';
import { decideColumnTypes, replaceColumns } from './columnTypes';
import { compareDatasets } from './compare';
import type { DriftSettings } from './config';
import type { DriftResult } from './result';
import { compareInWorker, prepareBoth, prepareOne, scriptFor, type Threads } from './sides';
import type { ColumnType } from './types';
import type { CompareJob, SideJob } from './workerProtocol';

/** What a run needs; plain data. */
export interface RunRequest {
  reference: string;
  current: string;
  /** How the files are named in messages and the result (default: the paths). */
  referenceName?: string;
  currentName?: string;
  /**
   * What to do when one side has a column the other lacks (default: compare files with the same columns or
   * list the shared ones with --columns); a caller whose data is not a file the user made says its own fix.
   */
  columnsHint?: string;
  settings: DriftSettings;
  /** Clock for the staleness check (tests pin it). */
  now?: number;
  /** Where the heavy work runs (sides.ts); default 'current', the CLI's choice. */
  threads?: Threads;
  chunkSize?: number;
}

export type DriftProgress =
  | { phase: 'read'; which: 'reference' | 'current'; file: string; bytes: number; total: number }
  | { phase: 'compare'; message: string };

export interface RunOptions extends RunRequest {
  signal?: AbortSignal;
  onProgress?: (e: DriftProgress) => void;
}

const WHAT = 'The drift comparison';

export async function runDrift(opts: RunOptions): Promise<DriftResult> {
  const s = opts.settings;
  const threads = opts.threads ?? 'current';
  const types: Record<string, ColumnType> = {};
  for (const [name, f] of Object.entries(s.features)) if (f.type) types[name] = f.type;
  if (s.timestamp) types[s.timestamp] = 'timestamp';
  // A workspace-wide default timestamp is read when the file has it, so it is not forced into --columns.
  const withTs = s.timestamp && !s.timestampDefault ? [s.timestamp] : [];
  const columns = s.columns ? [...new Set([...s.columns, ...withTs])] : undefined;
  const names = { reference: opts.referenceName ?? opts.reference, current: opts.currentName ?? opts.current };
  const side = (which: 'reference' | 'current', only?: string[], forced = types): SideJob => ({
    file: opts[which],
    read: { columns: only ?? columns, types: forced, displayName: names[which], chunkSize: opts.chunkSize },
    prepare: { keepRaw: which === 'current' && s.window !== undefined, timestamp: s.timestamp },
  });
  const onProgress = (which: 'reference' | 'current', bytes: number, total: number) =>
    opts.onProgress?.({ phase: 'read', which, file: names[which], bytes, total });
  let [ref, cur] = await prepareBoth(side('reference'), side('current'), {
    threads,
    signal: opts.signal,
    onProgress,
  });
  throwIfAborted(opts.signal, WHAT);

  // Columns typed differently by the two files are read again with one type (columnTypes.ts).
  const decisions = decideColumnTypes(ref, cur, types);
  const notes = decisions.map((d) => `${d.name}: ${d.note}`);
  for (const which of ['reference', 'current'] as const) {
    const mine = decisions.filter((d) => d.reread.includes(which));
    if (!mine.length) continue;
    const forced = { ...types, ...Object.fromEntries(mine.map((d) => [d.name, d.type])) };
    const job = side(
      which,
      mine.map((d) => d.name),
      forced,
    );
    const fresh = await prepareOne(threads, job, opts.signal, (b, t) => onProgress(which, b, t));
    if (which === 'reference') ref = replaceColumns(ref, fresh);
    else cur = replaceColumns(cur, fresh);
  }

  opts.onProgress?.({ phase: 'compare', message: 'Comparing features' });
  const job: CompareJob = {
    settings: s,
    now: opts.now ?? Date.now(),
    notes,
    ...(opts.columnsHint ? { columnsHint: opts.columnsHint } : {}),
  };
  const script = threads === 'all' ? scriptFor(threads) : undefined;
  return script ? compareInWorker(script, ref, cur, job, opts.signal) : compareDatasets(ref, cur, job);
}
