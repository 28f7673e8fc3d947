import type { ConfigIssue } from '../../core/monitor/config';
import type { Evaluation, Level, Position } from '../../core/monitor/types';

/**
 * What the Problems view shows for mlops.yaml, as plain data: the vscode adapter turns these into
 * Diagnostics. Kept free of `vscode` so the mapping is tested with plain mocha. Lines and columns are
 * 1-based, as the monitor core reports them.
 */
export interface DiagnosticSpec {
  line: number;
  col: number;
  severity: 'error' | 'warning';
  message: string;
}

/** Every problem of the `monitors:` section (YAML syntax, schema, meaning) is an Error at its place. */
export function issueSpecs(issues: readonly ConfigIssue[]): DiagnosticSpec[] {
  return issues.map((i) => ({ line: i.line, col: i.col, severity: 'error', message: i.message }));
}

const fmt = (v: number | null, unit: string) =>
  v === null ? 'n/a' : `${Number.isInteger(v) ? v : Number(v.toPrecision(4))}${unit ? ` ${unit}` : ''}`;

/**
 * One entry per breached check (its state after the policy): Warning or Error on the check's line, naming
 * the check, the measured value and the threshold crossed. A monitor that could not be evaluated is an
 * Error on its own line (its checks have no value to show); a check that could not be measured is an
 * Error on the check's line.
 */
export function resultSpecs(
  evaluations: readonly Evaluation[],
  monitorPos: (name: string) => Position | undefined = () => undefined,
): DiagnosticSpec[] {
  const out: DiagnosticSpec[] = [];
  for (const e of evaluations) {
    if (e.error) {
      const p = monitorPos(e.monitor) ?? { line: 1, col: 1 };
      out.push({
        line: p.line,
        col: p.col,
        severity: 'error',
        message: `Monitor ${e.monitor} could not be evaluated: ${e.error}`,
      });
    }
    for (const c of e.checks) {
      if (c.error !== undefined)
        out.push({
          line: c.pos.line,
          col: c.pos.col,
          severity: 'error',
          message: `${e.monitor}: ${c.kind} could not be measured: ${c.error}`,
        });
      if (c.state !== 'warning' && c.state !== 'critical') continue;
      out.push({
        line: c.pos.line,
        col: c.pos.col,
        severity: c.state === 'critical' ? 'error' : 'warning',
        message: `${e.monitor}: ${c.kind} ${c.state} — ${fmt(c.value, c.unit)} crossed the threshold ${fmt(c.threshold, c.unit)}${c.message ? ` (${c.message})` : ''}`,
      });
    }
  }
  return out;
}

const RANK: Record<Level, number> = { ok: 1, nodata: 0, warning: 2, critical: 3 };

/** The worst state of a round (critical > warning > ok > no data); undefined when nothing ran. */
export function worstState(evaluations: readonly Evaluation[]): Level | undefined {
  let worst: Level | undefined;
  for (const e of evaluations) if (!worst || RANK[e.state] > RANK[worst]) worst = e.state;
  return worst;
}
