import type { RetrainOutcome } from '../../core/monitor/retrain';
import { type CheckResult, type Evaluation, STATE_LABEL } from '../../core/monitor/types';
import { table } from '../output';

/** Human and Markdown renderings of monitor evaluations and retrain runs. */

export function valueText(c: Pick<CheckResult, 'value' | 'unit'>): string {
  if (c.value === null) return 'n/a';
  if (c.unit === 'ms' && c.value >= 60_000) return `${(c.value / 3_600_000).toFixed(1)} h`;
  if (c.unit === 'ms') return `${c.value.toFixed(1)} ms`;
  if (c.unit === 'share') return `${(c.value * 100).toFixed(1)}%`;
  return c.value.toFixed(3);
}

function thresholdText(c: CheckResult): string {
  return c.threshold === null ? '-' : valueText({ value: c.threshold, unit: c.unit });
}

/** A check that could not be measured says so in its detail, so it does not read as a quiet "no data". */
function detailText(c: CheckResult): string {
  return c.error !== undefined ? `error: ${c.error}` : c.message;
}

export function evaluationsText(evals: Evaluation[]): string {
  const out: string[] = [];
  for (const e of evals) {
    const change = e.previousState && e.previousState !== e.state ? ` (was ${STATE_LABEL[e.previousState]})` : '';
    out.push(`${e.monitor}${e.version !== null ? ` v${e.version}` : ''}: ${STATE_LABEL[e.state]}${change}`);
    if (e.error) out.push(`  error: ${e.error}`);
    if (e.checks.length)
      out.push(
        table(
          ['CHECK', 'STATE', 'VALUE', 'THRESHOLD', 'DETAIL'],
          e.checks.map((c) => [
            c.kind,
            STATE_LABEL[c.state] + (c.raw !== c.state ? ` (${c.raw} now)` : ''),
            valueText(c),
            thresholdText(c),
            detailText(c),
          ]),
        )
          .split('\n')
          .map((l) => '  ' + l)
          .join('\n'),
      );
    for (const b of e.events)
      out.push(
        `  BREACH ${b.severity}: ${b.check} ${valueText(b)} (threshold ${b.threshold === null ? '-' : valueText({ value: b.threshold, unit: b.unit })}) on ${b.window.current}`,
      );
    if (e.suppressed) out.push(`  ${e.suppressed} breach(es) held back by a cool-down`);
  }
  return out.join('\n');
}

const ICON: Record<string, string> = { ok: '🟢', warning: '🟠', critical: '🔴', nodata: '⚪' };

/** A pull-request comment. */
export function evaluationsMarkdown(evals: Evaluation[], retrains: RetrainOutcome[]): string {
  const out = ['## Model monitors', ''];
  for (const e of evals) {
    out.push(`### ${ICON[e.state]} ${e.monitor}: ${STATE_LABEL[e.state]}`, '');
    if (e.error) out.push(`> ${e.error}`, '');
    if (e.checks.length) {
      out.push('| Check | State | Value | Threshold | Detail |', '|---|---|---|---|---|');
      for (const c of e.checks)
        out.push(
          `| ${c.kind} | ${ICON[c.state]} ${STATE_LABEL[c.state]} | ${valueText(c)} | ${thresholdText(c)} | ${detailText(c).replace(/\|/g, '\\|')} |`,
        );
      out.push('');
    }
  }
  for (const r of retrains) out.push(retrainText(r), '');
  return out.join('\n');
}

export function retrainText(r: RetrainOutcome): string {
  if (r.status === 'skipped') return `Retrain skipped: ${r.reason}.`;
  const lines = [
    `Registered ${r.version.model} v${r.version.version} @challenger (parent v${r.parent.version}).`,
    r.comparison.verdict,
  ];
  const p = r.comparison.production;
  const c = r.comparison.challenger;
  if (p && c)
    lines.push(
      table(
        ['VERSION', 'REQUESTS', 'ERRORS', 'P50 MS', 'P95 MS', 'METRIC'],
        [p, c].map((s) => [
          `v${s.version}${s === c ? ' (challenger)' : ''}`,
          String(s.requests),
          String(s.errors),
          s.latencyP50?.toFixed(3) ?? 'n/a',
          s.latencyP95?.toFixed(3) ?? 'n/a',
          s.metric ? `${s.metric.name}=${s.metric.value?.toFixed(4) ?? 'n/a'}` : '-',
        ]),
      ),
    );
  lines.push(
    r.promoted
      ? `Promoted v${r.promoted.version} to @${r.promoted.alias} (promote: auto).`
      : `Promote it yourself if you agree: mlops promote ${r.version.model} ${r.version.version} --alias production`,
  );
  return lines.join('\n');
}
