import { MlopsError } from '../errors';
import type { DriftSettings } from './config';
import { type ComparableColumn, compareFeature } from './feature';
import type { PreparedColumn, PreparedDataset, PreparedTimestamp } from './prepare';
import { type DatasetInfo, type DriftResult, type FeatureDrift, RESULT_VERSION } from './result';
import { where } from './read/errors';
import { fmtDuration } from './report/format';
import { checkStaleness } from './staleness';
import { computeWindows } from './windows';
import type { CompareJob } from './workerProtocol';

/**
 * The comparison of two prepared datasets: per-feature tests, the dataset verdict, windows and
 * staleness. Pure computation on plain data, so it runs in whichever thread holds the datasets.
 */
export function compareDatasets(ref: PreparedDataset, cur: PreparedDataset, job: CompareJob): DriftResult {
  const started = Date.now();
  const s = job.settings;
  if (!s.columns) checkSameColumns(ref, cur, job.columnsHint);
  // A file given as both reference and current has its reader's notes once.
  const notes: string[] = [...new Set([...job.notes, ...(ref.notes ?? []), ...(cur.notes ?? [])])];
  checkFeatureNames(ref, cur, s, notes);
  checkTimestampExists(ref, cur, s);
  const timestamp = findTimestamp(cur, s, notes);
  const refByName = new Map(ref.columns.map((c) => [c.name, c]));
  const curByName = new Map(cur.columns.map((c) => [c.name, c]));
  const features: FeatureDrift[] = [];
  const skipped: DriftResult['skipped'] = ref.skipped.map((x) => ({ name: x.name, reason: `reference: ${x.reason}` }));
  const notCompared: string[] = [];
  const comparableRefs = new Map<string, ComparableColumn>();
  for (const name of ref.header) {
    const r = refByName.get(name);
    const c = curByName.get(name);
    if (!r || !c) {
      // A column with no value at all in either file cannot be compared, whichever side it is: a gate
      // that passed on an empty reference would call data "no drift" that nothing was compared with.
      const curEmpty = !c && cur.skipped.find((x) => x.name === name && x.allMissing);
      if (curEmpty) skipped.push({ name, reason: `current: ${curEmpty.reason}` });
      const refEmpty = !r && ref.skipped.some((x) => x.name === name && x.allMissing);
      if ((curEmpty || refEmpty) && !s.features[name]?.ignore) notCompared.push(name);
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
    const f = compareFeature(r, c, s);
    features.push(f);
    if (f.status === 'compared') comparableRefs.set(name, r);
    else notCompared.push(name); // its notes say why: no usable value on one side, or values that overflow
  }
  const compared = features.filter((f) => f.status === 'compared');
  const driftedFeatures = compared.filter((f) => f.drifted).length;
  const share = compared.length ? driftedFeatures / compared.length : 0;
  if (compared.length === 0) notes.push('No feature could be compared.');
  for (const f of features) for (const n of f.notes) notes.push(`${f.name}: ${n}`);

  const windowed = s.window && (s.window.by === 'rows' || timestamp);
  const windows = windowed && s.window ? computeWindows(s.window, comparableRefs, cur, compared, s, timestamp) : null;
  if (windows?.rowsWithoutTimestamp && timestamp)
    notes.push(noTimestampNote(windows.rowsWithoutTimestamp, timestamp, cur));
  const staleness = s.ttl && timestamp ? checkStaleness(timestamp, s.ttl, job.now) : null;
  if (staleness?.ageMs !== null && staleness?.ageMs !== undefined && staleness.ageMs < 0)
    notes.push(
      `the newest "${staleness.column}" (${staleness.newest}) is ${fmtDuration(-staleness.ageMs)} in the future (now: ${staleness.now}): check the clock, or the time zone the timestamps are written in.`,
    );
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
      notCompared,
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
function checkSameColumns(
  ref: PreparedDataset,
  cur: PreparedDataset,
  hint = 'Compare files with the same columns, or list the shared ones with --columns (drift.columns in mlops.yaml).',
): void {
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
        hint,
      );
    }
  }
}

/**
 * A per-feature setting (--method, --threshold, --type, --ignore, a dataset's or model's section) that
 * names no column of either file is a typo: an error naming where it was set. Workspace-wide settings
 * serve several datasets, so there it is only a note.
 */
function checkFeatureNames(ref: PreparedDataset, cur: PreparedDataset, s: DriftSettings, notes: string[]): void {
  const names = new Set([...ref.header, ...cur.header]);
  for (const [name, o] of Object.entries(s.features)) {
    if (names.has(name)) continue;
    const setBy = o.setBy ?? `the setting for "${name}"`;
    if (o.workspaceDefault) {
      notes.push(`${setBy} names no column of these files.`);
      continue;
    }
    throw new MlopsError(
      'INVALID_ARGUMENT',
      `${setBy}: there is no column "${name}" in ${ref.file} or ${cur.file}.`,
      `Columns: ${[...names].filter(Boolean).join(', ')}.`,
    );
  }
}

/** Rows that fall in no time window are said, with why: else data would leave the windows silently. */
function noTimestampNote(n: number, ts: PreparedTimestamp, cur: PreparedDataset): string {
  const parts: string[] = [];
  if (ts.missing > 0) parts.push(`${ts.missing} missing`);
  const ex = ts.invalid.example;
  if (ts.invalid.count > 0)
    parts.push(`${ts.invalid.count} not a time, e.g. "${ex?.value ?? ''}"${ex ? ` at ${where(cur.file, ex)}` : ''}`);
  return `${n} current row${n === 1 ? ' has' : 's have'} no valid "${ts.name}" timestamp (${parts.join('; ')}) and ${n === 1 ? 'is' : 'are'} in no window.`;
}

/**
 * A timestamp named by a flag or by a dataset's or model's own settings must be a column of the current
 * data (where windows and the staleness check read it), whether or not windows or a TTL are asked for:
 * a typo would otherwise pass unnoticed until they are. A workspace-wide default may be absent.
 */
function checkTimestampExists(ref: PreparedDataset, cur: PreparedDataset, s: DriftSettings): void {
  const name = s.timestamp;
  if (!name || s.timestampDefault) return;
  const has = (d: PreparedDataset) => d.header.includes(name) || d.columns.some((c) => c.name === name);
  if (has(cur)) return;
  const files = has(ref) || ref.file === cur.file ? cur.file : `${ref.file} and ${cur.file}`;
  const looksLikeTime = [...ref.columns, ...cur.columns].filter((c) => c.type === 'timestamp').map((c) => c.name);
  const candidates = [...new Set(looksLikeTime)];
  throw new MlopsError(
    'INVALID_ARGUMENT',
    `${files}: there is no timestamp column "${name}"${s.timestampSetBy ? ` (set by ${s.timestampSetBy})` : ''}.`,
    candidates.length
      ? `Columns that look like timestamps: ${candidates.join(', ')}.`
      : `No column looks like a timestamp; columns: ${cur.header.filter(Boolean).join(', ')}.`,
  );
}

/** The timestamp column of the current data, when windows over time or the staleness check need one. */
function findTimestamp(cur: PreparedDataset, s: DriftSettings, notes: string[]): PreparedTimestamp | undefined {
  const needed = s.ttl !== undefined || s.window?.by === 'time';
  if (!needed) return undefined;
  const isTs = (c: PreparedColumn): c is PreparedTimestamp => c.type === 'timestamp';
  const name = s.timestamp;
  if (name) {
    const c = cur.columns.find((x) => x.name === name);
    if (!c && s.timestampDefault && !cur.header.includes(name)) {
      notes.push(
        `${cur.file} has no column "${name}" (the workspace's drift.timestamp): no windows over time and no staleness check for it.`,
      );
      return undefined;
    }
    if (!c && s.timestampDefault && s.columns && !s.columns.includes(name)) {
      notes.push(
        `"${name}" (the workspace's drift.timestamp) is not among the columns compared: list it in columns to get windows over time and the staleness check.`,
      );
      return undefined;
    }
    if (!c)
      throw new MlopsError(
        'INVALID_ARGUMENT',
        cur.header.includes(name)
          ? `${cur.file}: every value of the timestamp column "${name}" is missing.`
          : `${cur.file}: there is no timestamp column "${name}".`,
        `Columns: ${cur.header.join(', ')}.`,
      );
    if (!isTs(c))
      throw new MlopsError(
        'INVALID_ARGUMENT',
        `${cur.file}: column "${name}" holds no timestamps.`,
        'Use a column of ISO 8601 times (2024-03-01T12:00:00Z) or epoch seconds / milliseconds.',
      );
    if (!Number.isFinite(c.min) && c.invalid.count > 0) {
      const ex = c.invalid.example;
      throw new MlopsError(
        'INVALID_ARGUMENT',
        `${where(cur.file, ex ?? {})}: no value of the timestamp column "${name}" is a time (${c.invalid.count} invalid, e.g. "${ex?.value ?? ''}").`,
        'Use ISO 8601 times (2024-03-01T12:00:00Z) or epoch seconds / milliseconds.',
      );
    }
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
