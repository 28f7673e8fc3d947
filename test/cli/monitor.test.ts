import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { featuresCsv, type Project, project, records } from '../unit/monitor/fixtures';
import { runCli } from '../../src/cli/cli';
import { inputFeatureNames, recordFeatureNames } from '../../src/core/serving/predlog/features';
import { runMlops } from '../helpers/cli';
import { waitFor } from '../helpers/wait';

const DAY = 86_400_000;

/** mlops.yaml with one monitor of fraud@production on files (reference.csv, current.csv). */
function filesYaml(checks: string, extra = ''): string {
  return `monitors:\n  - model: models:/fraud@production\n    reference: reference.csv\n    current: current.csv\n${extra}    checks:\n${checks}`;
}

describe('mlops monitor --once', () => {
  let p: Project;
  beforeEach(async () => (p = await project()));
  afterEach(async () => p.cleanup());

  it('exits 0 on healthy data and 3 on drifted data, recording each evaluation in .mlops/monitor', async () => {
    p.write('reference.csv', featuresCsv(300, 1));
    p.write('current.csv', featuresCsv(300, 2));
    p.write(
      'mlops.yaml',
      filesYaml('      drift: { warning: 0.25, critical: 0.5 }\n      missing: { critical: 0.1 }\n'),
    );
    const healthy = await p.cli(['monitor', '--once', '--json']);
    assert.equal(healthy.code, 0, healthy.err);
    assert.equal(healthy.out.trimEnd().split('\n').length, 1, '--json is one line when piped, as in every command');
    const h = JSON.parse(healthy.out);
    assert.equal(h.evaluations[0].state, 'ok');
    assert.deepEqual(
      h.evaluations[0].checks.map((c: { kind: string; state: string }) => [c.kind, c.state]),
      [
        ['drift', 'ok'],
        ['missing', 'ok'],
      ],
    );

    p.write('current.csv', featuresCsv(300, 2, 1.5));
    const drifted = await p.cli(['monitor', '--once', '--json']);
    assert.equal(drifted.code, 3, drifted.err);
    const d = JSON.parse(drifted.out).evaluations[0];
    assert.equal(d.state, 'critical');
    assert.equal(d.previousState, 'ok');
    assert.equal(d.events.length, 1);
    assert.deepEqual(
      {
        check: d.events[0].check,
        severity: d.events[0].severity,
        value: d.events[0].value,
        threshold: d.events[0].threshold,
      },
      { check: 'drift', severity: 'critical', value: 1, threshold: 0.5 },
    );
    assert.equal(d.events[0].window.current, 'current.csv');
    assert.equal(d.events[0].window.reference, 'reference.csv');

    // Still drifted: the state holds, no new breach event.
    const again = JSON.parse((await p.cli(['monitor', '--once', '--json'])).out).evaluations[0];
    assert.equal(again.state, 'critical');
    assert.equal(again.events.length, 0);
    const history = readFileSync(path.join(p.dir, '.mlops', 'monitor', 'fraud.jsonl'), 'utf8')
      .trim()
      .split('\n');
    assert.deepEqual(
      history.map((l) => JSON.parse(l).state),
      ['ok', 'critical', 'critical'],
    );
  });

  it('`for: 2` waits for a second breached run, across separate runs (the history keeps the count)', async () => {
    p.write('reference.csv', featuresCsv(300, 1));
    p.write('current.csv', featuresCsv(300, 2, 1.5));
    p.write('mlops.yaml', filesYaml('      drift: { critical: 0.5, for: 2 }\n'));
    const first = await p.cli(['monitor', '--once', '--json']);
    assert.equal(first.code, 0, 'pending, not fired');
    assert.equal(JSON.parse(first.out).evaluations[0].checks[0].raw, 'critical');
    assert.equal((await p.cli(['monitor', '--once'])).code, 3);
  });

  it('exits 3 on stale data (the newest timestamp older than the TTL)', async () => {
    const now = Date.now();
    const ts = (i: number) => ({ ts: new Date(now - 3 * DAY - i * 60_000).toISOString() });
    p.write('reference.csv', featuresCsv(100, 1));
    p.write('current.csv', featuresCsv(100, 2, 0, ts));
    p.write('mlops.yaml', filesYaml('      stale: { column: ts, warning: 12h, critical: 2d }\n'));
    const r = await p.cli(['monitor', '--once']);
    assert.equal(r.code, 3, r.out + r.err);
    assert.match(r.out, /stale\s+Critical\s+72\.0 h\s+48\.0 h/);
    p.write(
      'current.csv',
      featuresCsv(100, 2, 0, (i) => ({ ts: new Date(now - i * 60_000).toISOString() })),
    );
    assert.equal((await p.cli(['monitor', '--once'])).code, 0);
  });

  it('exits 3 when the p95 latency of the prediction log breaks the SLO, 0 within it', async () => {
    p.write(
      'mlops.yaml',
      'monitors:\n  - model: models:/fraud@production\n    current: { predictions: 1h }\n    checks:\n      latency: { percentile: p95, warning: 50, critical: 200 }\n      error_rate: { critical: 0.2 }\n',
    );
    const none = await p.cli(['monitor', '--once', '--json']);
    assert.equal(none.code, 0, 'no data is not a breach');
    assert.equal(JSON.parse(none.out).evaluations[0].state, 'nodata');
    await p.log([...records(90, { latencyMs: 5 }), ...records(10, { latencyMs: 30 })]);
    const ok = await p.cli(['monitor', '--once', '--json']);
    assert.equal(ok.code, 0, ok.out);
    assert.equal(JSON.parse(ok.out).evaluations[0].checks[0].value, 30);
    await p.log(records(100, { latencyMs: 450, seed: 9 }));
    const slow = await p.cli(['monitor', '--once', '--md']);
    assert.equal(slow.code, 3);
    assert.match(slow.out, /\| latency \| 🔴 Critical \| 450\.0 ms \| 200\.0 ms \| p95 of 200 requests \|/);
  });

  it('exits 1 when a monitor cannot be evaluated, and on a bad mlops.yaml with its line and column', async () => {
    p.write('reference.csv', featuresCsv(10, 1));
    p.write('current.csv', featuresCsv(10, 2));
    p.write('mlops.yaml', filesYaml('      drift: { critical: 0.5 }\n').replace('fraud@production', 'fraud@staging'));
    const r = await p.cli(['monitor', '--once']);
    assert.equal(r.code, 1);
    assert.match(r.out, /error: .*staging/);
    p.write('mlops.yaml', filesYaml('      drift: { critical: high }\n'));
    const bad = await p.cli(['monitor', '--once']);
    assert.equal(bad.code, 1);
    assert.match(bad.err, /mlops\.yaml:6:26: monitors\[0\]\.checks\.drift\.critical must be a number/);
  });

  it('a check that cannot be measured shows its error; the other checks keep their values (exit 1)', async () => {
    await p.log(records(50, { latencyMs: 30 }));
    p.write('labels.csv', 'id,label\nr0,1\n');
    p.write(
      'mlops.yaml',
      'monitors:\n  - model: models:/fraud@production\n    current: { predictions: 1h }\n    checks:\n      performance: { labels: labels.csv, metric: accuracy, critical: 0.7 }\n      latency: { percentile: p95, warning: 10, critical: 200 }\n      error_rate: { critical: 0.2 }\n',
    );
    const r = await p.cli(['monitor', '--once', '--json']);
    assert.equal(r.code, 1, 'the broken check is an error');
    const e = JSON.parse(r.out).evaluations[0];
    assert.equal(e.error, undefined, 'the monitor itself was evaluated');
    assert.equal(e.state, 'warning', 'the latency warning is not hidden by the broken check');
    assert.deepEqual(
      e.checks.map((c: { kind: string; state: string; value: number | null }) => [c.kind, c.state, c.value]),
      [
        ['latency', 'warning', 30],
        ['error_rate', 'ok', 0],
        ['performance', 'nodata', null],
      ],
    );
    assert.match(e.checks[2].error, /labels\.csv has no column "request_id"/);
    const text = await p.cli(['monitor', '--once']);
    assert.equal(text.code, 1);
    assert.match(text.out, /latency\s+Warning\s+30\.0 ms/);
    assert.match(text.out, /performance\s+No data\s+n\/a\s+.*error: labels\.csv has no column "request_id"/);
  });

  it("prediction-log columns that are not the reference's: named as the log, with the tag or drift.columns to fix", async () => {
    await p.log(records(50));
    p.write('reference.csv', featuresCsv(100, 1));
    p.write(
      'mlops.yaml',
      'monitors:\n  - model: models:/fraud@production\n    reference: reference.csv\n    current: { predictions: 1h }\n    checks:\n      drift: { critical: 0.5 }\n',
    );
    const r = await p.cli(['monitor', '--once', '--json']);
    assert.equal(r.code, 1);
    const error = String(JSON.parse(r.out).evaluations[0].checks[0].error);
    assert.match(error, /^prediction log of fraud, last 1h: there is no column "a", which reference\.csv has/);
    assert.match(error, /by position \(input_0, input_1, …\)/, 'the names the log reader gives the input');
    assert.match(error, /mlops tag models:\/fraud\/1 feature_names=a,b,c/);
    assert.match(error, /checks\.drift\.columns \(or drift\.columns\) in mlops\.yaml/);
    assert.doesNotMatch(error, /window|--columns/, 'no internal file, no flag that monitor lacks');
    // The advice works: the tag, recorded beside the log as `mlops serve` does when the version starts.
    assert.equal((await p.cli(['tag', 'models:/fraud/1', 'feature_names=a,b,c,d'])).code, 0);
    const v = await p.registry.getVersion('fraud', 1);
    await recordFeatureNames(
      path.join(p.dir, '.mlops', 'predictions'),
      'fraud',
      1,
      inputFeatureNames(v.signature, v.tags),
    );
    const named = await p.cli(['monitor', '--once', '--json']);
    assert.equal(named.code, 0, named.out);
    assert.equal(JSON.parse(named.out).evaluations[0].checks[0].error, undefined);
  });

  it('POSTs each state change to the webhook (Slack text + fields), retrying a failed delivery', async () => {
    const got: { body: Record<string, unknown>; type: string | undefined }[] = [];
    let calls = 0;
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        calls++;
        if (calls === 1) return void res.writeHead(503).end();
        got.push({ body: JSON.parse(body), type: req.headers['content-type'] });
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
      p.write('reference.csv', featuresCsv(300, 1));
      p.write('current.csv', featuresCsv(300, 2, 1.5));
      p.write('mlops.yaml', filesYaml('      drift: { critical: 0.5 }\n', `    webhook: ${url}\n`));
      assert.equal((await p.cli(['monitor', '--once'])).code, 3);
      assert.equal(calls, 2, 'the 503 was retried');
      assert.equal(got.length, 1);
      const b = got[0].body;
      assert.equal(got[0].type, 'application/json');
      assert.match(String(b.text), /^:red_circle: models:\/fraud@production: Critical - drift 1 past 0\.5 share$/);
      assert.equal(b.state, 'critical');
      assert.equal(b.model, 'fraud');
      assert.equal(b.version, 1);
      assert.equal((b.breaches as { check: string }[])[0].check, 'drift');
      // No change, no POST; back to healthy, one POST.
      assert.equal((await p.cli(['monitor', '--once'])).code, 3);
      assert.equal(got.length, 1);
      p.write('current.csv', featuresCsv(300, 2));
      assert.equal((await p.cli(['monitor', '--once'])).code, 0);
      assert.equal(got.length, 2);
      assert.equal(got[1].body.state, 'ok');
      assert.equal(got[1].body.previousState, 'critical');
    } finally {
      server.close();
    }
  });

  it('runs as the bundled CLI with the documented exit code', async function () {
    p.write('reference.csv', featuresCsv(300, 1));
    p.write('current.csv', featuresCsv(300, 2, 1.5));
    p.write('mlops.yaml', filesYaml('      drift: { critical: 0.5 }\n'));
    const r = await runMlops(['monitor', '--once', '--no-retrain'], { cwd: p.dir });
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stdout, /models:\/fraud@production v1: Critical/);
  });

  /** `mlops monitor --watch` in this process on two data files, with its stderr and the history's line count. */
  function watch(schedule: string) {
    p.write('reference.csv', featuresCsv(100, 1));
    p.write('current.csv', featuresCsv(100, 2));
    p.write('mlops.yaml', filesYaml('      missing: { critical: 0.1 }\n', `    schedule: ${schedule}\n`));
    const abort = new AbortController();
    const w = { err: '', abort, running: Promise.resolve(0), lines: () => 0 };
    w.running = runCli(['monitor', '--watch'], {
      stdout: () => undefined,
      stderr: (s) => (w.err += s + '\n'),
      env: {},
      cwd: p.dir,
      signal: abort.signal,
    });
    const history = path.join(p.dir, '.mlops', 'monitor', 'fraud.jsonl');
    w.lines = () => readFileSync(history, 'utf8').trim().split('\n').length;
    return w;
  }

  it('--watch evaluates on the schedule until the command signal stops it', async () => {
    const w = watch('1s');
    await waitFor('two evaluations', () => w.lines() >= 2, 20_000);
    w.abort.abort();
    assert.equal(await w.running, 0);
    assert.match(w.err, /Watching 1 monitor\(s\) every 1 s[^]*Stopped watching\./);
  });

  it('--watch evaluates at once when a data file changes, not only on the schedule', async () => {
    const w = watch('1h');
    const lines = w.lines;
    await waitFor('the first evaluation', () => lines() === 1, 20_000);
    p.write('unrelated.txt', 'not a data file of the monitor');
    p.write('current.csv', featuresCsv(100, 3));
    await waitFor('an evaluation of the new file, long before the hourly schedule', () => lines() === 2, 20_000);
    w.abort.abort();
    assert.equal(await w.running, 0);
    assert.match(w.err, /current\.csv changed: evaluating now\./);
    assert.equal(lines(), 2, 'one burst of writes, one evaluation; the unrelated file none');
  });

  it('scores performance on labels joined by request id against a floor', async () => {
    const recs = records(60);
    await p.log(recs);
    const truth = (flip: boolean) =>
      [
        'request_id,label',
        ...recs.map((r) => `${r.id},${Number(r.outputs!.output.data[1]) > 0.5 !== flip ? 1 : 0}`),
      ].join('\n');
    p.write('labels.csv', truth(false));
    p.write(
      'mlops.yaml',
      'monitors:\n  - model: models:/fraud@production\n    current: { predictions: 1h }\n    checks:\n      performance: { labels: labels.csv, metric: accuracy, warning: 0.9, critical: 0.7 }\n',
    );
    const good = await p.cli(['monitor', '--once', '--json']);
    assert.equal(good.code, 0, good.out + good.err);
    assert.equal(JSON.parse(good.out).evaluations[0].checks[0].value, 1);
    p.write('labels.csv', truth(true));
    const bad = await p.cli(['monitor', '--once', '--json']);
    assert.equal(bad.code, 3);
    const c = JSON.parse(bad.out).evaluations[0].checks[0];
    assert.deepEqual(
      [c.state, c.value, c.threshold, c.message],
      ['critical', 0, 0.7, 'accuracy on 60 labelled predictions'],
    );
  });
});
