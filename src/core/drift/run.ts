import { MlopsError, throwIfAborted } from '../errors';
import type { DriftSettings } from './config';
import { type ComparableColumn, compareFeature } from './feature';
import { prepareBoth, type SideJob } from './parallel';
import type { PreparedColumn, PreparedDataset, PreparedTimestamp } from './prepare';
import { type DatasetInfo, type DriftResult, type FeatureDrift, RESULT_VERSION } from './result';
import { checkStaleness } from './staleness';
import type { ColumnType } from './types';
import { computeWindows } from './windows';

/** What a run needs; plain data so it can be sent to a worker thread. */
export interface RunRequest {
  reference: string;
  current: string;
  /** How the files are named in messages and the result (default: the paths). */
  referenceName?: string;
  currentName?: string;
  settings: DriftSettings;
  /** Clock for the staleness check (tests pin it). */
  now?: number;
  /** Read the current file in a worker thread (default true when the worker script is available). */
  useWorker?: boolean;
  chunkSize?: number;
}

export type DriftProgress =
  | { phase: 'read'; which: 'reference' | 'current'; file: string; bytes: number; total: number }
  | { phase: 'compare'; message: string };

export interface RunOptions extends RunRequest {
  signal?: AbortSignal;
  onProgress?: (e: DriftProgress) => void;
}

export async function runDrift(opts: RunOptions): Promise<DriftResult> {
  const started = Date.now();
  const s = opts.settings;
  const needsTimestamp = s.ttl !== undefined || s.window?.by === 'time';
  const types: Record<string, ColumnType> = {};
  for (const [name, f] of Object.entries(s.features)) if (f.type) types[name] = f.type;
  if (s.timestamp) types[s.timestamp] = 'timestamp';
  const columns = s.columns ? [...new Set([...s.columns, ...(s.timestamp ? [s.timestamp] : [])])] : undefined;
  const refName = opts.referenceName ?? opts.reference;
  const curName = opts.currentName ?? opts.current;
  const side = (file: string, displayName: string, keepRaw: boolean): SideJob => ({
    file,
    read: { columns, types, displayName, chunkSize: opts.chunkSize },
    prepare: { keepRaw, timestamp: s.timestamp },
  });
  const [ref, cur] = await prepareBoth(
    side(opts.reference, refName, false),
    side(opts.current, curName, s.window !== undefined),
    {
      signal: opts.signal,
      useWorker: opts.useWorker,
      onProgress: (which, bytes, total) =>
        opts.onProgress?.({ phase: 'read', which, file: which === 'reference' ? refName : curName, bytes, total }),
    },
  );
  throwIfAborted(opts.signal, 'The drift comparison');
  opts.onProgress?.({ phase: 'compare', message: 'Comparing features' });
  if (!s.columns) checkSameColumns(ref, cur);

  const timestamp = needsTimestamp ? findTimestamp(cur, s.timestamp) : undefined;
  const refByName = new Map(ref.columns.map((c) => [c.name, c]));
  const curByName = new Map(cur.columns.map((c) => [c.name, c]));
  const features: FeatureDrift[] = [];
  const skipped: DriftResult['skipped'] = [...ref.skipped.map((x) => ({ ...x, reason: `reference: ${x.reason}` }))];
  const notes: string[] = [];
  const comparableRefs = new Map<string, ComparableColumn>();
  for (const name of ref.header) {
    const r = refByName.get(name);
    const c = curByName.get(name);
    if (!r || !c) {
      if (r && !c && cur.skipped.some((x) => x.name === name))
        skipped.push({ name, reason: 'current: every value is missing' });
      continue;
    }
    if (s.features[name]?.ignore) {
      skipped.push({ name, reason: 'ignored in the configuration' });
      continue;
    }
    if (r.type === 'timestamp' || c.type === 'timestamp') {
      const used = name === timestamp?.name || name === s.timestamp;
      skipped.push({
        name,
        reason: used
          ? 'the timestamp column (used for windows / staleness)'
          : 'a timestamp: not compared (give it the type numeric to compare it)',
      });
      continue;
    }
    features.push(compareFeature(r, c, s));
    comparableRefs.set(name, r);
  }
  const compared = features.filter((f) => f.status === 'compared');
  const driftedFeatures = compared.filter((f) => f.drifted).length;
  const share = compared.length ? driftedFeatures / compared.length : 0;
  if (compared.length === 0) notes.push('No feature could be compared.');
  for (const f of features) for (const n of f.notes) notes.push(`${f.name}: ${n}`);

  const windows = s.window ? computeWindows(s.window, comparableRefs, cur, features, s, timestamp) : null;
  const staleness = s.ttl && timestamp ? checkStaleness(timestamp, s.ttl, opts.now ?? Date.now()) : null;
  return {
    version: RESULT_VERSION,
    generatedAt: new Date().toISOString(),
    durationMs: Date.now() - started,
    reference: info(ref),
    current: info(cur),
    settings: {
      driftShare: s.driftShare,
      bins: s.bins,
      smallReference: s.smallReference,
      thresholds: { ...s.thresholds },
    },
    dataset: {
      drifted: compared.length > 0 && share >= s.driftShare,
      driftedFeatures,
      features: compared.length,
      share,
      threshold: s.driftShare,
    },
    features,
    skipped,
    notes,
    windows,
    staleness,
  };
}

function info(d: PreparedDataset): DatasetInfo {
  return { file: d.file, format: d.format, rows: d.rows, bytes: d.bytes, columns: d.header.filter((h) => h !== '') };
}

/** A column present in one dataset and not the other is an error naming both files. */
function checkSameColumns(ref: PreparedDataset, cur: PreparedDataset): void {
  const place = (d: PreparedDataset) => (d.format === 'csv' ? `${d.file}, line 1` : d.file);
  for (const [a, b] of [
    [ref, cur],
    [cur, ref],
  ] as const) {
    const names = new Set(b.header);
    const missing = a.header.find((h) => h !== '' && !names.has(h));
    if (missing !== undefined) {
      const pos = a.header.indexOf(missing) + 1;
      throw new MlopsError(
        'INVALID_ARGUMENT',
        `${place(b)}: there is no column "${missing}", which ${a.file} has (column ${pos} of its ${a.format === 'csv' ? 'header, line 1' : 'columns'}).`,
        'Compare files with the same columns, or list the shared ones with --columns (drift.columns in mlops.yaml).',
      );
    }
  }
}

function findTimestamp(cur: PreparedDataset, name: string | undefined): PreparedTimestamp {
  const isTs = (c: PreparedColumn): c is PreparedTimestamp => c.type === 'timestamp';
  if (name) {
    const c = cur.columns.find((x) => x.name === name);
    if (!c)
      throw new MlopsError(
        'INVALID_ARGUMENT',
        `${cur.file}: there is no timestamp column "${name}".`,
        `Columns: ${cur.header.join(', ')}.`,
      );
    if (!isTs(c))
      throw new MlopsError(
        'INVALID_ARGUMENT',
        `${cur.file}: column "${name}" holds no timestamps.`,
        'Use a column of ISO 8601 times (2024-03-01T12:00:00Z) or epoch seconds / milliseconds.',
      );
    return c;
  }
  const all = cur.columns.filter(isTs);
  if (all.length === 1) return all[0];
  throw new MlopsError(
    'INVALID_ARGUMENT',
    all.length === 0
      ? `${cur.file} has no timestamp column, which --ttl and time windows need.`
      : `${cur.file} has several timestamp columns (${all.map((c) => c.name).join(', ')}).`,
    'Name the column with --timestamp <column> (drift.timestamp in mlops.yaml).',
  );
}
