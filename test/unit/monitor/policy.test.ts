import assert from 'node:assert/strict';
import { breachDecision, checkState, rawLevel, worstLevel } from '../../../src/core/monitor/policy';
import type { Level } from '../../../src/core/monitor/types';

const HOUR = 3_600_000;

/** Runs the policy over a series of raw levels as successive evaluations would, returning the states. */
function run(raws: Level[], forCount: number): Level[] {
  return raws.map((raw, i) => checkState(raw, raws.slice(0, i), forCount));
}

describe('monitor policy', () => {
  it('gives a raw level from the thresholds: higher is worse, a floor when lower is worse, drift at >=', () => {
    const latency = { kind: 'latency' as const, warning: 50, critical: 200, lowerIsWorse: false };
    assert.deepEqual(rawLevel(latency, 50), { level: 'ok', threshold: 50 });
    assert.deepEqual(rawLevel(latency, 51), { level: 'warning', threshold: 50 });
    assert.deepEqual(rawLevel(latency, 201), { level: 'critical', threshold: 200 });
    assert.equal(rawLevel(latency, null).level, 'nodata');
    assert.equal(rawLevel(latency, NaN).level, 'nodata');
    const auc = { kind: 'performance' as const, warning: 0.9, critical: 0.8, lowerIsWorse: true };
    assert.equal(rawLevel(auc, 0.95).level, 'ok');
    assert.equal(rawLevel(auc, 0.85).level, 'warning');
    assert.equal(rawLevel(auc, 0.5).level, 'critical');
    const drift = { kind: 'drift' as const, critical: 0.5, lowerIsWorse: false };
    assert.equal(
      rawLevel(drift, 0.5).level,
      'critical',
      'dataset drift is share >= threshold, as the drift engine says',
    );
    assert.equal(rawLevel(drift, 0.49).level, 'ok');
  });

  it('fires only after `for:` consecutive evaluations at the level', () => {
    assert.deepEqual(run(['critical', 'critical', 'critical'], 3), ['ok', 'ok', 'critical']);
    assert.deepEqual(run(['critical', 'critical'], 1), ['critical', 'critical']);
    // A warning then two criticals: warning-or-worse for 2 -> warning, then critical for 2 -> critical.
    assert.deepEqual(run(['warning', 'critical', 'critical'], 2), ['ok', 'warning', 'critical']);
  });

  it('does not fire on flapping data', () => {
    assert.deepEqual(run(['critical', 'ok', 'critical', 'ok', 'critical'], 2), ['ok', 'ok', 'ok', 'ok', 'ok']);
    assert.deepEqual(run(['critical', 'ok', 'critical', 'critical'], 2), ['ok', 'ok', 'ok', 'critical']);
  });

  it('reports no data as its own state, and no data breaks a streak', () => {
    assert.deepEqual(run(['critical', 'nodata', 'critical'], 2), ['ok', 'nodata', 'ok']);
    assert.equal(worstLevel(['ok', 'nodata']), 'nodata');
    assert.equal(worstLevel(['nodata', 'warning', 'ok']), 'warning');
    assert.equal(worstLevel(['warning', 'critical']), 'critical');
    assert.equal(worstLevel([]), 'ok');
  });

  it('emits a breach on entering a worse level, not while it stays there', () => {
    const now = 10 * HOUR;
    assert.equal(breachDecision('critical', 'ok', [], 0, now), 'fire');
    assert.equal(breachDecision('critical', null, [], 0, now), 'fire');
    assert.equal(breachDecision('critical', 'critical', [], 0, now), 'none');
    assert.equal(breachDecision('warning', 'critical', [], 0, now), 'none', 'an improvement is not a breach');
    assert.equal(breachDecision('critical', 'warning', [], 0, now), 'fire', 'an escalation is');
    assert.equal(breachDecision('warning', 'nodata', [], 0, now), 'fire');
    assert.equal(breachDecision('ok', 'critical', [], 0, now), 'none');
  });

  it('holds back a breach within the cool-down of one as severe, but not an escalation', () => {
    const now = 10 * HOUR;
    const pastCritical = [{ severity: 'critical' as const, at: now - HOUR }];
    assert.equal(breachDecision('critical', 'ok', pastCritical, 2 * HOUR, now), 'suppressed');
    assert.equal(breachDecision('critical', 'ok', pastCritical, HOUR / 2, now), 'fire', 'cool-down over');
    const pastWarning = [{ severity: 'warning' as const, at: now - HOUR }];
    assert.equal(breachDecision('critical', 'warning', pastWarning, 2 * HOUR, now), 'fire');
    assert.equal(breachDecision('warning', 'ok', pastCritical, 2 * HOUR, now), 'suppressed');
  });
});
