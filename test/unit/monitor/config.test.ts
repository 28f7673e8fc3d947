import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseMonitors, readMonitors } from '../../../src/core/monitor/config';
import { isMlopsError } from '../../../src/core/errors';
import { tempDir } from '../../helpers/tmp';

const GOOD = `drift:
  drift_share: 0.4
monitors:
  - model: models:/fraud@production
    reference: data/train.csv
    current: { predictions: 24h }
    schedule: 10m
    webhook: http://127.0.0.1:9/hook
    checks:
      drift: { warning: 0.3, critical: 0.5, for: 2, cooldown: 1h, features: { age: { method: ks, threshold: 0.01 } } }
      stale: { column: ts, warning: 6h, critical: 1d }
      missing: { warning: 0.05, critical: 0.2 }
      latency: { percentile: p99, warning: 50, critical: 200 }
      error_rate: { critical: 0.05 }
      performance: { labels: data/labels.csv, id: request_id, metric: auc, warning: 0.9, critical: 0.8 }
    retrain:
      command: node train.js \${current}
      output: artifacts/model.onnx
      on: critical
      promote: { mode: auto, metric: auc, min_improvement: 0.01 }
`;

function issuesOf(text: string) {
  return parseMonitors(text, 'mlops.yaml').issues;
}

describe('mlops.yaml monitors', () => {
  it('reads every key into a monitor', () => {
    const { monitors, issues } = parseMonitors(GOOD, 'mlops.yaml');
    assert.deepEqual(issues, []);
    const m = monitors[0];
    assert.equal(m.name, 'models:/fraud@production');
    assert.equal(m.modelName, 'fraud');
    assert.equal(m.alias, 'production');
    assert.deepEqual(m.current, { kind: 'predictions', windowMs: 86_400_000, window: '24h', dir: undefined });
    assert.equal(m.scheduleMs, 600_000);
    assert.deepEqual(
      m.checks.map((c) => c.kind),
      ['drift', 'stale', 'missing', 'latency', 'error_rate', 'performance'],
    );
    const drift = m.checks[0];
    assert.equal(drift.for, 2);
    assert.equal(drift.cooldownMs, 3_600_000);
    assert.deepEqual(drift.pos, { line: 10, col: 14 });
    const stale = m.checks[1];
    assert.equal(stale.warning, 6 * 3_600_000);
    assert.equal(stale.critical, 86_400_000);
    assert.equal(m.checks[5].lowerIsWorse, true);
    assert.equal(m.retrain?.on, 'critical');
    assert.deepEqual(m.retrain?.promote, { mode: 'auto', metric: 'auc', minImprovement: 0.01 });
  });

  it('ships a JSON Schema that is valid JSON and names every check', () => {
    const schema = JSON.parse(
      readFileSync(path.resolve(__dirname, '../../../../media/schemas/mlops.schema.json'), 'utf8'),
    );
    assert.deepEqual(Object.keys(schema.$defs.checks.properties).sort(), [
      'drift',
      'error_rate',
      'latency',
      'missing',
      'performance',
      'stale',
    ]);
  });

  it('gives bad YAML with its line and column', () => {
    const issues = issuesOf('monitors:\n  - model: models:/a@prod\n    current: [a.csv\n');
    assert.ok(issues.length > 0);
    assert.equal(issues[0].line, 4);
    const dup = issuesOf('monitors: []\nmonitors: []\n');
    assert.equal(dup[0].line, 2);
    assert.match(dup[0].message, /unique|Map keys/i);
  });

  it('gives unknown keys, with the allowed ones, at their line and column', () => {
    const text = GOOD.replace('    schedule: 10m', '    schedul: 10m').replace(
      'stale: { column: ts,',
      'stale: { colum: ts,',
    );
    const issues = issuesOf(text);
    assert.equal(issues.length, 2);
    assert.deepEqual([issues[0].line, issues[0].col], [7, 5]);
    assert.match(issues[0].message, /monitors\[0\]\.schedul is not a known key \(allowed: .*schedule/);
    assert.deepEqual([issues[1].line, issues[1].col], [11, 16]);
    assert.match(issues[1].message, /checks\.stale\.colum is not a known key/);
    const top = issuesOf('monitor:\n  - model: models:/a@p\n');
    assert.match(top[0].message, /monitor is not a known key/);
  });

  it('gives wrong types and values at their line and column', () => {
    const issues = issuesOf(
      [
        'monitors:',
        '  - model: fraud', // not a URI
        '    current: 12', // neither files nor predictions
        '    checks:',
        '      latency: { warning: fast }',
        '      drift: { critical: 1.5, for: 0 }',
        '      error_rate: { critical: 0.1, cooldown: soon }',
      ].join('\n'),
    );
    const at = (re: RegExp) => issues.find((i) => re.test(i.message));
    assert.deepEqual(
      { line: at(/\.model/)?.line, col: at(/\.model/)?.col },
      { line: 2, col: 12 },
      JSON.stringify(issues),
    );
    assert.equal(at(/\.current must be/)?.line, 3);
    assert.match(at(/latency\.warning/)!.message, /must be a number .*not string "fast"/);
    assert.deepEqual([at(/latency\.warning/)?.line, at(/latency\.warning/)?.col], [5, 27]);
    assert.match(at(/drift\.critical/)!.message, /must be <= 1, not 1\.5/);
    assert.match(at(/drift\.for/)!.message, /must be >= 1/);
    assert.match(at(/cooldown/)!.message, /"soon" is not a duration/);
    assert.equal(at(/cooldown/)?.line, 7);
  });

  it('checks meaning too: zero durations, thresholds in the wrong order, log-only checks, duplicate names', () => {
    const base = 'monitors:\n  - model: models:/a@p\n    current: a.csv\n    checks:\n';
    assert.match(issuesOf(base + '      stale: { critical: 0h }\n')[0].message, /is zero/);
    const order = issuesOf(base + '      missing: { warning: 0.5, critical: 0.1 }\n');
    assert.match(order[0].message, /warning threshold \(0\.5\) is past the critical one/);
    assert.equal(order[0].line, 5);
    assert.match(issuesOf(base + '      latency: { critical: 10 }\n')[0].message, /reads the prediction log/);
    assert.match(issuesOf(base.replace('    checks:\n', '')).at(0)!.message, /has no checks/);
    const twice = issuesOf(
      base +
        '      missing: { critical: 0.1 }\n' +
        base.slice('monitors:\n'.length) +
        '      missing: { critical: 0.1 }\n',
    );
    assert.match(twice[0].message, /already defined/);
    assert.equal(twice[0].line, 6);
  });

  it('performance on a data file is a load-time error at its line, as latency is: it needs the prediction log', async () => {
    const text =
      'monitors:\n  - model: models:/a@p\n    current: current.csv\n    checks:\n      performance: { labels: labels.csv, metric: auc, critical: 0.8 }\n';
    const issue = issuesOf(text)[0];
    assert.match(issue.message, /^checks\.performance .*prediction log: set current: \{ predictions: 24h \}\.$/);
    assert.equal(issue.line, 5);
    assert.deepEqual(issuesOf(text.replace('current.csv', '{ predictions: 24h }')), []);
    const t = tempDir();
    try {
      for (const f of ['current.csv', 'labels.csv']) writeFileSync(path.join(t.dir, f), 'a\n1\n');
      writeFileSync(path.join(t.dir, 'mlops.yaml'), text);
      await assert.rejects(readMonitors(path.join(t.dir, 'mlops.yaml'), 'mlops.yaml'), (e: unknown) => {
        assert.ok(isMlopsError(e, 'INVALID_ARGUMENT'));
        assert.match(e.message, /^mlops\.yaml:5:\d+: checks\.performance .*current: \{ predictions/);
        return true;
      });
    } finally {
      t.cleanup();
    }
  });

  it('bounds YAML alias expansion', () => {
    const lines = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 0; i < 8; i++)
      lines.push(
        `${'bcdefghij'[i]}: &${'bcdefghij'[i]} [*${i ? 'bcdefghij'[i - 1] : 'a'}, *${i ? 'bcdefghij'[i - 1] : 'a'}, *${i ? 'bcdefghij'[i - 1] : 'a'}, *${i ? 'bcdefghij'[i - 1] : 'a'}, *${i ? 'bcdefghij'[i - 1] : 'a'}, *${i ? 'bcdefghij'[i - 1] : 'a'}, *${i ? 'bcdefghij'[i - 1] : 'a'}, *${i ? 'bcdefghij'[i - 1] : 'a'}, *${i ? 'bcdefghij'[i - 1] : 'a'}, *${i ? 'bcdefghij'[i - 1] : 'a'}]`,
      );
    const issues = issuesOf(`drift:\n  ${lines.join('\n  ')}\nmonitors: []\n`);
    assert.equal(issues.length, 1);
    assert.match(issues[0].message, /alias|Excessive/i);
  });

  it('names files that do not exist, at the line that names them', async () => {
    const t = tempDir();
    try {
      writeFileSync(path.join(t.dir, 'ref.csv'), 'a\n1\n');
      const file = path.join(t.dir, 'mlops.yaml');
      writeFileSync(
        file,
        'monitors:\n  - model: models:/a@p\n    reference: ref.csv\n    current: today.csv\n    checks:\n      missing: { critical: 0.1 }\n',
      );
      await assert.rejects(readMonitors(file, 'mlops.yaml'), (e: unknown) => {
        assert.ok(isMlopsError(e, 'INVALID_ARGUMENT'));
        assert.match(
          e.message,
          /^mlops\.yaml:4:14: monitor "models:\/a@p": the current data today\.csv does not exist\./,
        );
        return true;
      });
      writeFileSync(path.join(t.dir, 'today.csv'), 'a\n1\n');
      const ok = await readMonitors(file, 'mlops.yaml');
      assert.equal(ok.monitors.length, 1);
      assert.equal(ok.dir, t.dir);
    } finally {
      t.cleanup();
    }
  });
});
