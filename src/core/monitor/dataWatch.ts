import { type FSWatcher, watch } from 'node:fs';
import { patternMatcher } from './data';
import type { MonitorsFile } from './types';

/** A new data file is often written in several chunks: wait for it to settle before evaluating. */
export const SETTLE_MS = 1500;

/**
 * Calls `onChange` when a data file a monitor reads (its `current:` and `reference:` files and globs) is
 * created or changed, once per burst of writes. Prediction logs are left to the schedule: a served model
 * writes to them every second. A folder that does not exist yet is not watched (the schedule still runs).
 * Returns the function that stops watching.
 */
export function watchDataFiles(project: MonitorsFile, onChange: (file: string) => void): () => void {
  const byFolder = new Map<string, ((name: string) => boolean)[]>();
  for (const m of project.monitors) {
    const patterns = [...(m.reference ?? []), ...(m.current.kind === 'files' ? m.current.patterns : [])];
    for (const p of patterns) {
      const { folder, matches } = patternMatcher(project.dir, p);
      byFolder.set(folder, [...(byFolder.get(folder) ?? []), matches]);
    }
  }
  const watchers: FSWatcher[] = [];
  let timer: NodeJS.Timeout | undefined;
  for (const [folder, tests] of byFolder) {
    let w: FSWatcher;
    try {
      w = watch(folder, { persistent: false });
    } catch {
      continue;
    }
    w.on('error', () => w.close());
    w.on('change', (_event, name) => {
      const file = typeof name === 'string' ? name : name?.toString();
      if (!file || !tests.some((t) => t(file))) return;
      clearTimeout(timer);
      timer = setTimeout(() => onChange(file), SETTLE_MS);
    });
    watchers.push(w);
  }
  return () => {
    clearTimeout(timer);
    for (const w of watchers) w.close();
  };
}
