import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { mlopsJson, runMlops } from '../../helpers/cli';
import { tempDir, writeModel } from '../../helpers/tmp';
import { startMlflowDouble, type MlflowDouble } from '../../mlflowDouble/mlflowServerDouble';

/**
 * The bundled `mlops` CLI against the MLflow test double, found through MLFLOW_TRACKING_URI (no
 * --registry, no MLOPS_REGISTRY) and logging in with MLflow's variables, as a team's CI would.
 */
describe('mlops CLI against an MLflow server (test double)', function () {
  this.timeout(60_000);
  let s: MlflowDouble;
  let t: { dir: string; cleanup: () => void };
  let env: NodeJS.ProcessEnv;
  beforeEach(async () => {
    s = await startMlflowDouble({ auth: { users: { ci: 'pa55-word' } } });
    t = tempDir('mlops-cli-mlflow-');
    env = {
      MLFLOW_TRACKING_URI: s.url,
      MLFLOW_TRACKING_USERNAME: 'ci',
      MLFLOW_TRACKING_PASSWORD: 'pa55-word',
      TMPDIR: t.dir,
    };
  });
  afterEach(async () => {
    await s.close();
    t.cleanup();
  });

  it("push, promote, rollback, history, archive, pull and verify give the embedded registry's results", async () => {
    const file = writeModel(t.dir, 'm.onnx', { seed: 4 });
    const run = <T>(...args: string[]) => mlopsJson<T>(args, t.dir, env);
    for (let i = 0; i < 3; i++) await run('push', file, '--model', 'churn', '--metric', `auc=0.9${i}`);
    for (const v of ['1', '2', '3']) await run('promote', 'churn', v, '--alias', 'production');
    const rb = await run<{ event: { fromVersion: number; toVersion: number } }>(
      'rollback',
      'churn',
      '--alias',
      'production',
      '--reason',
      'p99',
    );
    assert.deepEqual([rb.event.fromVersion, rb.event.toVersion], [3, 2]);
    const hist = await run<{ events: { action: string }[] }>('history', 'churn', '--alias', 'production');
    assert.deepEqual(
      hist.events.map((e) => e.action),
      ['promote', 'promote', 'promote', 'rollback'],
    );
    await run('archive', 'churn', '3');
    const versions = await run<{ versions: { version: number; aliases: string[]; metrics: Record<string, number> }[] }>(
      'versions',
      'churn',
    );
    assert.deepEqual(
      versions.versions.map((v) => [v.version, v.aliases, v.metrics.auc]),
      [
        [2, ['production'], 0.91],
        [1, [], 0.9],
      ],
    );
    const out = path.join(t.dir, 'pulled.onnx');
    await run('pull', 'models:/churn@production', '-o', out);
    assert.deepEqual(readFileSync(out), readFileSync(file));
    const verify = await run<{ ok: boolean; artifactsChecked: number }>('verify');
    assert.deepEqual([verify.ok, verify.artifactsChecked], [true, 3]);
    // What MLflow's UI shows: the alias moved back, three FINISHED runs with their metric.
    assert.equal(s.store.model('churn').aliases.get('production'), 2);
    assert.deepEqual(
      [...s.store.runs.values()].map((r) => [r.status, r.metrics[0]?.key]),
      [
        ['FINISHED', 'auc'],
        ['FINISHED', 'auc'],
        ['FINISHED', 'auc'],
      ],
    );
  });

  it('versions other clients registered: "unknown" size, author and sha256, and verify passes with a note', async () => {
    const file = writeModel(t.dir, 'm.onnx', { seed: 4 });
    await mlopsJson(['push', file, '--model', 'team/churn'], t.dir, env);
    s.store.createModel('legacy', '', []);
    s.store.createVersion('legacy', 'runs:/abc/model', 'abc', '', []);
    s.store.createVersion('legacy', 's3://bucket/model', '', '', []);
    const list = await runMlops(['versions', 'legacy'], { cwd: t.dir, env });
    assert.equal(list.code, 0, list.stderr);
    const rows = list.stdout.trim().split('\n').slice(1);
    assert.equal(rows.length, 2);
    for (const row of rows) assert.match(row, /^v\d +- +(active|archived) +- +unknown +just now +unknown +unknown$/);
    assert.doesNotMatch(list.stdout, /0 B/);
    const show = await runMlops(['show', 'models:/legacy/1'], { cwd: t.dir, env });
    assert.match(show.stdout, /by unknown/);
    assert.match(show.stdout, /^artifact: +not recorded \(size unknown, sha256 unknown\)$/m);
    const verify = await runMlops(['verify'], { cwd: t.dir, env });
    assert.equal(verify.code, 0, verify.stdout + verify.stderr);
    assert.match(verify.stdout, /^OK: 2 models, 3 versions, 1 artifacts checked, 2 not verifiable/);
    assert.match(
      verify.stdout,
      /Not verifiable \(no recorded sha256; registered by another client\): legacy v1, legacy v2\./,
    );
    // A real problem still fails it.
    s.store.model('team/churn').aliases.set('production', 9);
    const bad = await runMlops(['verify'], { cwd: t.dir, env });
    assert.equal(bad.code, 1);
    assert.match(bad.stdout, /^PROBLEMS: .*2 not verifiable/);
    // A name with '/' pulls to one file in the current folder.
    await mlopsJson(['pull', 'models:/team/churn/1'], t.dir, env);
    assert.deepEqual(readFileSync(path.join(t.dir, 'team_churn-v1.onnx')), readFileSync(file));
  });

  it('--idempotency-key auto in a CI run: a retried job gets the version it pushed, a new run a new one', async () => {
    const file = writeModel(t.dir, 'm.onnx', { seed: 4 });
    const noCi = { GITHUB_ACTIONS: '', GITLAB_CI: '', TF_BUILD: '', CIRCLECI: '', BUILDKITE: '', JENKINS_URL: '' };
    const gh = (run: string) => ({
      ...env,
      ...noCi,
      GITHUB_ACTIONS: 'true',
      GITHUB_REPOSITORY: 'org/repo',
      GITHUB_RUN_ID: run,
    });
    const push = (e: NodeJS.ProcessEnv) =>
      mlopsJson<{ version: number }>(['push', file, '--model', 'churn', '--idempotency-key', 'auto'], t.dir, e);
    assert.equal((await push(gh('100'))).version, 1);
    assert.equal((await push(gh('100'))).version, 1, 'the retry of run 100');
    assert.equal((await push(gh('101'))).version, 2, 'the next run');
    // The variable does the same for every push of a job.
    const viaEnv = { ...env, ...noCi, MLOPS_IDEMPOTENCY_KEY: 'nightly-7' };
    const a = await mlopsJson<{ version: number }>(['push', file, '--model', 'churn'], t.dir, viaEnv);
    const b = await runMlops(['push', file, '--model', 'churn'], { cwd: t.dir, env: viaEnv });
    assert.equal(a.version, 3);
    assert.match(b.stdout, /^Pushed models:\/churn\/3 .*\[idempotency key nightly-7\]$/m);
    assert.equal(s.store.versionsOf('churn').length, 3);
    // auto outside CI is a usage error (exit 2), and nothing is pushed.
    const outside = await runMlops(['push', file, '--model', 'churn', '--idempotency-key', 'auto'], {
      cwd: t.dir,
      env: { ...env, ...noCi },
    });
    assert.equal(outside.code, 2);
    assert.match(outside.stderr, /--idempotency-key auto needs a CI run id/);
    assert.equal(s.store.versionsOf('churn').length, 3);
  });

  it('without credentials: exit 1 and one sentence naming the server and the variables to set', async () => {
    const r = await runMlops(['models'], { cwd: t.dir, env: { MLFLOW_TRACKING_URI: s.url } });
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.match(
      r.stderr.trim(),
      /^error: MLflow at http:\/\/127\.0\.0\.1:\d+ requires credentials \(401\) and none were given\. Set MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD, or MLFLOW_TRACKING_TOKEN/,
    );
  });

  it('gc says the server manages its own artifact store (exit 1) and changes nothing there', async () => {
    await mlopsJson(['push', writeModel(t.dir, 'm.onnx', { seed: 4 }), '--model', 'churn'], t.dir, env);
    const r = await runMlops(['gc', '--grace', '1s'], { cwd: t.dir, env });
    assert.equal(r.code, 1);
    assert.match(
      r.stderr.trim(),
      /^error: http:\/\/127\.0\.0\.1:\d+ is an MLflow server, which manages its own artifact store; mlops gc cleans an embedded registry\. Run `mlflow gc`/,
    );
    assert.equal(s.store.versionsOf('churn').length, 1);
  });

  it('--registry and MLOPS_REGISTRY come before MLFLOW_TRACKING_URI; a non-http MLFLOW_TRACKING_URI is ignored', async () => {
    const local = path.join(t.dir, 'reg');
    const r = await mlopsJson<{ location: string }>(['init', '--registry', local], t.dir, env);
    assert.equal(r.location, local);
    const models = await mlopsJson<{ models: unknown[] }>(['models'], t.dir, { ...env, MLOPS_REGISTRY: local });
    assert.deepEqual(models.models, []);
    assert.equal(s.calls('registered-models/search').length, 0, 'the MLflow server was not asked');
    const ignored = await runMlops(['models'], { cwd: t.dir, env: { MLFLOW_TRACKING_URI: 'file:./mlruns' } });
    assert.match(ignored.stderr, /There is no registry at .*\.mlops/);
  });
});
