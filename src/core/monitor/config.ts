import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { type Document, LineCounter, parseDocument } from 'yaml';
import schemaJson from '../../../media/schemas/mlops.schema.json';
import { MlopsError } from '../errors';
import { parseModelUri } from '../registry/uri';
import { parseDuration } from '../util/duration';
import { fsError } from '../util/fsx';
import { type Schema, SchemaChecker } from './schemaCheck';
import {
  CHECK_KINDS,
  type CheckKind,
  type CheckSpec,
  type CurrentSpec,
  type MonitorSpec,
  type MonitorsFile,
  type Position,
  type RetrainSpec,
} from './types';

/** One problem in mlops.yaml, with its place (the editor turns these into Problems entries). */
export interface ConfigIssue {
  message: string;
  line: number;
  col: number;
}

/** YAML aliases may not expand past this (a "billion laughs" file stays small). */
const MAX_ALIAS_COUNT = 100;
const DEFAULT_SCHEDULE = '15m';
const DEFAULT_RETRAIN_COOLDOWN = '6h';
const DEFAULT_RETRAIN_TIMEOUT = '2h';

type Obj = Record<string, unknown>;

/** The checks measured on the prediction log, with what they read from it. */
const LOG_CHECKS: Partial<Record<CheckKind, string>> = {
  latency: 'reads the prediction log',
  error_rate: 'reads the prediction log',
  performance: 'joins the labels with the predictions in the prediction log',
};

/**
 * Parses the `monitors:` section of an mlops.yaml text. Every problem (YAML syntax, the JSON Schema's
 * rules, durations, model URIs, duplicate names, thresholds in the wrong order) is an issue with its line
 * and column; monitors are returned only when there is none.
 */
export function parseMonitors(text: string, file: string): { monitors: MonitorSpec[]; issues: ConfigIssue[] } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const issues: ConfigIssue[] = doc.errors.map((e) => {
    const p = lines.linePos(e.pos[0]);
    return { message: `${e.message.split('\n')[0]}`, line: p.line, col: p.col };
  });
  if (issues.length) return { monitors: [], issues };
  for (const i of new SchemaChecker(schemaJson as Schema, doc, lines).check(doc.contents))
    issues.push({ message: i.message, line: i.line, col: i.col });
  if (issues.length) return { monitors: [], issues };
  let js: Obj;
  try {
    js = (doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) ?? {}) as Obj;
  } catch (e) {
    return { monitors: [], issues: [{ message: (e as Error).message, line: 1, col: 1 }] };
  }
  const monitors: MonitorSpec[] = [];
  const list = (js.monitors ?? []) as Obj[];
  const names = new Set<string>();
  list.forEach((m, i) => {
    const b = new Builder(doc, lines, ['monitors', i], issues);
    const spec = b.monitor(m);
    if (!spec) return;
    if (names.has(spec.name))
      b.fail([], `monitors[${i}]: a monitor named "${spec.name}" is already defined; give one a name:.`);
    names.add(spec.name);
    monitors.push(spec);
  });
  void file;
  return { monitors: issues.length ? [] : monitors, issues };
}

/** Reads mlops.yaml's monitors and checks that the files it names exist; throws on the first problem. */
export async function readMonitors(file: string, display = file): Promise<MonitorsFile> {
  let text: string;
  try {
    text = await fsp.readFile(file, 'utf8');
  } catch (e) {
    throw fsError(e, 'read', display);
  }
  const { monitors, issues } = parseMonitors(text, display);
  const dir = path.dirname(path.resolve(file));
  if (!issues.length) issues.push(...(await missingFiles(monitors, dir)));
  if (issues.length) throw configError(display, issues);
  return { file: display, path: path.resolve(file), dir, monitors };
}

/** An MlopsError whose message names the first issue's place; every issue is in the hint. */
export function configError(display: string, issues: ConfigIssue[]): MlopsError {
  const at = (i: ConfigIssue) => `${display}:${i.line}:${i.col}: ${i.message}`;
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more: ${issues.slice(1, 6).map(at).join('; ')})` : '';
  const err = new MlopsError(
    'INVALID_ARGUMENT',
    at(issues[0]) + more,
    'Fix mlops.yaml (the schema is media/schemas/mlops.schema.json).',
  );
  (err as MlopsError & { issues?: ConfigIssue[] }).issues = issues;
  return err;
}

/** Reference files and labels files named without a glob must exist (a typo is caught before the data is). */
async function missingFiles(monitors: MonitorSpec[], dir: string): Promise<ConfigIssue[]> {
  const out: ConfigIssue[] = [];
  const exists = (p: string) =>
    fsp.stat(path.resolve(dir, p)).then(
      () => true,
      () => false,
    );
  for (const m of monitors) {
    for (const r of m.reference ?? [])
      if (!isGlob(r) && !(await exists(r)))
        out.push({
          message: `monitor "${m.name}": the reference data ${r} does not exist.`,
          ...(m.referencePos ?? m.pos),
        });
    if (m.current.kind === 'files')
      for (const c of m.current.patterns)
        if (!isGlob(c) && !(await exists(c)))
          out.push({
            message: `monitor "${m.name}": the current data ${c} does not exist.`,
            ...(m.currentPos ?? m.pos),
          });
    for (const c of m.checks) {
      const labels = c.options.labels;
      if (typeof labels === 'string' && !(await exists(labels)))
        out.push({ message: `monitor "${m.name}": the labels file ${labels} does not exist.`, ...c.pos });
    }
  }
  return out;
}

export function isGlob(p: string): boolean {
  return /[*?[\]{}]/.test(p);
}

class Builder {
  constructor(
    private readonly doc: Document,
    private readonly lines: LineCounter,
    private readonly base: (string | number)[],
    private readonly issues: ConfigIssue[],
  ) {}

  pos(rel: (string | number)[]): Position {
    const node = this.doc.getIn([...this.base, ...rel], true) as { range?: [number, number] } | undefined;
    const parentKey = rel.length ? this.doc.getIn([...this.base, ...rel.slice(0, -1)], true) : undefined;
    const range = node?.range ?? (parentKey as { range?: [number, number] } | undefined)?.range;
    return range ? this.lines.linePos(range[0]) : { line: 1, col: 1 };
  }

  fail(rel: (string | number)[], message: string): void {
    this.issues.push({ message, ...this.pos(rel) });
  }

  duration(v: unknown, rel: (string | number)[], what: string): number | undefined {
    if (v === undefined) return undefined;
    try {
      return parseDuration(String(v), what).ms;
    } catch (e) {
      this.fail(rel, (e as MlopsError).describe());
      return undefined;
    }
  }

  monitor(m: Obj): (MonitorSpec & { referencePos?: Position; currentPos?: Position }) | undefined {
    const before = this.issues.length;
    const model = String(m.model);
    let ref;
    try {
      ref = parseModelUri(model);
    } catch (e) {
      this.fail(['model'], (e as MlopsError).describe());
      return undefined;
    }
    const name = typeof m.name === 'string' ? m.name : model;
    const current = this.current(m.current);
    const checks: CheckSpec[] = [];
    const c = (m.checks ?? {}) as Obj;
    for (const kind of CHECK_KINDS) if (c[kind] !== undefined) checks.push(this.check(kind, c[kind] as Obj));
    if (checks.length === 0)
      this.fail(
        m.checks ? ['checks'] : [],
        `monitor "${name}" has no checks: add drift, stale, missing, latency, error_rate or performance under checks:.`,
      );
    // These read the prediction log, which a data file is not: said at load time, not as "no data" on every run.
    for (const k of checks)
      if (LOG_CHECKS[k.kind] && current?.kind !== 'predictions')
        this.fail(['checks', k.kind], `checks.${k.kind} ${LOG_CHECKS[k.kind]}: set current: { predictions: 24h }.`);
    const spec = {
      name,
      model,
      modelName: ref.model,
      alias: ref.kind === 'alias' ? ref.alias : undefined,
      version: ref.kind === 'version' ? ref.version : undefined,
      reference: m.reference === undefined ? undefined : ([] as string[]).concat(m.reference as string),
      current: current ?? { kind: 'files' as const, patterns: [] },
      scheduleMs: this.duration(m.schedule ?? DEFAULT_SCHEDULE, ['schedule'], 'schedule') ?? 0,
      webhook: m.webhook as string | undefined,
      checks,
      retrain: m.retrain === undefined ? undefined : this.retrain(m.retrain as Obj),
      pos: this.pos([]),
      referencePos: this.pos(['reference']),
      currentPos: this.pos(['current']),
    };
    if (m.current === undefined)
      this.fail([], `monitor "${name}" needs current: (files, a glob, or { predictions: 24h }).`);
    return this.issues.length > before ? undefined : spec;
  }

  current(v: unknown): CurrentSpec | undefined {
    if (v === undefined) return undefined;
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
      const o = v as Obj;
      const ms = this.duration(o.predictions, ['current', 'predictions'], 'current.predictions');
      if (ms === undefined) return undefined;
      return {
        kind: 'predictions',
        windowMs: ms,
        window: String(o.predictions).trim(),
        dir: o.dir as string | undefined,
      };
    }
    return { kind: 'files', patterns: ([] as string[]).concat(v as string) };
  }

  check(kind: CheckKind, o: Obj): CheckSpec {
    const at = ['checks', kind];
    let warning = o.warning as number | undefined;
    let critical = o.critical as number | undefined;
    if (kind === 'stale') {
      warning = this.duration(o.warning, [...at, 'warning'], `checks.stale.warning`);
      critical = this.duration(o.critical, [...at, 'critical'], `checks.stale.critical`);
    }
    const lowerIsWorse = kind === 'performance' && o.metric !== 'rmse';
    if (warning === undefined && critical === undefined) {
      if (kind === 'drift') critical = 0.5;
      else this.fail(at, `checks.${kind} needs a warning or a critical threshold.`);
    }
    if (warning !== undefined && critical !== undefined && (lowerIsWorse ? warning < critical : warning > critical))
      this.fail(
        [...at, 'warning'],
        `checks.${kind}: the warning threshold (${o.warning}) is past the critical one (${o.critical}); a warning comes first.`,
      );
    const options: Obj = { ...o };
    for (const k of ['warning', 'critical', 'for', 'cooldown']) delete options[k];
    return {
      kind,
      warning,
      critical,
      lowerIsWorse,
      for: (o.for as number | undefined) ?? 1,
      cooldownMs: this.duration(o.cooldown, [...at, 'cooldown'], `checks.${kind}.cooldown`) ?? 0,
      options,
      pos: this.pos(at),
    };
  }

  retrain(o: Obj): RetrainSpec {
    const p = o.promote;
    const promote: RetrainSpec['promote'] =
      typeof p === 'object' && p !== null
        ? { mode: 'auto', metric: String((p as Obj).metric), minImprovement: Number((p as Obj).min_improvement ?? 0) }
        : { mode: 'manual' };
    return {
      command: String(o.command),
      output: String(o.output),
      on: (o.on as RetrainSpec['on'] | undefined) ?? 'critical',
      cooldownMs:
        this.duration(o.cooldown ?? DEFAULT_RETRAIN_COOLDOWN, ['retrain', 'cooldown'], 'retrain.cooldown') ?? 0,
      timeoutMs: this.duration(o.timeout ?? DEFAULT_RETRAIN_TIMEOUT, ['retrain', 'timeout'], 'retrain.timeout') ?? 0,
      promote,
      pos: this.pos(['retrain']),
    };
  }
}
