import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { isMlopsError } from '../../../src/core/errors';
import { readMonitors } from '../../../src/core/monitor/config';
import { retrain } from '../../../src/core/monitor/retrain';
import { readRetrainRuns } from '../../../src/core/monitor/retrainLock';
import { mlflowFixture } from '../../mlflowDouble/setup';
import { featuresCsv, type Project, project, records, REPO } from './fixtures';

const BUILDER = path.join(REPO, 'out', 'test', 'builders', 'mlpBuilder.js');

/** A tiny deterministic training script: writes an MLP as ONNX and what it was given (argv, MLOPS_*). */
const TRAIN_JS = `
const fs = require('fs');
const { buildMlp } = require(${JSON.stringify(BUILDER)});
fs.mkdirSync('artifacts', { recursive: true });
fs.writeFileSync('artifacts/model.onnx', buildMlp({ inputDim: 4, hidden: [8], outputDim: 2, softmax: true, seed: 11 }));
const env = {};
for (const k of Object.keys(process.env)) if (k.startsWith('MLOPS_')) env[k] = process.env[k];
fs.writeFileSync('given.json', JSON.stringify({ argv: process.argv.slice(2), env }));
console.log('trained');
`;

const PRED_MONITOR = `monitors:
  - model: models:/fraud@production
    current: { predictions: 1h }
    checks:
      error_rate: { critical: 0.5 }
      performance: { labels: labels.csv, id: request_id, label: label, metric: accuracy, critical: 0.1 }
    retrain:
      command: node train.js --data \${current}
      output: artifacts/model.onnx
`;

function labelsCsv(n: number): string {
  return (
    ['request_id,label', ...Array.from({ length: n }, (_, i) => `r${i},${(i * 7) % 3 === 0 ? 1 : 0}`)].join('\n') + '\n'
  );
}

async function predictionProject(p: Project): Promise<void> {
  p.write('train.js', TRAIN_JS);
  p.write('labels.csv', labelsCsv(100));
  p.write('mlops.yaml', PRED_MONITOR);
  await p.log(records(100));
}

describe('retraining', function () {
  this.timeout(120_000);
  let p: Project;
  afterEach(async () => p?.cleanup());

  it('`mlops retrain` registers the challenger with its lineage and tags, and compares it with production', async () => {
    p = await project();
    await predictionProject(p);
    const r = await p.cli(['retrain', 'fraud', '--json']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /\[retrain fraud\] trained/);
    const out = JSON.parse(r.out);
    assert.equal(out.status, 'registered');
    const v = await p.registry.getVersion('fraud', 2);
    assert.deepEqual(v.aliases, ['challenger']);
    assert.equal(v.parentVersion, 1);
    assert.equal(v.tags['mlops.trigger'], 'manual by ci-bot');
    assert.equal(v.tags.reference_data, path.join('.mlops', 'monitor', 'window', 'fraud'));
    assert.deepEqual(
      (await p.registry.getVersionByAlias('fraud', 'production')).version,
      1,
      'promotion stays a human decision',
    );

    const given = JSON.parse(readFileSync(path.join(p.dir, 'given.json'), 'utf8'));
    const current = path.join(p.dir, '.mlops', 'monitor', 'window', 'fraud');
    assert.deepEqual(given.argv, ['--data', current]);
    assert.equal(given.env.MLOPS_MODEL, 'fraud');
    assert.equal(given.env.MLOPS_PARENT_VERSION, '1');
    assert.equal(given.env.MLOPS_CURRENT_DATA, current);
    assert.equal(given.env.MLOPS_REFERENCE_DATA, '');
    assert.deepEqual(JSON.parse(given.env.MLOPS_TRIGGER), {
      manual: true,
      actor: 'ci-bot',
      monitor: 'models:/fraud@production',
    });

    const c = out.comparison;
    assert.equal(c.compared, true);
    assert.equal(c.production.version, 1);
    assert.equal(c.challenger.version, 2);
    for (const s of [c.production, c.challenger]) {
      assert.equal(s.requests, 100);
      assert.equal(s.errors, 0);
      assert.equal(s.metric.name, 'accuracy');
      assert.ok(s.metric.value >= 0 && s.metric.value <= 1);
    }
    assert.equal(c.challengerWins, c.challenger.metric.value >= c.production.metric.value);
    // The run's steps as recorded for the cool-down and the editor, the last one with the verdict.
    const runs = await readRetrainRuns(path.join(p.dir, '.mlops', 'monitor'), 'fraud');
    assert.deepEqual(
      runs.map((x) => [x.outcome, x.version]),
      [
        ['started', undefined],
        ['registered', 2],
        ['compared', 2],
      ],
    );
    assert.deepEqual([runs[2].verdict, runs[2].challengerWins, runs[2].promoted], [c.verdict, c.challengerWins, null]);
  });

  it('a breach retrains from `mlops monitor --once`: the trigger in the tags and MLOPS_TRIGGER, paths quoted', async () => {
    p = await project();
    p.write('train.js', TRAIN_JS);
    p.write('my data/reference.csv', featuresCsv(300, 1));
    p.write("my data/today's.csv", featuresCsv(300, 2, 1.5));
    p.write(
      'mlops.yaml',
      `monitors:\n  - model: models:/fraud@production\n    reference: my data/reference.csv\n    current: "my data/today's.csv"\n    checks:\n      drift: { critical: 0.5 }\n    retrain: { command: "node train.js \${current} \${reference}", output: artifacts/model.onnx, on: critical }\n`,
    );
    const r = await p.cli(['monitor', '--once', '--json']);
    assert.equal(r.code, 3, r.err);
    const round = JSON.parse(r.out);
    assert.equal(round.retrains[0].outcome.status, 'registered');
    const cmp = round.retrains[0].outcome.comparison;
    assert.equal(cmp.compared, true, 'the rows of the current file are replayed through both versions');
    assert.equal(cmp.challenger.requests, 300);
    assert.equal(cmp.challengerWins, null, 'no labels: the decision stays with people');
    assert.match(cmp.verdict, /^No labels to decide: p95 compute/);
    const v = await p.registry.getVersionByAlias('fraud', 'challenger');
    assert.equal(v.parentVersion, 1);
    assert.equal(v.tags['mlops.trigger'], 'drift critical: 1 past 0.5');
    assert.equal(v.tags.reference_data, "my data/today's.csv");
    const given = JSON.parse(readFileSync(path.join(p.dir, 'given.json'), 'utf8'));
    assert.deepEqual(given.argv, [path.join(p.dir, "my data/today's.csv"), path.join(p.dir, 'my data/reference.csv')]);
    const trigger = JSON.parse(given.env.MLOPS_TRIGGER);
    assert.equal(trigger.check, 'drift');
    assert.equal(trigger.severity, 'critical');
    assert.equal(trigger.value, 1);
    assert.equal(trigger.threshold, 0.5);
  });

  it('a failing command is reported with its last lines and registers nothing', async () => {
    p = await project();
    await predictionProject(p);
    p.write('fail.js', "console.log('step 1'); console.error('boom: no data'); process.exit(2);\n");
    p.write('mlops.yaml', PRED_MONITOR.replace('node train.js --data ${current}', 'node fail.js'));
    const r = await p.cli(['retrain', 'fraud']);
    assert.equal(r.code, 1);
    assert.match(r.err, /exited with 2; nothing was registered\. Last output:\nstep 1\nboom: no data\n/);
    assert.match(
      r.err,
      /\nFix the training command \(retrain\.command/,
      'the hint on a line of its own, not the output',
    );
    assert.equal((await p.registry.listVersions('fraud')).items.length, 1);
    await assert.rejects(p.registry.getVersionByAlias('fraud', 'challenger'));
    // A command that exits 0 without writing the model registers nothing either.
    p.write('mlops.yaml', PRED_MONITOR.replace('node train.js --data ${current}', 'node -e "0"'));
    const silent = await p.cli(['retrain', 'fraud']);
    assert.equal(silent.code, 1);
    assert.match(silent.err, /did not write artifacts\/model\.onnx/);
    assert.equal((await p.registry.listVersions('fraud')).items.length, 1);
  });

  it('an output that is not a model points at retrain: in mlops.yaml, and the run is recorded as failed', async () => {
    p = await project();
    await predictionProject(p);
    p.write(
      'mlops.yaml',
      PRED_MONITOR.replace('node train.js --data ${current}', '"echo garbage > artifacts/model.onnx"'),
    );
    p.write('artifacts/.keep', '');
    const r = await p.cli(['retrain', 'fraud']);
    assert.equal(r.code, 1, r.out);
    assert.match(r.err, /is not a valid ONNX model/);
    assert.match(r.err, /Make retrain\.command in mlops\.yaml write an ONNX model .* to retrain\.output/);
    assert.doesNotMatch(r.err, /push the \.onnx file/, 'not the hint for a person pushing a file');
    assert.equal((await p.registry.listVersions('fraud')).items.length, 1);
    const runs = await readRetrainRuns(path.join(p.dir, '.mlops', 'monitor'), 'fraud');
    assert.deepEqual(
      runs.map((x) => x.outcome),
      ['started', 'failed'],
      'every started run ends with an outcome',
    );
    assert.match(String(runs[1].error), /is not a valid ONNX model/);
  });

  it('two monitors firing at once retrain once (cool-down), and the lock refuses a concurrent retrain', async () => {
    p = await project();
    p.write('train.js', TRAIN_JS);
    p.write('reference.csv', featuresCsv(300, 1));
    p.write(
      'current.csv',
      featuresCsv(300, 2, 1.5, (i) => ({ e: i % 2 ? '' : '1' })).replace('a,b,c,d,e', 'a,b,c,d,e'),
    );
    p.write(
      'reference.csv',
      featuresCsv(300, 1, 0, () => ({ e: '1' })),
    );
    const one = (name: string, check: string) =>
      `  - name: ${name}\n    model: models:/fraud@production\n    reference: reference.csv\n    current: current.csv\n    checks:\n      ${check}\n    retrain: { command: node train.js, output: artifacts/model.onnx }\n`;
    p.write(
      'mlops.yaml',
      'monitors:\n' + one('drift', 'drift: { critical: 0.5 }') + one('missing', 'missing: { critical: 0.2 }'),
    );
    const r = await p.cli(['monitor', '--once', '--json']);
    assert.equal(r.code, 3, r.err);
    const round = JSON.parse(r.out);
    assert.deepEqual(
      round.evaluations.map((e: { state: string }) => e.state),
      ['critical', 'critical'],
    );
    assert.deepEqual(
      round.retrains.map((x: { outcome: { status: string } }) => x.outcome.status),
      ['registered', 'skipped'],
    );
    assert.match(round.retrains[1].outcome.reason, /cool-down/);
    assert.equal((await p.registry.listVersions('fraud')).items.length, 2);

    // Two retrains at the same moment (on demand, so the cool-down does not apply): the lock lets one run.
    const project_ = await readMonitors(path.join(p.dir, 'mlops.yaml'));
    const ws = {
      monitorDir: path.join(p.dir, '.mlops', 'monitor'),
      predictionsRoot: path.join(p.dir, '.mlops', 'predictions'),
    };
    const run = () =>
      retrain({
        registry: p.registry,
        monitor: project_.monitors[0],
        dir: p.dir,
        workspace: ws,
        actor: 't',
        force: true,
      });
    const both = await Promise.allSettled([run(), run()]);
    assert.equal(both.filter((x) => x.status === 'fulfilled').length, 1);
    const refused = both.find((x) => x.status === 'rejected') as PromiseRejectedResult;
    assert.ok(isMlopsError(refused.reason, 'LOCKED'), String(refused.reason));
    assert.equal((await p.registry.listVersions('fraud')).items.length, 3);
    assert.equal(existsSync(path.join(ws.monitorDir, 'fraud.retrain.lock')), false, 'the lock is released');
  });

  it('registers the challenger on MLflow (test double) with the same lineage and tags', async () => {
    const f = await mlflowFixture();
    try {
      p = await project({ registry: f.registry });
      await predictionProject(p);
      const proj = await readMonitors(path.join(p.dir, 'mlops.yaml'));
      const out = await retrain({
        registry: f.registry,
        monitor: proj.monitors[0],
        dir: p.dir,
        workspace: {
          monitorDir: path.join(p.dir, '.mlops', 'monitor'),
          predictionsRoot: path.join(p.dir, '.mlops', 'predictions'),
        },
        actor: 'ci-bot',
        force: true,
      });
      assert.equal(out.status, 'registered');
      const v = await f.registry.getVersionByAlias('fraud', 'challenger');
      assert.equal(v.version, 2);
      assert.equal(v.parentVersion, 1);
      assert.equal(v.tags['mlops.trigger'], 'manual by ci-bot');
      assert.equal(v.tags.reference_data, path.join('.mlops', 'monitor', 'window', 'fraud'));
      assert.equal(out.status === 'registered' && out.comparison.compared, true);
    } finally {
      await p.cleanup();
      p = undefined as unknown as Project;
      await f.cleanup();
    }
  });

  it('promote: auto moves the alias only when the named metric gate passes', async () => {
    p = await project();
    await predictionProject(p);
    const gate = (min: number) =>
      PRED_MONITOR + `      promote: { mode: auto, metric: accuracy, min_improvement: ${min} }\n`;
    p.write('mlops.yaml', gate(2)); // an accuracy cannot improve by 2: never promoted
    const held = JSON.parse((await p.cli(['retrain', 'fraud', '--json'])).out);
    assert.equal(held.promoted, null);
    assert.equal((await p.registry.getVersionByAlias('fraud', 'production')).version, 1);
    p.write('mlops.yaml', gate(-1)); // any result passes
    const r = await p.cli(['retrain', 'fraud', '--json']);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(JSON.parse(r.out).promoted, { alias: 'production', version: 3 });
    const prod = await p.registry.getVersionByAlias('fraud', 'production');
    assert.equal(prod.version, 3);
    assert.equal(prod.parentVersion, 1);
    const last = (await p.registry.history('fraud', { alias: 'production' })).at(-1);
    assert.match(String(last?.reason), /promote: auto \(accuracy gate\)/);
  });
});
