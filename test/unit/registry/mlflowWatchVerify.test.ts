import assert from 'node:assert/strict';
import path from 'node:path';
import { MlflowRegistry } from '../../../src/core/registry/mlflow/mlflowRegistry';
import { sleep, waitFor } from '../../helpers/wait';
import { FAST, mlflowFixture, type Fixture } from '../../mlflowDouble/setup';

const ctx = { actor: 'alice' };
const until = (cond: () => boolean) => waitFor('the watcher', cond, 3_000, 10);

describe('MLflow backend: watch and verify', function () {
  this.timeout(20_000);
  let f: Fixture;
  beforeEach(async () => {
    f = await mlflowFixture();
  });
  afterEach(async () => {
    await f.cleanup();
  });
  /** Waits for `n` more polls to reach the server (a poll's last request is the version search). */
  const polls = async (n: number) => {
    const seen = () => f.server.calls('model-versions/search').filter((r) => !r.query.get('filter')).length;
    const target = seen() + n;
    await until(() => seen() >= target);
  };

  it('watch() notices a change made by another client, stays quiet otherwise, and stops when disposed', async () => {
    await f.registry.pushVersion({ filePath: f.model, model: 'churn' }, ctx);
    let calls = 0;
    const w = f.registry.watch(() => calls++);
    const other = await MlflowRegistry.open(f.server.url, { ...FAST, cacheDir: path.join(f.dir, 'o') });
    try {
      await polls(3); // the baseline, then two polls with nothing changed
      assert.equal(calls, 0);
      await other.promote('churn', 'production', 1, ctx);
      await until(() => calls === 1);
      await other.updateVersion('churn', 1, { description: 'edited elsewhere' });
      await until(() => calls === 2);
      w.dispose();
      await other.setVersionStatus('churn', 1, 'archived', ctx).catch(() => undefined);
      await other.pushVersion({ filePath: f.model, model: 'churn' }, ctx);
      await sleep(200);
      assert.equal(calls, 2, 'no call after dispose');
    } finally {
      await other.close();
    }
  });

  it('watch() keeps polling through failed polls (server errors)', async () => {
    let calls = 0;
    f.server.inject({ kind: 'status', status: 500, path: 'registered-models/search', times: 3 });
    const w = f.registry.watch(() => calls++);
    try {
      await polls(1); // a poll got through after the failures: the baseline
      assert.equal(f.server.faults.pending, 0);
      await f.registry.pushVersion({ filePath: f.model, model: 'churn' }, ctx);
      await until(() => calls >= 1);
    } finally {
      w.dispose();
    }
  });

  it('verify() downloads and hashes every version; ok when all is well', async () => {
    await f.registry.pushVersion({ filePath: f.model, model: 'churn', alias: 'production' }, ctx);
    await f.registry.pushVersion({ filePath: f.model, model: 'fraud' }, ctx);
    await f.registry.setVersionStatus('fraud', 1, 'archived', ctx);
    const r = await f.registry.verify();
    assert.deepEqual(r, {
      ok: true,
      models: 2,
      versions: 2,
      artifactsChecked: 2,
      orphanArtifacts: 0,
      problems: [],
      unverifiable: [],
    });
  });

  it('verify() counts versions other clients registered as not verifiable, not as problems: still ok', async () => {
    await f.registry.pushVersion({ filePath: f.model, model: 'churn' }, ctx);
    const s = f.server.store;
    s.createModel('team/legacy', '', []);
    s.createVersion('team/legacy', 'runs:/abc/model', 'abc', '', []);
    s.createVersion('team/legacy', 's3://bucket/model', '', '', [{ key: 'team', value: 'risk' }]);
    // Archived by us: our mlops.status tag alone does not make it one of our pushes.
    await f.registry.setVersionStatus('team/legacy', 1, 'archived', ctx);
    const r = await f.registry.verify();
    assert.equal(r.ok, true, JSON.stringify(r.problems));
    assert.deepEqual(
      r.unverifiable.map((u) => [u.model, u.version, u.reason]),
      [
        ['team/legacy', 1, 'registered by another client (source runs:/abc/model), with no recorded sha256'],
        ['team/legacy', 2, 'registered by another client (source s3://bucket/model), with no recorded sha256'],
      ],
    );
    assert.deepEqual([r.models, r.versions, r.artifactsChecked], [2, 3, 1]);
  });

  it('verify() still flags one of our versions whose sha256 tag was damaged', async () => {
    await f.registry.pushVersion({ filePath: f.model, model: 'churn' }, ctx);
    f.server.store.version('churn', 1).tags.set('mlops.sha256', 'oops');
    const r = await f.registry.verify();
    assert.equal(r.ok, false);
    assert.deepEqual(
      r.problems.map((p) => p.problem),
      ['has mlops.* tags but no valid mlops.sha256 tag'],
    );
    assert.deepEqual(r.unverifiable, []);
  });

  it('verify() reports a changed file, a dangling alias, an unverifiable version and a damaged history tag', async () => {
    await f.registry.pushVersion({ filePath: f.model, model: 'churn' }, ctx);
    await f.registry.pushVersion({ filePath: f.model, model: 'churn', alias: 'production' }, ctx);
    const s = f.server.store;
    const files = [...s.artifacts.keys()].filter((k) => k.endsWith('model.onnx')).sort();
    const v1File = s.version('churn', 1).source.replace('mlflow-artifacts:/', '') + '/model.onnx';
    s.artifacts.set(v1File, Buffer.from('changed'));
    s.artifacts.delete(files.find((k) => k !== v1File) as string);
    s.createVersion('churn', 'runs:/x/model', 'x', '', []); // registered by another client: no mlops tags
    s.deleteVersion('churn', 2); // the way MLflow's own client deletes: @production dangles
    s.model('churn').tags.set('mlops.history.000099', 'not json');
    const r = await f.registry.verify();
    assert.equal(r.ok, false);
    const problems = r.problems.map((p) => `${p.model} v${p.version ?? '-'}: ${p.problem}`).sort();
    assert.deepEqual(
      problems.map((p) => p.replace(/\(sha256 .*\)/, '(sha256 …)')),
      [
        'churn v-: history tag mlops.history.000099 cannot be read',
        'churn v1: artifact is corrupt (sha256 …)',
        'churn v2: alias @production points at a version that is missing or archived',
      ],
    );
    assert.deepEqual(
      r.unverifiable.map((u) => u.version),
      [3],
      'registered by another client: not verifiable, not a problem',
    );
    assert.equal(r.versions, 2);
  });

  it('verify() reports a file that cannot be downloaded', async () => {
    await f.registry.pushVersion({ filePath: f.model, model: 'churn' }, ctx);
    for (const k of [...f.server.store.artifacts.keys()]) f.server.store.artifacts.delete(k);
    const r = await f.registry.verify();
    assert.equal(r.problems.length, 1);
    assert.match(r.problems[0].problem, /cannot be downloaded/);
  });
});
