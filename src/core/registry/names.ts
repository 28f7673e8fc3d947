import { MlopsError } from '../errors';

/**
 * Name rules shared by both backends, taken from MLflow so a name valid here is valid on a server:
 * aliases match ^[\w-]+$, at most 255 characters, `latest` (any case) and `v<digits>` are reserved;
 * model names are non-empty, unpadded, printable and at most 255 characters. '/' and ':' are allowed
 * here: MLflow 2.17 accepts them (other clients create `team/churn`), so the MLflow backend lists and
 * operates on such models and lets the server decide at creation. Only the embedded registry refuses to
 * create them (validateEmbeddedModelName), its own rule.
 */
const ALIAS_RE = /^[\w-]+$/;
const MAX_NAME = 255;

export function validateAlias(alias: string): string {
  if (typeof alias !== 'string' || alias.length === 0) {
    throw new MlopsError('INVALID_ARGUMENT', 'The alias is empty.', 'Give an alias such as "staging" or "production".');
  }
  if (alias.length > MAX_NAME) {
    throw new MlopsError(
      'INVALID_ARGUMENT',
      `The alias is ${alias.length} characters long; at most ${MAX_NAME} are allowed.`,
      'Use a shorter alias.',
    );
  }
  if (!ALIAS_RE.test(alias)) {
    throw new MlopsError(
      'INVALID_ARGUMENT',
      `The alias "${alias}" is not valid: only letters, digits, '_' and '-' are allowed.`,
      'Use a name such as "production" or "canary-eu".',
    );
  }
  if (alias.toLowerCase() === 'latest' || /^v\d+$/i.test(alias)) {
    throw new MlopsError(
      'INVALID_ARGUMENT',
      `The alias "${alias}" is reserved ('latest' and 'v<number>' name versions in model URIs).`,
      'Choose another alias, such as "production".',
    );
  }
  return alias;
}

export function validateModelName(name: string): string {
  if (typeof name !== 'string' || name.trim().length === 0) {
    throw new MlopsError('INVALID_ARGUMENT', 'The model name is empty.', 'Give a name such as "churn-classifier".');
  }
  if (name !== name.trim()) {
    throw new MlopsError(
      'INVALID_ARGUMENT',
      `The model name "${name}" starts or ends with spaces.`,
      'Remove the surrounding spaces.',
    );
  }
  if (name.length > MAX_NAME) {
    throw new MlopsError(
      'INVALID_ARGUMENT',
      `The model name is ${name.length} characters long; at most ${MAX_NAME} are allowed.`,
      'Use a shorter name.',
    );
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) {
    throw new MlopsError(
      'INVALID_ARGUMENT',
      'The model name contains control characters.',
      'Use printable characters only.',
    );
  }
  return name;
}

/**
 * The embedded registry's own rule for new models: no '/' or ':'. Not MLflow's rule (2.17 accepts both);
 * it keeps an embedded model portable to the MLflow releases that refuse such names at creation, and out
 * of file names derived from model names (`mlops pull`'s default output).
 */
export function validateEmbeddedModelName(name: string): string {
  validateModelName(name);
  if (/^\.+$/.test(name))
    throw new MlopsError(
      'INVALID_ARGUMENT',
      `The model name "${name}" is only dots, which reads as a folder in paths and URIs.`,
      'Use letters, digits, "-", "_" or "." instead, e.g. "team-churn".',
    );
  if (/[/:]/.test(name)) {
    throw new MlopsError(
      'INVALID_ARGUMENT',
      `The model name "${name}" contains '/' or ':', which MLOps Studio's embedded registry does not accept (MLflow 2.17 servers do; some newer MLflow releases refuse them).`,
      'Use letters, digits, "-", "_" or "." instead, e.g. "team-churn".',
    );
  }
  return name;
}

export function validateVersionNumber(v: unknown): number {
  const n = typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v.trim()) : v;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 1) {
    throw new MlopsError(
      'INVALID_ARGUMENT',
      `"${String(v)}" is not a version number.`,
      'Versions are whole numbers starting at 1, e.g. 3.',
    );
  }
  return n;
}

/** Tag and param keys: non-empty, printable, bounded (MLflow caps keys at 250 characters). */
export function validateKey(kind: 'tag' | 'param' | 'metric', key: string): string {
  if (key.length === 0 || key.length > 250 || !/^[\w.\- /]+$/.test(key)) {
    throw new MlopsError(
      'INVALID_ARGUMENT',
      `The ${kind} name "${key}" is not valid.`,
      `Use 1-250 letters, digits, '_', '-', '.', '/' or spaces.`,
    );
  }
  return key;
}

export function validateMetrics(metrics: Record<string, number> | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(metrics ?? {})) {
    validateKey('metric', k);
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new MlopsError(
        'INVALID_ARGUMENT',
        `The metric "${k}" is not a finite number (${String(v)}).`,
        'Give metrics as numbers, e.g. auc=0.94.',
      );
    }
    out[k] = v;
  }
  return out;
}

export function validateStringMap(
  kind: 'tag' | 'param',
  map: Record<string, string> | undefined,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(map ?? {})) {
    validateKey(kind, k);
    if (typeof v !== 'string') {
      throw new MlopsError('INVALID_ARGUMENT', `The ${kind} "${k}" has no text value.`, `Give ${kind}s as key=value.`);
    }
    if (v.length > 5000) {
      throw new MlopsError(
        'INVALID_ARGUMENT',
        `The ${kind} "${k}" is longer than 5000 characters.`,
        'Shorten the value.',
      );
    }
    out[k] = v;
  }
  return out;
}
