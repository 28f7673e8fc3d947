import { MlopsError } from '../errors';
import { sortFloat64 } from '../stats/sort';
import { stdDev } from '../stats/summary';
import { WassersteinReference } from '../stats/wasserstein';
import type { DriftSettings, WindowSpec } from './config';
import { type ComparableColumn, comparable, sampleOf } from './feature';
import { isDrifted } from './methods';
import type { PreparedDataset, PreparedTimestamp } from './prepare';
import type { FeatureDrift, WindowedDrift, WindowInfo } from './result';
import { runTest, type Sample } from './statTests';

/** More windows than this would not be readable on a chart and would take long: ask for larger ones. */
export const MAX_WINDOWS = 1000;
const WEEK = 604_800_000;
const MONDAY = 4 * 86_400_000; // 1970-01-05, the first Monday after the epoch

/**
 * Drift over time: the current rows are cut into windows (of time over the timestamp column, or of N
 * rows) and every compared feature is tested, window by window, against the whole reference with the
 * same method and threshold as the overall result.
 */
export function computeWindows(
  spec: WindowSpec,
  reference: Map<string, ComparableColumn>,
  current: PreparedDataset,
  features: FeatureDrift[],
  settings: DriftSettings,
  timestamp: PreparedTimestamp | undefined,
): WindowedDrift {
  const rows = current.rows;
  const win = new Int32Array(rows).fill(-1);
  let count: number;
  let origin = 0;
  let rowsWithoutTimestamp = 0;
  if (spec.by === 'rows') {
    count = Math.ceil(rows / spec.rows);
    for (let i = 0; i < rows; i++) win[i] = Math.floor(i / spec.rows);
  } else {
    if (!timestamp?.raw)
      throw new MlopsError(
        'INVALID_ARGUMENT',
        'Time windows need a timestamp column.',
        'Name it with --timestamp <column> (or drift.timestamp in mlops.yaml), or use row windows such as --window 5000rows.',
      );
    const t = timestamp.raw;
    const align = spec.ms % WEEK === 0 ? MONDAY : 0;
    origin = Math.floor((timestamp.min - align) / spec.ms) * spec.ms + align;
    count = Number.isFinite(timestamp.max) ? Math.floor((timestamp.max - origin) / spec.ms) + 1 : 0;
    if (count > MAX_WINDOWS) {
      throw new MlopsError(
        'INVALID_ARGUMENT',
        `Windows of ${spec.label} over "${timestamp.name}" make ${count} windows (at most ${MAX_WINDOWS}).`,
        'Choose a larger window, e.g. --window 1d or 1w.',
      );
    }
    for (let i = 0; i < rows; i++) {
      const v = t[i];
      if (v === v) win[i] = Math.floor((v - origin) / spec.ms);
      else rowsWithoutTimestamp++;
    }
  }
  if (count > MAX_WINDOWS)
    throw new MlopsError(
      'INVALID_ARGUMENT',
      `Windows of ${spec.label} make ${count} windows (at most ${MAX_WINDOWS}).`,
      'Choose a larger window.',
    );
  // Counting sort of the row indexes by window.
  const offsets = new Int32Array(count + 1);
  for (let i = 0; i < rows; i++) if (win[i] >= 0) offsets[win[i] + 1]++;
  for (let w = 0; w < count; w++) offsets[w + 1] += offsets[w];
  const order = new Int32Array(offsets[count]);
  const fill = offsets.slice(0, count);
  for (let i = 0; i < rows; i++) if (win[i] >= 0) order[fill[win[i]]++] = i;

  const byName = new Map(current.columns.map((c) => [c.name, c]));
  const series: WindowedDrift['features'] = [];
  for (const f of features) {
    if (f.status !== 'compared') continue;
    const refCol = reference.get(f.name)!;
    const curCol = byName.get(f.name) as ComparableColumn;
    const refSample = sampleOf(refCol);
    // Wasserstein against the same reference in every window: its sorted values, prefix sums and std
    // are prepared once, so a window of m values costs about m searches, not a pass over the whole reference.
    const w1 =
      f.method === 'wasserstein' && refSample.kind === 'numeric'
        ? { ref: new WassersteinReference(refSample.sorted), std: Math.max(stdDev(refSample.sorted), 0.001) }
        : null;
    const scores: (number | null)[] = [];
    const drifted: boolean[] = [];
    for (let w = 0; w < count; w++) {
      const s = windowSample(curCol, order, offsets[w], offsets[w + 1]);
      const size = s.kind === 'numeric' ? s.sorted.length : s.total;
      if (size === 0) {
        scores.push(null);
        drifted.push(false);
        continue;
      }
      let score: number;
      if (w1 && s.kind === 'numeric') score = w1.ref.distanceTo(s.sorted) / w1.std;
      else {
        const [a, b] = comparable(refSample, s);
        score = runTest(f.method, a, b, settings.bins).score;
      }
      scores.push(Number.isFinite(score) ? score : null);
      drifted.push(isDrifted(f.rule, score, f.threshold));
    }
    series.push({ name: f.name, method: f.method, rule: f.rule, threshold: f.threshold, scores, drifted });
  }
  const windows: WindowInfo[] = [];
  for (let w = 0; w < count; w++) {
    const withData = series.filter((s) => s.scores[w] !== null);
    const driftedFeatures = withData.filter((s) => s.drifted[w]).length;
    const share = withData.length ? driftedFeatures / withData.length : null;
    const start = spec.by === 'time' ? origin + w * spec.ms : null;
    const end = spec.by === 'time' ? origin + (w + 1) * spec.ms : null;
    windows.push({
      label:
        spec.by === 'time'
          ? timeLabel(start!, spec.ms)
          : `rows ${w * spec.rows + 1}–${Math.min(rows, (w + 1) * spec.rows)}`,
      start: start === null ? null : new Date(start).toISOString(),
      end: end === null ? null : new Date(end).toISOString(),
      rows: offsets[w + 1] - offsets[w],
      driftedFeatures,
      share,
      drifted: share !== null && share >= settings.driftShare,
    });
  }
  return {
    by: spec.by,
    size: spec.label,
    timestamp: spec.by === 'time' ? (timestamp?.name ?? null) : null,
    rowsWithoutTimestamp,
    windows,
    features: series,
  };
}

function windowSample(c: ComparableColumn, order: Int32Array, from: number, to: number): Sample {
  if (c.type === 'numeric') {
    const raw = c.raw!;
    const vals = new Float64Array(to - from);
    let k = 0;
    for (let i = from; i < to; i++) {
      const v = raw[order[i]];
      if (v === v) vals[k++] = v;
    }
    return { kind: 'numeric', sorted: sortFloat64(vals.subarray(0, k)) };
  }
  const codes = c.codes!;
  const perCode = new Float64Array(c.dictionary.length);
  let total = 0;
  for (let i = from; i < to; i++) {
    const code = codes[order[i]];
    if (code >= 0) {
      perCode[code]++;
      total++;
    }
  }
  const counts = new Map<string, number>();
  perCode.forEach((n, code) => {
    if (n > 0) counts.set(c.dictionary[code], (counts.get(c.dictionary[code]) ?? 0) + n);
  });
  return { kind: 'categorical', counts, total };
}

function timeLabel(ms: number, size: number): string {
  const iso = new Date(ms).toISOString();
  if (size % 86_400_000 === 0) return iso.slice(0, 10);
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)}`;
}
