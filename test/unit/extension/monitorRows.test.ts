import assert from 'node:assert/strict';
import { utimesSync } from 'node:fs';
import path from 'node:path';
import { parseMonitors, readMonitors } from '../../../src/core/monitor/config';
import { evaluateMonitor } from '../../../src/core/monitor/evaluate';
import { readHistory } from '../../../src/core/monitor/history';
import type { Evaluation } from '../../../src/core/monitor/types';
import {
  alertActions,
  alertMessage,
  checkDescription,
  checkSeries,
  criticalChanges,
  dataWindow,
  monitorRows,
} from '../../../src/extension/monitor/monitorRows';
import { monitorsTemplate } from '../../../src/extension/monitor/template';
import { featuresCsv, project, type Project } from '../monitor/fixtures';

const IDS = { showDrift: 'mlops.monitor.showDrift', retrain: 'mlops.retrain', rollback: 'mlops.rollback' };
const YAML = `monitors:
  - model: models:/fraud@production
    reference: data/reference.csv
    current: data/current.csv
    checks:
      missing: { warning: 0.05, critical: 0.2 }
      drift: { warning: 0.2, critical: 0.5 }
    retrain: { command: node train.js, output: artifacts/model.onnx }
  - name: latency-watch
    model: models:/fraud/1
    current: { predictions: 24h }
    checks:
      latency: { critical: 50, percentile: p95 }
`;

/** The Monitors view's rows and the Critical notification's rule, from real evaluations of the monitor core. */
describe('Monitors view rows and state changes', () => {
  let p: Project | undefined;
  afterEach(async () => {
    await p?.cleanup();
    p = undefined;
  });

  it('before any evaluation: one row per monitor in file order, every check No data (checks in the core’s order)', () => {
    const { monitors, issues } = parseMonitors(YAML, 'mlops.yaml');
    assert.deepEqual(issues, []);
    const rows = monitorRows(monitors, () => undefined);
    assert.deepEqual(
      rows.map((r) => [r.name, r.state, r.alias, r.hasRetrain, r.checks.map((c) => c.kind)]),
      [
        ['models:/fraud@production', 'nodata', 'production', true, ['drift', 'missing']],
        ['latency-watch', 'nodata', undefined, false, ['latency']],
      ],
    );
    const drift = rows[0].checks[0];
    assert.equal(drift.threshold, 0.2, 'the first threshold a value will be judged by');
    assert.equal(drift.pos.line, 7);
    assert.equal(checkDescription(drift), 'not evaluated yet: Run Monitors');
    assert.equal(rows[0].window, 'reference data/reference.csv · current data/current.csv');
    assert.match(rows[1].window, /predictions of the last 24h$/);
  });

  it('after a drifted evaluation: the monitor and its drift check are Critical, the value against the threshold, the window', async () => {
    p = await project();
    p.write('data/reference.csv', featuresCsv(300, 1));
    p.write('data/current.csv', featuresCsv(300, 2, 1.5));
    p.write('mlops.yaml', YAML.split('  - name:')[0]);
    const proj = await readMonitors(path.join(p.dir, 'mlops.yaml'), 'mlops.yaml');
    const ws = { monitorDir: path.join(p.dir, '.mlops', 'monitor'), predictionsRoot: path.join(p.dir, 'preds') };
    const first = await evaluateMonitor(proj.monitors[0], { registry: p.registry, project: proj, workspace: ws });
    const last = (await readHistory(ws.monitorDir, 'fraud', proj.monitors[0].name, 1))[0];
    assert.deepEqual(last, first, 'the view reads what the evaluation appended');
    const [row] = monitorRows(proj.monitors, () => last);
    assert.equal(row.state, 'critical');
    const [drift, missing] = row.checks;
    assert.equal(missing.state, 'ok');
    assert.equal(checkDescription(missing), '0% · breach > 5%');
    assert.equal(drift.state, 'critical');
    assert.equal(checkDescription(drift), '100% · breach ≥ 50%');
    assert.equal(row.window, 'reference data/reference.csv · current data/current.csv', 'the breach event’s window');

    // The notification fires on the change to Critical only: the next evaluation stays Critical, quietly.
    assert.deepEqual(criticalChanges([first]), [first]);
    const second = await evaluateMonitor(proj.monitors[0], { registry: p.registry, project: proj, workspace: ws });
    assert.equal(second.state, 'critical');
    assert.equal(second.previousState, 'critical');
    assert.deepEqual(criticalChanges([second]), []);
    assert.match(alertMessage(first), /^Monitor models:\/fraud@production is Critical: drift 100% \(critical 50%\)\.$/);

    const history = await readHistory(ws.monitorDir, 'fraud', proj.monitors[0].name);
    assert.deepEqual(
      checkSeries(history, 'drift').map((x) => [x.value, x.state]),
      [
        [1, 'critical'],
        [1, 'critical'],
      ],
    );
  });

  it('a healthy evaluation records the data it read: the file a glob resolved to, shown in the tooltip', async () => {
    p = await project();
    p.write('data/reference.csv', featuresCsv(300, 1));
    p.write('data/day-1.csv', featuresCsv(300, 2, 1.5));
    p.write('data/day-2.csv', featuresCsv(300, 3));
    const newer = new Date(Date.now() + 60_000);
    utimesSync(path.join(p.dir, 'data', 'day-2.csv'), newer, newer);
    p.write(
      'mlops.yaml',
      'monitors:\n  - model: models:/fraud@production\n    reference: data/reference.csv\n    current: data/day-*.csv\n    checks:\n      drift: { critical: 0.5 }\n',
    );
    const proj = await readMonitors(path.join(p.dir, 'mlops.yaml'), 'mlops.yaml');
    const ws = { monitorDir: path.join(p.dir, '.mlops', 'monitor'), predictionsRoot: path.join(p.dir, 'preds') };
    const e = await evaluateMonitor(proj.monitors[0], { registry: p.registry, project: proj, workspace: ws });
    assert.equal(e.state, 'ok');
    assert.deepEqual(e.events, []);
    assert.deepEqual(e.window, {
      reference: path.join('data', 'reference.csv'),
      current: path.join('data', 'day-2.csv'),
    });
    assert.equal(
      dataWindow(proj.monitors[0], e),
      `reference ${path.join('data', 'reference.csv')} · current ${path.join('data', 'day-2.csv')}`,
    );
  });

  it('a change to Critical from Warning, No data or nothing fires; Critical to Critical and other states do not', () => {
    const e = (state: Evaluation['state'], previousState: Evaluation['previousState']): Evaluation => ({
      at: '2026-01-01T00:00:00Z',
      monitor: `${previousState}->${state}`,
      model: 'fraud',
      version: 1,
      state,
      previousState,
      checks: [],
      events: [],
      suppressed: 0,
    });
    const all = [
      e('critical', null),
      e('critical', 'warning'),
      e('critical', 'nodata'),
      e('critical', 'ok'),
      e('critical', 'critical'),
      e('warning', 'ok'),
      e('ok', 'critical'),
    ];
    assert.deepEqual(
      criticalChanges(all).map((x) => x.monitor),
      ['null->critical', 'warning->critical', 'nodata->critical', 'ok->critical'],
    );
  });

  it('the notification offers Show Drift, Retrain and Roll Back only where they apply, with the commands they run', () => {
    const [withAll, latencyOnly] = parseMonitors(YAML, 'mlops.yaml').monitors;
    assert.deepEqual(alertActions(withAll, IDS), [
      { title: 'Show Drift', command: 'mlops.monitor.showDrift', args: ['models:/fraud@production'] },
      { title: 'Retrain', command: 'mlops.retrain', args: ['models:/fraud@production'] },
      { title: 'Roll Back', command: 'mlops.rollback', args: [{ model: 'fraud' }, { alias: 'production' }] },
    ]);
    assert.deepEqual(alertActions(latencyOnly, IDS), [], 'no drift check, no retrain, a version number');
  });

  it('a prediction-log window is spelled out from the evaluation time', () => {
    const m = parseMonitors(YAML, 'mlops.yaml').monitors[1];
    const at = '2026-03-02T12:00:00.000Z';
    const w = dataWindow(m, {
      at,
      monitor: m.name,
      model: 'fraud',
      version: 1,
      state: 'ok',
      previousState: null,
      checks: [],
      events: [],
      suppressed: 0,
    });
    assert.match(w, /\(2026-03-01T12:00:00\.000Z – 2026-03-02T12:00:00\.000Z\)$/);
  });

  it('the welcome button’s template is a valid mlops.yaml for the model it names', () => {
    const { monitors, issues } = parseMonitors(monitorsTemplate('churn'), 'mlops.yaml');
    assert.deepEqual(issues, []);
    assert.equal(monitors[0].model, 'models:/churn@production');
    assert.deepEqual(
      monitors[0].checks.map((c) => c.kind),
      ['drift', 'missing'],
    );
  });
});
