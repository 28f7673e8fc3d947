import path from 'node:path';

/**
 * Where prediction logs live: `<root>/<model>/<time>-<pid>-<n>.jsonl`, root being the registry's
 * `predictions/` folder (`.mlops/predictions`) or the --log-dir given for an MLflow registry or bare
 * files. File names sort in time order, so the oldest is dropped first and readers go oldest to newest.
 */
export const PREDICTIONS_DIR = 'predictions';
export const LOG_EXTENSION = '.jsonl';
/** Feature names per version, written beside the log files (see features.ts). */
export const FEATURES_FILE = 'features.json';

/** A model name as one folder name: no separators, no "." or ".." (names are otherwise kept readable). */
export function modelDirName(model: string): string {
  let out = '';
  for (const c of model) {
    const code = c.charCodeAt(0);
    out += code < 32 || '/\\:%*?"<>|'.includes(c) ? '%' + code.toString(16).padStart(2, '0') : c;
  }
  return /^\.+$/.test(out) ? '%2e'.repeat(out.length) : out;
}

export function modelLogDir(root: string, model: string): string {
  return path.join(root, modelDirName(model));
}

/** 20261129T110853123Z: sortable, no colons (valid on every file system). */
function stamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:.]/g, '');
}

export function logFileName(ms: number, pid: number, seq: number): string {
  return `${stamp(ms)}-${pid}-${String(seq).padStart(4, '0')}${LOG_EXTENSION}`;
}
