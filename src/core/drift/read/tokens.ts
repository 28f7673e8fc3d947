/**
 * How text values are read: what counts as missing, as a number, a boolean or a timestamp. The missing
 * tokens are pandas' defaults, so a file means the same thing to `mlops drift` and to pandas.
 */
export const MISSING_TOKENS: ReadonlySet<string> = new Set([
  '',
  '#N/A',
  '#N/A N/A',
  '#NA',
  '-1.#IND',
  '-1.#QNAN',
  '-NaN',
  '-nan',
  '1.#IND',
  '1.#QNAN',
  '<NA>',
  'N/A',
  'NA',
  'NULL',
  'NaN',
  'None',
  'n/a',
  'nan',
  'null',
]);

const NUMBER_RE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const INFINITY_RE = /^[+-]?(inf|Inf|INF|infinity|Infinity|INFINITY)$/;
const BOOLEAN_RE = /^(true|false|True|False|TRUE|FALSE)$/;
/** ISO 8601 date or date-time, with 'T' or a space, optional fraction and zone. */
export const TIMESTAMP_RE = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

export function isMissingText(text: string): boolean {
  return MISSING_TOKENS.has(text) || text.trim() === '';
}

/** A number, or NaN when `text` is not one. Infinite values are numbers (they count as missing later). */
export function parseNumberText(text: string): number {
  const t = text.trim();
  if (NUMBER_RE.test(t)) return Number(t);
  if (INFINITY_RE.test(t)) return t.startsWith('-') ? -Infinity : Infinity;
  return NaN;
}

export function parseBooleanText(text: string): boolean | undefined {
  const t = text.trim();
  if (!BOOLEAN_RE.test(t)) return undefined;
  return t[0] === 't' || t[0] === 'T';
}

/** Epoch milliseconds of an ISO 8601 text; a time without a zone is read as UTC. NaN if not ISO. */
export function parseTimestampText(text: string): number {
  const t = text.trim();
  if (!TIMESTAMP_RE.test(t)) return NaN;
  let iso = t.replace(' ', 'T');
  if (iso.length === 10) iso += 'T00:00:00Z';
  else if (!/(Z|[+-]\d{2}:?\d{2})$/.test(iso)) iso += 'Z';
  return Date.parse(iso);
}

export type TextKind = 'missing' | 'number' | 'boolean' | 'timestamp' | 'text';

export function classifyText(text: string): TextKind {
  if (isMissingText(text)) return 'missing';
  if (!Number.isNaN(parseNumberText(text))) return 'number';
  if (parseBooleanText(text) !== undefined) return 'boolean';
  if (!Number.isNaN(parseTimestampText(text))) return 'timestamp';
  return 'text';
}

/** Epoch numbers in a timestamp column: seconds below 1e11 (until year 5138), else milliseconds. */
export function epochToMs(v: number): number {
  return Math.abs(v) < 1e11 ? v * 1000 : v;
}
