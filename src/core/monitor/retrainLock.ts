import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { MlopsError } from '../errors';
import { modelDirName } from '../serving/predlog/layout';
import { fsError } from '../util/fsx';

/**
 * One step of a retrain run as recorded in `.mlops/monitor/<model>.retrain.jsonl`: the cool-down reads it,
 * and the editor reads the comparison's verdict from it once its Retrain task ends.
 */
export interface RetrainRecord {
  at: string;
  model: string;
  monitor: string;
  trigger: string;
  outcome: 'started' | 'registered' | 'compared' | 'failed';
  version?: number;
  error?: string;
  /** 'compared': the comparison's sentence, who won (null: no labels to tell), and an automatic promotion. */
  verdict?: string;
  challengerWins?: boolean | null;
  promoted?: { alias: string; version: number } | null;
}

const lockFile = (dir: string, model: string) => path.join(dir, `${modelDirName(model)}.retrain.lock`);
const runsFile = (dir: string, model: string) => path.join(dir, `${modelDirName(model)}.retrain.jsonl`);

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the model's retrain lock (a file created exclusively, holding the pid): a second retrain of the
 * same model, from this process or another, is refused with LOCKED. A lock left by a dead process is
 * taken over. Returns the release function.
 */
export async function takeRetrainLock(dir: string, model: string): Promise<() => Promise<void>> {
  const file = lockFile(dir, model);
  await fsp.mkdir(dir, { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fh = await fsp.open(file, 'wx');
      await fh.writeFile(JSON.stringify({ pid: process.pid, at: new Date().toISOString() }));
      await fh.close();
      let released = false;
      return async () => {
        if (released) return;
        released = true;
        await fsp.rm(file, { force: true });
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw fsError(e, 'take the retrain lock', file);
      const held = await fsp.readFile(file, 'utf8').then(
        (t) => JSON.parse(t) as { pid: number; at: string },
        () => undefined,
      );
      if (held && !alive(held.pid)) {
        await fsp.rm(file, { force: true });
        continue;
      }
      throw new MlopsError(
        'LOCKED',
        `A retrain of ${model} is already running${held ? ` (process ${held.pid}, since ${held.at})` : ''}.`,
        `Wait for it to finish; remove ${file} only if no such process runs.`,
      );
    }
  }
  throw new MlopsError('LOCKED', `The retrain lock of ${model} is held.`, `Remove ${file} if no retrain runs.`);
}

export async function readRetrainRuns(dir: string, model: string): Promise<RetrainRecord[]> {
  const text = await fsp.readFile(runsFile(dir, model), 'utf8').catch(() => '');
  const out: RetrainRecord[] = [];
  for (const line of text.split('\n'))
    try {
      if (line.trim()) out.push(JSON.parse(line) as RetrainRecord);
    } catch {
      // torn line
    }
  return out;
}

export async function appendRetrainRun(dir: string, r: RetrainRecord): Promise<void> {
  await fsp.mkdir(dir, { recursive: true });
  await fsp.appendFile(runsFile(dir, r.model), JSON.stringify(r) + '\n');
}
