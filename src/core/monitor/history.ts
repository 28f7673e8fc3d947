import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { modelDirName } from '../serving/predlog/layout';
import { fsError } from '../util/fsx';
import type { Evaluation } from './types';

/** The monitor folder of a registry workspace: `.mlops/monitor/`. */
export const MONITOR_DIR = 'monitor';

/** One model's history: every evaluation of its monitors, one JSON line each, oldest first. */
export function historyFile(monitorDir: string, model: string): string {
  return path.join(monitorDir, `${modelDirName(model)}.jsonl`);
}

/**
 * Past this size a history keeps only its newest half (whole lines): a watcher on a 1-minute schedule
 * must not fill the disk, and `for:`, cool-downs and the charts only ever look at the recent past.
 */
export const HISTORY_MAX_BYTES = 8 * 1024 * 1024;

/** Appends one evaluation as one whole line (a single write, so concurrent writers never interleave). */
export async function appendEvaluation(
  monitorDir: string,
  e: Evaluation,
  maxBytes: number = HISTORY_MAX_BYTES,
): Promise<void> {
  const file = historyFile(monitorDir, e.model);
  try {
    await fsp.mkdir(monitorDir, { recursive: true });
    // After a crash mid-write the file ends in half a line: start a fresh one so this one stays readable.
    const sep = (await endsMidLine(file)) ? '\n' : '';
    await fsp.appendFile(file, sep + JSON.stringify(e) + '\n');
    if ((await fsp.stat(file)).size > maxBytes) await trimHistory(file, maxBytes / 2);
  } catch (err) {
    throw fsError(err, 'write the monitor history', file);
  }
}

async function endsMidLine(file: string): Promise<boolean> {
  const fh = await fsp.open(file, 'r').catch(() => undefined);
  if (!fh) return false;
  try {
    const { size } = await fh.stat();
    if (size === 0) return false;
    const last = Buffer.alloc(1);
    await fh.read(last, 0, 1, size - 1);
    return last[0] !== 0x0a;
  } finally {
    await fh.close();
  }
}

/** Keeps the newest `keepBytes` of whole lines, written aside then renamed so a reader never sees half a file. */
async function trimHistory(file: string, keepBytes: number): Promise<void> {
  const text = await fsp.readFile(file, 'utf8');
  const cut = text.indexOf('\n', Math.max(0, text.length - keepBytes));
  if (cut < 0) return;
  const tmp = `${file}.${process.pid}.tmp`;
  await fsp.writeFile(tmp, text.slice(cut + 1));
  await fsp.rename(tmp, file);
}

/**
 * The evaluations of one monitor, oldest first (the last `limit`). A line cut short by a crash or
 * not an evaluation is skipped: the history is a record, and one bad line must not stop the monitor.
 */
export async function readHistory(
  monitorDir: string,
  model: string,
  monitor: string,
  limit = 1000,
): Promise<Evaluation[]> {
  const file = historyFile(monitorDir, model);
  let text: string;
  try {
    text = await fsp.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw fsError(err, 'read the monitor history', file);
  }
  const out: Evaluation[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const e = JSON.parse(line) as Evaluation;
      if (e && e.monitor === monitor && Array.isArray(e.checks)) out.push(e);
    } catch {
      // torn last line or foreign text: skipped
    }
  }
  return out.slice(-limit);
}
