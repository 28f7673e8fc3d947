import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { MlopsError, throwIfAborted } from '../../errors';
import { fsError } from '../../util/fsx';
import type { PredictionRecord } from '../types';
import { FEATURES_FILE, LOG_EXTENSION } from './layout';

export interface LogReadStats {
  /** The files read, oldest first. */
  files: string[];
  records: number;
  /** Last lines cut short by a crash mid-write (skipped). */
  tornLines: number;
  /** Other lines that are not prediction records (skipped), with the first one's place. */
  badLines: number;
  firstBad?: { file: string; line: number; reason: string };
}

/** The folder of one model's log, and its files oldest first. */
export interface LogFiles {
  modelDir: string;
  files: string[];
}

/**
 * The log files `target` names: one .jsonl file, a model's folder, or the predictions folder when it
 * holds a single model (several models would mix different inputs, so the user picks one).
 */
export async function listLogFiles(target: string): Promise<LogFiles> {
  let stat;
  try {
    stat = await fsp.stat(target);
  } catch (e) {
    throw fsError(e, 'read the prediction log', target);
  }
  if (stat.isFile()) return { modelDir: path.dirname(target), files: [target] };
  const entries = await fsp.readdir(target, { withFileTypes: true });
  const files = entries
    .filter((e) => e.isFile() && e.name.endsWith(LOG_EXTENSION))
    .map((e) => e.name)
    .sort();
  if (files.length > 0) return { modelDir: target, files: files.map((n) => path.join(target, n)) };
  const models: string[] = [];
  for (const e of entries) {
    if (!e.isDirectory()) continue;
    const inner = await fsp.readdir(path.join(target, e.name)).catch(() => [] as string[]);
    if (inner.some((n) => n.endsWith(LOG_EXTENSION) || n === FEATURES_FILE)) models.push(e.name);
  }
  if (models.length === 1) return listLogFiles(path.join(target, models[0]));
  if (models.length > 1) {
    throw new MlopsError(
      'INVALID_ARGUMENT',
      `${target} holds the prediction logs of ${models.length} models (${models.join(', ')}).`,
      `Name one model's folder, e.g. ${path.join(target, models[0])}.`,
    );
  }
  throw new MlopsError(
    'NOT_FOUND',
    `${target} holds no prediction log (.jsonl files).`,
    'Serve a model with `mlops serve` and send it requests; its log is written under .mlops/predictions/<model>/.',
  );
}

function isRecord(x: unknown): x is PredictionRecord {
  if (!x || typeof x !== 'object' || Array.isArray(x)) return false;
  const r = x as Partial<PredictionRecord>;
  return typeof r.ts === 'string' && typeof r.model === 'string' && typeof r.status === 'number' && !!r.inputs;
}

/**
 * Reads prediction records in order. The writer appends whole lines, so only a file's last line can be
 * cut short (a crash mid-write): it is skipped and counted in `tornLines`, never an error. Other lines
 * that are not records are skipped and counted too.
 */
export async function readPredictionLog(
  target: string | LogFiles,
  onRecord: (r: PredictionRecord, file: string) => void,
  signal?: AbortSignal,
): Promise<LogReadStats & LogFiles> {
  const listed = typeof target === 'string' ? await listLogFiles(target) : target;
  const stats: LogReadStats = { files: listed.files, records: 0, tornLines: 0, badLines: 0 };
  for (const file of listed.files) {
    throwIfAborted(signal, 'Reading the prediction log');
    let text: string;
    try {
      text = await fsp.readFile(file, 'utf8');
    } catch (e) {
      throw fsError(e, 'read the prediction log', file);
    }
    let start = 0;
    let line = 0;
    while (start < text.length) {
      const nl = text.indexOf('\n', start);
      const last = nl < 0;
      const raw = text.slice(start, last ? text.length : nl);
      start = last ? text.length : nl + 1;
      line++;
      if (raw.trim() === '') continue;
      let parsed: unknown;
      try {
        parsed = JSON.parse(raw);
      } catch {
        if (last) stats.tornLines++;
        else bad(stats, file, line, 'not valid JSON');
        continue;
      }
      if (!isRecord(parsed)) {
        bad(stats, file, line, 'not a prediction record');
        continue;
      }
      stats.records++;
      onRecord(parsed, file);
    }
  }
  return { ...stats, ...listed };
}

function bad(stats: LogReadStats, file: string, line: number, reason: string): void {
  stats.badLines++;
  stats.firstBad ??= { file, line, reason };
}
