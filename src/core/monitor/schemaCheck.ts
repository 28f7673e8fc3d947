import { type Document, isAlias, isMap, isScalar, isSeq, type LineCounter, type Node } from 'yaml';

/**
 * A small JSON Schema checker for the subset media/schemas/mlops.schema.json uses (type, properties,
 * required, additionalProperties, items, minItems, minLength, enum, pattern, minimum, maximum, anyOf,
 * local $ref), run on the YAML syntax tree so every problem names its line and column. ajv would check
 * the same rules but knows nothing of YAML positions; this keeps one schema file as the single rule.
 */
export interface Schema {
  $ref?: string;
  $defs?: Record<string, Schema>;
  type?: string | string[];
  description?: string;
  properties?: Record<string, Schema>;
  additionalProperties?: boolean | Schema;
  required?: string[];
  items?: Schema;
  minItems?: number;
  minLength?: number;
  enum?: unknown[];
  pattern?: string;
  minimum?: number;
  maximum?: number;
  anyOf?: Schema[];
}

export interface SchemaIssue {
  /** Dotted path of the value (monitors[0].checks.drift.warning). */
  path: string;
  message: string;
  /** 1-based. */
  line: number;
  col: number;
}

export class SchemaChecker {
  constructor(
    private readonly root: Schema,
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  check(node: unknown): SchemaIssue[] {
    const out: SchemaIssue[] = [];
    this.walk(node, this.root, '', out, 0);
    return out;
  }

  private resolve(s: Schema): Schema {
    let cur = s;
    for (let i = 0; cur.$ref && i < 20; i++) {
      const name = /^#\/\$defs\/(.+)$/.exec(cur.$ref)?.[1];
      const next = name ? this.root.$defs?.[name] : undefined;
      if (!next) throw new Error(`schema: unresolved $ref ${cur.$ref}`);
      cur = next;
    }
    return cur;
  }

  private pos(node: unknown): { line: number; col: number } {
    const range = (node as Node | undefined)?.range;
    if (!range) return { line: 1, col: 1 };
    return this.lines.linePos(range[0]);
  }

  private issue(out: SchemaIssue[], node: unknown, path: string, message: string): void {
    out.push({ path, message: `${path || 'the file'} ${message}`, ...this.pos(node) });
  }

  private walk(raw: unknown, schema: Schema, path: string, out: SchemaIssue[], depth: number): void {
    const s = this.resolve(schema);
    const node = isAlias(raw) ? raw.resolve(this.doc) : raw;
    if (depth > 64) return;
    if (s.anyOf) {
      const tries = s.anyOf.map((alt) => {
        const errs: SchemaIssue[] = [];
        this.walk(node, alt, path, errs, depth + 1);
        return { alt: this.resolve(alt), errs };
      });
      if (tries.some((t) => t.errs.length === 0)) return;
      // Report the branch of the right type (its errors are the useful ones), else say what is expected.
      const typed = tries.filter((t) => t.alt.type !== undefined && typeOk(node, t.alt.type));
      if (typed.length === 1) out.push(...typed[0].errs);
      else this.issue(out, node, path, `must be ${s.description ?? 'one of the allowed forms'}.`);
      return;
    }
    if (s.type !== undefined && !typeOk(node, s.type)) {
      const want = Array.isArray(s.type) ? s.type.join(' or ') : s.type;
      const what = s.description && !s.properties ? ` (${s.description})` : '';
      this.issue(out, node, path, `must be ${article(want)}${what}, not ${describe(node)}.`);
      return;
    }
    if (isMap(node)) {
      const seen = new Set<string>();
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        seen.add(key);
        const childPath = path ? `${path}.${key}` : key;
        const prop = s.properties?.[key];
        if (prop) this.walk(pair.value, prop, childPath, out, depth + 1);
        else if (s.additionalProperties === false) {
          const allowed = Object.keys(s.properties ?? {});
          this.issue(out, pair.key, childPath, `is not a known key (allowed: ${allowed.join(', ')}).`);
        } else if (typeof s.additionalProperties === 'object')
          this.walk(pair.value, s.additionalProperties, childPath, out, depth + 1);
      }
      for (const r of s.required ?? []) if (!seen.has(r)) this.issue(out, node, path, `needs the key "${r}".`);
      return;
    }
    if (isSeq(node)) {
      if (s.minItems !== undefined && node.items.length < s.minItems)
        this.issue(out, node, path, `needs at least ${s.minItems} item(s).`);
      if (s.items) node.items.forEach((item, i) => this.walk(item, s.items!, `${path}[${i}]`, out, depth + 1));
      return;
    }
    const v = isScalar(node) ? node.value : node;
    if (s.enum && !s.enum.includes(v)) {
      this.issue(out, node, path, `must be one of ${s.enum.join(', ')}, not "${String(v)}".`);
      return;
    }
    if (typeof v === 'string') {
      if (s.minLength !== undefined && v.length < s.minLength) this.issue(out, node, path, 'must not be empty.');
      else if (s.pattern !== undefined && !new RegExp(s.pattern).test(v))
        this.issue(out, node, path, `"${v}" is not ${s.description ?? `of the form ${s.pattern}`}.`);
    }
    if (typeof v === 'number') {
      if (s.minimum !== undefined && v < s.minimum) this.issue(out, node, path, `must be >= ${s.minimum}, not ${v}.`);
      if (s.maximum !== undefined && v > s.maximum) this.issue(out, node, path, `must be <= ${s.maximum}, not ${v}.`);
    }
  }
}

function jsonType(node: unknown): string {
  if (isMap(node)) return 'object';
  if (isSeq(node)) return 'array';
  const v = isScalar(node) ? node.value : node;
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function typeOk(node: unknown, type: string | string[]): boolean {
  const t = jsonType(node);
  const wanted = Array.isArray(type) ? type : [type];
  return wanted.includes(t) || (t === 'integer' && wanted.includes('number'));
}

function describe(node: unknown): string {
  const t = jsonType(node);
  if (t === 'object') return 'a mapping';
  if (t === 'array') return 'a list';
  if (t === 'null') return 'empty';
  const v = isScalar(node) ? node.value : node;
  return `${t === 'integer' ? 'number' : t} ${JSON.stringify(v)}`;
}

function article(t: string): string {
  const names: Record<string, string> = { object: 'a mapping', array: 'a list', integer: 'a whole number' };
  return names[t] ?? (/^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`);
}
