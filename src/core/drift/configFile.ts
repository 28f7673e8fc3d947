import { readFile } from 'node:fs/promises';
import { MlopsError } from '../errors';
import { fsError } from '../util/fsx';
import { applyDriftConfig, defaultSettings, type DriftSettings } from './config';

/** The project file that holds drift settings (DESIGN.md "Monitoring"). */
export const PROJECT_FILE = 'mlops.yaml';

/** The `drift:` section of an mlops.yaml / JSON file; YAML errors name the line and column. */
export async function readDriftSection(file: string, display: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw fsError(e, 'read', display);
  }
  let doc: unknown;
  if (/\.json$/i.test(file)) {
    try {
      doc = JSON.parse(text);
    } catch (e) {
      throw new MlopsError(
        'INVALID_ARGUMENT',
        `${display}: not valid JSON (${e instanceof Error ? e.message : String(e)}).`,
        'Fix the file or pass a YAML file.',
      );
    }
  } else {
    const { parseDocument } = await import('yaml');
    const d = parseDocument(text);
    const err = d.errors[0];
    if (err) {
      const pos = err.linePos?.[0];
      throw new MlopsError(
        'INVALID_ARGUMENT',
        `${display}${pos ? `, line ${pos.line}, column ${pos.col}` : ''}: ${err.message.split('\n')[0]}`,
        'Fix the YAML syntax.',
      );
    }
    doc = d.toJS();
  }
  const drift = typeof doc === 'object' && doc !== null ? (doc as Record<string, unknown>).drift : undefined;
  if (drift === undefined)
    throw new MlopsError(
      'INVALID_ARGUMENT',
      `${display} has no "drift:" section.`,
      'Put the drift settings under a top-level "drift:" key.',
    );
  return drift;
}

/**
 * The drift settings of a project: the defaults with the `drift:` section of its mlops.yaml applied.
 * No file, or a file without a `drift:` section, means the defaults; a broken file is an error naming
 * the line and column, so a typo does not silently fall back to the defaults.
 */
export async function projectDriftSettings(file: string, display = PROJECT_FILE): Promise<DriftSettings> {
  let section: unknown;
  try {
    section = await readDriftSection(file, display);
  } catch (e) {
    if (e instanceof MlopsError && (e.code === 'NOT_FOUND' || /has no "drift:" section/.test(e.message)))
      return defaultSettings();
    throw e;
  }
  return applyDriftConfig(defaultSettings(), section, display);
}
