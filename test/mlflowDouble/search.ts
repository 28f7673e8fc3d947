import { DoubleError } from './store';

/**
 * MLflow's search filters, order_by and page tokens, as far as the TEST DOUBLE needs them: clauses joined
 * by AND, `attribute op value` with quoted strings or integers, tags as tags.<key> or tags.`key`.
 */
export interface Clause {
  key: string;
  op: string;
  value: string | number;
}

const CLAUSE_RE =
  /^\s*(tags\.`[^`]+`|tags\.[\w.]+|[a-z_]+)\s*(=|!=|<=|>=|<|>|LIKE|ILIKE)\s*('(?:[^']*)'|"(?:[^"]*)"|-?\d+)\s*$/i;

export function parseFilter(filter: string, allowed: Set<string>): Clause[] {
  if (!filter.trim()) return [];
  return filter.split(/\s+AND\s+/i).map((part) => {
    const m = CLAUSE_RE.exec(part);
    if (!m) throw new DoubleError(400, 'INVALID_PARAMETER_VALUE', `Invalid filter '${filter}'. Could not be parsed.`);
    const key = m[1].replace(/^tags\.`?([^`]+)`?$/, 'tags.$1');
    if (!key.startsWith('tags.') && !allowed.has(key))
      throw new DoubleError(
        400,
        'INVALID_PARAMETER_VALUE',
        `Invalid attribute key '${key}' specified. Valid keys are '${[...allowed].join("', '")}'`,
      );
    const raw = m[3];
    const value = /^-?\d+$/.test(raw) ? Number(raw) : raw.slice(1, -1);
    return { key, op: m[2].toUpperCase(), value };
  });
}

export function matchClause(actual: string | number | undefined, c: Clause): boolean {
  if (actual === undefined) return false;
  const a = typeof c.value === 'number' ? Number(actual) : String(actual);
  const v = c.value;
  switch (c.op) {
    case '=':
      return a === v;
    case '!=':
      return a !== v;
    case '<':
      return a < v;
    case '<=':
      return a <= v;
    case '>':
      return a > v;
    case '>=':
      return a >= v;
    case 'LIKE':
    case 'ILIKE': {
      const re = new RegExp(
        `^${String(v)
          .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
          .replace(/%/g, '.*')
          .replace(/_/g, '.')}$`,
        c.op === 'ILIKE' ? 'i' : '',
      );
      return re.test(String(a));
    }
    default:
      return false;
  }
}

export type Sorter<T> = (a: T, b: T) => number;

export function orderBy<T>(
  items: T[],
  specs: string[],
  fields: Record<string, (x: T) => string | number>,
  dflt: string[],
): T[] {
  const list = (specs.length ? specs : dflt).map((s) => {
    const m = /^\s*([\w.]+)\s*(ASC|DESC)?\s*$/i.exec(s);
    if (!m || !fields[m[1]]) throw new DoubleError(400, 'INVALID_PARAMETER_VALUE', `Invalid order_by clause '${s}'.`);
    return { get: fields[m[1]], dir: m[2]?.toUpperCase() === 'DESC' ? -1 : 1 };
  });
  return [...items].sort((a, b) => {
    for (const { get, dir } of list) {
      const x = get(a);
      const y = get(b);
      if (x < y) return -dir;
      if (x > y) return dir;
    }
    return 0;
  });
}

/** MLflow's page tokens are base64 of {"offset": n}; clients must treat them as opaque. */
export function page<T>(items: T[], maxResults: number, token: string | undefined): { items: T[]; next?: string } {
  let offset = 0;
  if (token) {
    try {
      const v = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { offset?: unknown };
      if (typeof v.offset !== 'number' || !Number.isInteger(v.offset) || v.offset < 0) throw new Error('bad');
      offset = v.offset;
    } catch {
      throw new DoubleError(400, 'INVALID_PARAMETER_VALUE', 'Invalid page token, could not base64-decode');
    }
  }
  const slice = items.slice(offset, offset + maxResults);
  const more = offset + maxResults < items.length;
  return {
    items: slice,
    next: more ? Buffer.from(JSON.stringify({ offset: offset + maxResults })).toString('base64') : undefined,
  };
}

export function checkMaxResults(n: number, max: number): void {
  if (n < 1 || n > max) {
    throw new DoubleError(
      400,
      'INVALID_PARAMETER_VALUE',
      `Invalid value for request parameter max_results. It must be at most ${max}, but got value ${n}`,
    );
  }
}
