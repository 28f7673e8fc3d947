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

/** Appends one evaluation as one whole line (a single write, so concurrent writers never interleave). */
export async function appendEvaluation(monitorDir: string, e: Evaluation): Promise<void> {
  const file = historyFile(monitorDir, e.model);
  try {
    await fsp.mkdir(monitorDir, { recursive: true });
    await fsp.appendFile(file, JSON.stringify(e) + '\n');
  } catch (err) {
    throw fsError(err, 'write the monitor history', file);
  }
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
