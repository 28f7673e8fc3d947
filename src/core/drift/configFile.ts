import path from 'node:path';
import { isMlopsError, MlopsError } from '../errors';
import { applyDriftConfig, defaultSettings, type DriftSettings, SECTION_KEYS } from './config';
import { readSmallTextFile } from './regularFile';

/** The project file that holds drift settings (DESIGN.md "Monitoring"). */
export const PROJECT_FILE = 'mlops.yaml';
/** A project file larger than this is not one (and is not parsed). */
export const MAX_PROJECT_FILE_BYTES = 1 << 20;
/** YAML aliases expanded at most this many times: a few lines of anchors can otherwise expand to gigabytes. */
export const MAX_YAML_ALIASES = 100;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The top-level mapping of a project file (mlops.yaml, or JSON by extension). Each feature reads its
 * own section from it (`drift:` here; `monitors:` and others later), so unknown top-level keys are left
 * alone. Errors name the file, and the line and column for YAML syntax.
 */
export async function readProjectFile(file: string, display: string): Promise<Obj> {
  const text = await readSmallTextFile(file, display, MAX_PROJECT_FILE_BYTES);
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
    try {
      doc = d.toJS({ maxAliasCount: MAX_YAML_ALIASES });
    } catch (e) {
      // The yaml package throws a ReferenceError when aliases expand past the bound.
      throw new MlopsError(
        'INVALID_ARGUMENT',
        `${display}: its YAML aliases (*name) expand too far (${e instanceof Error ? e.message : String(e)}).`,
        `Write the values out, or use fewer aliases (at most ${MAX_YAML_ALIASES} expansions).`,
      );
    }
  }
  if (doc === null || doc === undefined) return {};
  if (!isObj(doc))
    throw new MlopsError(
      'INVALID_ARGUMENT',
      `${display}: the top level must be a mapping of sections (drift: ...).`,
      'Put the drift settings under a top-level "drift:" key.',
    );
  return doc;
}

/** The `drift:` section, or undefined when the file has none. */
export function driftSection(doc: Obj): unknown {
  return doc.drift;
}

/** What a drift run is for: its files (absolute paths) and the model, which select scoped settings. */
export interface DriftScope {
  reference?: string;
  current?: string;
  model?: string;
}

/**
 * Settings from a `drift:` section for one comparison. The top of the section holds defaults for every
 * dataset; `models.<name>` and `datasets.<path or glob>` (relative to the project file's folder, matched
 * against the reference or the current file) override them for one model or one dataset:
 *
 *   drift:
 *     bins: 30
 *     models:
 *       fraud: { drift_share: 0.3 }
 *     datasets:
 *       data/events_*.csv: { timestamp: event_time, window: 1d }
 *
 * Every scoped entry is validated, matching or not, so a typo fails where it is written.
 */
export function driftSettingsFor(section: unknown, display: string, baseDir: string, scope: DriftScope): DriftSettings {
  const where = `${display}: drift`;
  let s = applyDriftConfig(defaultSettings(), section, where, {
    workspaceDefault: true,
    extraKeys: ['models', 'datasets'],
  });
  const top = section as Obj;
  for (const kind of ['models', 'datasets'] as const) {
    const entries = top[kind];
    if (entries === undefined) continue;
    if (!isObj(entries))
      throw new MlopsError(
        'INVALID_ARGUMENT',
        `${where}.${kind} must map ${kind === 'models' ? 'model names' : 'data file paths'} to drift settings.`,
        `Keys of each entry: ${SECTION_KEYS.join(', ')}.`,
      );
    for (const [key, value] of Object.entries(entries)) {
      const scoped = applyDriftConfig(s, value, `${where}.${kind}.${key}`);
      const applies =
        kind === 'models'
          ? scope.model === key
          : [scope.reference, scope.current].some((f) => f !== undefined && pathMatches(key, f, baseDir));
      if (applies) s = scoped;
    }
  }
  return s;
}

/** `key` (a path or a glob with * and **, relative to `baseDir`) names `file` (absolute). */
export function pathMatches(key: string, file: string, baseDir: string): boolean {
  const abs = path.resolve(baseDir, key);
  if (!/[*?]/.test(key)) return abs === path.resolve(file);
  const rel = path.relative(baseDir, path.resolve(file)).split(path.sep).join('/');
  const pattern = path.relative(baseDir, abs).split(path.sep).join('/');
  const glob: Record<string, string> = { '**/': '(?:.*/)?', '**': '.*', '*': '[^/]*', '?': '[^/]' };
  const re = pattern.replace(/\*\*\/?|\*|\?|[.+^${}()|[\]\\]/g, (t) => glob[t] ?? `\\${t}`);
  return new RegExp(`^${re}$`).test(rel);
}

/**
 * The drift settings of a project for one comparison: the defaults with mlops.yaml's `drift:` section
 * applied. No file, or no `drift:` section, means the defaults; a broken file is an error naming the
 * line and column, so a typo does not silently fall back to the defaults.
 */
export async function projectDriftSettings(
  file: string,
  display = PROJECT_FILE,
  scope: DriftScope = {},
): Promise<DriftSettings> {
  let doc: Obj;
  try {
    doc = await readProjectFile(file, display);
  } catch (e) {
    if (isMlopsError(e, 'NOT_FOUND')) return defaultSettings();
    throw e;
  }
  const section = driftSection(doc);
  if (section === undefined) return defaultSettings();
  return driftSettingsFor(section, display, path.dirname(file), scope);
}
