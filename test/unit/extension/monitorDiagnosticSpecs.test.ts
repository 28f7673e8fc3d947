import assert from 'node:assert/strict';
import path from 'node:path';
import { parseMonitors, readMonitors } from '../../../src/core/monitor/config';
import { evaluateMonitor } from '../../../src/core/monitor/evaluate';
import type { Evaluation } from '../../../src/core/monitor/types';
import { issueSpecs, resultSpecs, worstState } from '../../../src/extension/monitor/diagnosticSpecs';
import { featuresCsv, project, type Project } from '../monitor/fixtures';

const monitor = (checks: string) =>
  `monitors:\n  - model: models:/fraud@production\n    reference: data/reference.csv\n    current: data/current.csv\n    checks:\n${checks}`;

describe('mlops.yaml Problems: core issues and results as diagnostic specs', () => {
  let p: Project | undefined;
  afterEach(async () => {
    await p?.cleanup();
    p = undefined;
  });

  it('config problems are Errors at the line and column the parser gives', () => {
    const text = monitor('      drift: { critical: 0.5 }\n      stale: { colum: ts, critical: 1d }\n');
    const specs = issueSpecs(parseMonitors(text, 'mlops.yaml').issues);
    assert.ok(specs.length >= 1, 'the unknown key is reported');
    const s = specs.find((x) => /colum is not a known key/.test(x.message));
    assert.ok(s, JSON.stringify(specs));
    assert.equal(s.severity, 'error');
    assert.equal(s.line, 7, 'the line of `stale:`');
    assert.ok(s.col > 1);
  });

  it('broken YAML is an Error too; a valid file has none', () => {
    assert.equal(issueSpecs(parseMonitors('monitors: [\n', 'mlops.yaml').issues)[0].severity, 'error');
    assert.deepEqual(issueSpecs(parseMonitors(monitor('      drift: { critical: 0.5 }\n'), 'mlops.yaml').issues), []);
  });

  it('a real evaluation on drifted data: an Error on the drift check line, nothing for a healthy check', async () => {
    p = await project();
    p.write('data/reference.csv', featuresCsv(300, 1));
    p.write('data/current.csv', featuresCsv(300, 2, 1.5));
    p.write(
      'mlops.yaml',
      monitor('      missing: { warning: 0.05, critical: 0.2 }\n      drift: { warning: 0.2, critical: 0.5 }\n'),
    );
    const proj = await readMonitors(path.join(p.dir, 'mlops.yaml'), 'mlops.yaml');
    const ws = {
      monitorDir: path.join(p.dir, '.mlops', 'monitor'),
      predictionsRoot: path.join(p.dir, '.mlops', 'predictions'),
    };
    const e = await evaluateMonitor(proj.monitors[0], { registry: p.registry, project: proj, workspace: ws });
    assert.equal(e.error, undefined);
    const specs = resultSpecs([e]);
    assert.equal(specs.length, 1, JSON.stringify(specs));
    assert.equal(specs[0].line, 7, 'the line of `drift:`');
    assert.equal(specs[0].severity, 'error');
    assert.match(specs[0].message, /drift critical/);
    assert.match(specs[0].message, /threshold 0\.5/);
    assert.equal(worstState([e]), 'critical');
  });

  it('warnings are Warnings; an evaluation error is an Error on the monitor line, a check error on the check line; worst state ranks', () => {
    const base: Evaluation = {
      at: '',
      monitor: 'm',
      model: 'fraud',
      version: 1,
      state: 'warning',
      previousState: null,
      checks: [],
      events: [],
      suppressed: 0,
    };
    const check = {
      kind: 'latency' as const,
      raw: 'warning' as const,
      value: 80,
      threshold: 50,
      unit: 'ms',
      message: '',
    };
    const specs = resultSpecs(
      [
        {
          ...base,
          checks: [
            { ...check, state: 'warning', pos: { line: 4, col: 7 } },
            { ...check, state: 'ok', pos: { line: 5, col: 7 } },
          ],
        },
        { ...base, monitor: 'n', state: 'nodata', error: 'the model is gone' },
        {
          ...base,
          monitor: 'o',
          checks: [
            {
              ...check,
              state: 'nodata',
              value: null,
              error: 'labels.csv has no column "request_id".',
              pos: { line: 12, col: 7 },
            },
          ],
        },
      ],
      (name) => (name === 'n' ? { line: 9, col: 5 } : undefined),
    );
    assert.deepEqual(
      specs.map((s) => [s.line, s.severity]),
      [
        [4, 'warning'],
        [9, 'error'],
        [12, 'error'],
      ],
    );
    assert.match(specs[0].message, /80 ms crossed the threshold 50 ms/);
    assert.match(specs[1].message, /the model is gone/);
    assert.match(specs[2].message, /^o: latency could not be measured: labels\.csv has no column "request_id"/);
    assert.equal(
      worstState([
        { ...base, state: 'nodata' },
        { ...base, state: 'ok' },
      ]),
      'ok',
    );
    assert.equal(worstState([]), undefined);
  });
});
