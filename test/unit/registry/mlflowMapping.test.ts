import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { MlflowRegistry } from '../../../src/core/registry/mlflow/mlflowRegistry';
import { resolveModelRef } from '../../../src/core/registry/resolve';
import { FAST, mlflowFixture, type Fixture } from '../../mlflowDouble/setup';
import { rejectsWith } from './contract';

const ctx = { actor: 'alice', reason: 'mapping test' };

/** What MLflow's own UI and clients see after our operations: the same truth, in MLflow's terms. */
describe('MLflow backend: mapping onto MLflow', function () {
  this.timeout(20_000);
  let f: Fixture;
  beforeEach(async () => {
    f = await mlflowFixture();
  });
  afterEach(async () => {
    await f.cleanup();
  });

  it('a push is a FINISHED run with the metrics and params, a proxied file, and a tagged version with an explicit source', async () => {
    await f.registry.pushVersion(
      {
        filePath: f.model,
        model: 'churn',
        metrics: { auc: 0.94 },
        params: { lr: '0.01' },
        tags: { team: 'risk' },
        description: 'first',
        runId: 'train-42',
        alias: 'staging',
      },
      ctx,
    );
    const s = f.server.store;
    const [run] = [...s.runs.values()];
    assert.deepEqual([run.status, run.lifecycleStage, run.experimentId], ['FINISHED', 'active', '0']);
    assert.deepEqual(
      run.metrics.map((m) => [m.key, m.value, m.step]),
      [['auc', 0.94, 0]],
    );
    assert.equal(run.params.get('lr'), '0.01');
    assert.equal(run.tags.get('mlflow.user'), 'alice');
    assert.equal(run.tags.get('mlops.source_run_id'), 'train-42');

    const dir = `0/${run.runId}/artifacts/model`;
    assert.deepEqual(s.artifacts.get(`${dir}/model.onnx`), readFileSync(f.model));
    assert.match(s.artifacts.get(`${dir}/MLmodel`)?.toString() ?? '', /flavors:\n {2}onnx:\n {4}data: model\.onnx\n/);

    const v = s.version('churn', 1);
    assert.equal(v.source, `mlflow-artifacts:/${dir}`);
    assert.equal(v.runId, run.runId);
    assert.equal(v.description, 'first');
    const tags = Object.fromEntries(v.tags);
    assert.equal(tags.team, 'risk');
    assert.match(tags['mlops.sha256'], /^[0-9a-f]{64}$/);
    assert.equal(tags['mlops.size'], String(readFileSync(f.model).length));
    assert.equal(tags['mlops.file_name'], 'model.onnx');
    assert.equal(tags['mlops.status'], 'active');
    assert.equal(tags['mlops.metric.auc'], '0.94');
    assert.equal(tags['mlops.param.lr'], '0.01');
    assert.equal(tags['mlops.created_by'], 'alice');
    assert.equal(tags['mlops.run_id'], 'train-42');
    assert.deepEqual(JSON.parse(tags['mlops.signature']).inputs, [
      { name: 'input', elemType: 'float32', shape: ['batch', 4] },
    ]);

    const m = s.model('churn');
    assert.equal(m.aliases.get('staging'), 1);
    const history = [...m.tags].filter(([k]) => k.startsWith('mlops.history.'));
    assert.deepEqual(
      history.map(([k]) => k),
      ['mlops.history.000001', 'mlops.history.000002'],
    );
    assert.deepEqual(JSON.parse(history[1][1]), {
      action: 'promote',
      alias: 'staging',
      to: 1,
      actor: 'alice',
      time: JSON.parse(history[1][1]).time,
      reason: 'mapping test',
    });
    assert.deepEqual(
      (await f.registry.getModel('churn')).tags,
      {},
      "our bookkeeping tags are not shown as the user's tags",
    );
  });

  it("speaks MLflow's dialect: string versions, JSON-bodied DELETE, GET without a body", async () => {
    await f.registry.pushVersion({ filePath: f.model, model: 'churn', alias: 'production' }, ctx);
    await f.registry.deleteVersion('churn', 1, ctx);
    const deletes = f.server.requests.filter((r) => r.method === 'DELETE' && r.path.startsWith('/api/2.0/mlflow/'));
    assert.ok(deletes.length >= 2);
    for (const r of deletes) {
      assert.equal(r.headers['content-type'], 'application/json');
      assert.ok(JSON.parse(r.body.toString()).name, 'parameters in the JSON body');
      assert.equal(r.query.toString(), '');
    }
    for (const r of f.server.requests) {
      if (r.method === 'GET') assert.equal(r.body.length, 0);
      if (r.body.length && r.headers['content-type'] === 'application/json') {
        const v = (JSON.parse(r.body.toString()) as { version?: unknown }).version;
        if (v !== undefined) assert.equal(typeof v, 'string', `${r.method} ${r.path} sent version ${String(v)}`);
      }
    }
  });

  it('archive and restore are a version tag (stages are deprecated) and history events', async () => {
    await f.registry.pushVersion({ filePath: f.model, model: 'churn' }, ctx);
    await f.registry.setVersionStatus('churn', 1, 'archived', ctx);
    const v = f.server.store.version('churn', 1);
    assert.equal(v.tags.get('mlops.status'), 'archived');
    assert.equal(v.stage, 'None');
    await f.registry.setVersionStatus('churn', 1, 'active', ctx);
    assert.deepEqual(
      (await f.registry.history('churn')).map((e) => [e.action, e.version]),
      [
        ['create-version', 1],
        ['archive', 1],
        ['restore', 1],
      ],
    );
  });

  it('keeps the newest events only (capped history), and rollback works within it', async () => {
    const capped = await MlflowRegistry.open(f.server.url, {
      ...FAST,
      historyLimit: 5,
      cacheDir: path.join(f.dir, 'c2'),
    });
    try {
      for (let i = 0; i < 3; i++) await capped.pushVersion({ filePath: f.model, model: 'churn' }, ctx);
      for (const v of [1, 2, 3, 1, 2]) await capped.promote('churn', 'production', v, ctx);
      const keys = [...f.server.store.model('churn').tags.keys()].filter((k) => k.startsWith('mlops.history.')).sort();
      assert.deepEqual(keys, [
        'mlops.history.000004',
        'mlops.history.000005',
        'mlops.history.000006',
        'mlops.history.000007',
        'mlops.history.000008',
      ]);
      assert.equal((await capped.rollback('churn', 'production', ctx)).toVersion, 1);
      assert.equal((await capped.history('churn')).length, 5);
    } finally {
      await capped.close();
    }
  });

  it('a rollback done by one client (the CLI) is seen by another (the extension)', async () => {
    const other = await MlflowRegistry.open(f.server.url, { ...FAST, cacheDir: path.join(f.dir, 'c3') });
    try {
      for (let i = 0; i < 3; i++) await f.registry.pushVersion({ filePath: f.model, model: 'churn' }, ctx);
      for (const v of [1, 2, 3]) await f.registry.promote('churn', 'production', v, ctx);
      await other.rollback('churn', 'production', { actor: 'bob', reason: 'p99' });
      assert.equal((await f.registry.getVersionByAlias('churn', 'production')).version, 2);
      const r = await f.registry.rollback('churn', 'production', ctx);
      assert.deepEqual([r.fromVersion, r.toVersion], [2, 1]);
      const last = (await other.history('churn', { alias: 'production' })).slice(-2);
      assert.deepEqual(
        last.map((e) => [e.action, e.actor, e.fromVersion, e.toVersion]),
        [
          ['rollback', 'bob', 3, 2],
          ['rollback', 'alice', 2, 1],
        ],
      );
    } finally {
      await other.close();
    }
  });

  it("lists versions with their aliases although MLflow's version search leaves them out", async () => {
    await f.registry.pushVersion({ filePath: f.model, model: 'churn', alias: 'production' }, ctx);
    const search = (await fetch(`${f.server.url}/api/2.0/mlflow/model-versions/search?filter=name%3D%27churn%27`).then(
      (r) => r.json(),
    )) as { model_versions: { aliases?: unknown }[] };
    assert.equal(search.model_versions[0].aliases, undefined);
    assert.deepEqual((await f.registry.listVersions('churn')).items[0].aliases, ['production']);
  });

  it('reads versions other MLflow clients registered, and refuses to pull what it cannot verify', async () => {
    f.server.store.createModel('legacy', '', []);
    const v = f.server.store.createVersion('legacy', 'runs:/abc/model', 'abc', '', []);
    v.stage = 'Archived';
    f.server.store.createVersion('legacy', 'mlflow-artifacts:/0/def/artifacts/model', 'def', '', []);
    f.server.store.createVersion('legacy', 's3://bucket/models/churn', '', '', [{ key: 'team', value: 'risk' }]);
    const all = (await f.registry.listVersions('legacy', { includeArchived: true })).items;
    // Size, sha256 and author were never recorded: unknown (null), not "0 B" or "".
    assert.deepEqual(
      all.map((x) => [x.version, x.status, x.artifact.sha256, x.artifact.size, x.createdBy, x.runId, x.tags]),
      [
        [3, 'active', null, null, null, null, { team: 'risk' }],
        [2, 'active', null, null, null, 'def', {}],
        [1, 'archived', null, null, null, 'abc', {}],
      ],
    );
    // A user MLflow recorded is the author.
    f.server.store.version('legacy', 2).userId = 'bob';
    assert.equal((await f.registry.getVersion('legacy', 2)).createdBy, 'bob');
    await rejectsWith(
      f.registry.pullArtifact('legacy', 2, path.join(f.dir, 'x.onnx')),
      'INVALID_STATE',
      /not registered by MLOps Studio/,
    );
    assert.equal(existsSync(path.join(f.dir, 'x.onnx')), false);
  });

  it('models named with / and : (MLflow 2.17 accepts them): push, list, promote, resolve, pull, history, delete', async () => {
    f.server.store.createModel('team:churn', '', []); // made by another client
    const v = await f.registry.pushVersion({ filePath: f.model, model: 'team/churn', alias: 'staging' }, ctx);
    assert.deepEqual([v.model, v.version, v.aliases], ['team/churn', 1, ['staging']]);
    assert.ok(f.server.store.models.has('team/churn'), 'the server holds the name as given');
    assert.deepEqual(
      (await f.registry.listModels()).items.map((m) => m.name),
      ['team/churn', 'team:churn'],
    );
    await f.registry.pushVersion({ filePath: f.model, model: 'team/churn' }, ctx);
    await f.registry.promote('team/churn', 'production', 2, ctx);
    assert.equal((await resolveModelRef(f.registry, 'models:/team/churn@production')).version, 2);
    assert.equal((await resolveModelRef(f.registry, 'models:/team/churn/1')).version, 1);
    const dest = path.join(f.dir, 'pulled.onnx');
    await f.registry.pullArtifact('team/churn', 2, dest);
    assert.deepEqual(readFileSync(dest), readFileSync(f.model));
    assert.deepEqual(
      (await f.registry.history('team/churn')).map((e) => e.action),
      ['create-version', 'promote', 'create-version', 'promote'],
    );
    // Over the wire the name is a query parameter or a JSON string: encoded, never a path segment.
    const gets = f.server.calls('registered-models/get', 'GET');
    assert.ok(gets.some((r) => r.query.get('name') === 'team/churn'));
    await f.registry.deleteModel('team/churn', ctx);
    assert.deepEqual(
      (await f.registry.listModels()).items.map((m) => m.name),
      ['team:churn'],
    );
  });

  it("says when an alias dangles (left by another client's delete), and never leaves one itself", async () => {
    await f.registry.pushVersion({ filePath: f.model, model: 'churn' }, ctx);
    await f.registry.pushVersion({ filePath: f.model, model: 'churn', alias: 'production' }, ctx);
    f.server.store.deleteVersion('churn', 2); // as MLflow's own client does: the alias stays
    await rejectsWith(
      f.registry.getVersionByAlias('churn', 'production'),
      'NOT_FOUND',
      /points at version 2, which no longer exists/,
    );
    await f.registry.promote('churn', 'staging', 1, ctx);
    await f.registry.deleteVersion('churn', 1, ctx);
    assert.deepEqual([...f.server.store.model('churn').aliases.keys()], ['production']);
  });

  it('pulls through a verified download cache: one download, re-fetched when the cached copy was damaged', async () => {
    await f.registry.pushVersion({ filePath: f.model, model: 'churn' }, ctx);
    const downloads = () =>
      f.server.requests.filter((r) => r.method === 'GET' && r.path.endsWith('/model.onnx')).length;
    const n0 = downloads();
    const p1 = await f.registry.localArtifactPath('churn', 1);
    await f.registry.pullArtifact('churn', 1, path.join(f.dir, 'a.onnx'));
    assert.equal(downloads() - n0, 1);
    writeFileSync(p1, 'damaged');
    await f.registry.pullArtifact('churn', 1, path.join(f.dir, 'b.onnx'));
    assert.equal(downloads() - n0, 2);
    assert.deepEqual(readFileSync(path.join(f.dir, 'b.onnx')), readFileSync(f.model));
  });

  it('refuses a file the server changed since the push, and writes nothing', async () => {
    await f.registry.pushVersion({ filePath: f.model, model: 'churn' }, ctx);
    const key = [...f.server.store.artifacts.keys()].find((k) => k.endsWith('model.onnx')) as string;
    f.server.store.artifacts.set(key, Buffer.from('tampered'));
    const dest = path.join(f.dir, 'pulled.onnx');
    await rejectsWith(f.registry.pullArtifact('churn', 1, dest), 'CORRUPT', /does not match its recorded sha256/);
    assert.equal(existsSync(dest), false);
  });

  it("handles a model name with a quote in MLflow's search filter", async () => {
    await f.registry.pushVersion({ filePath: f.model, model: "bob's model" }, ctx);
    assert.deepEqual(
      (await f.registry.listVersions("bob's model")).items.map((v) => v.version),
      [1],
    );
  });

  it('refuses our reserved tag prefix, and MLflow-illegal key lengths, before writing anything', async () => {
    await rejectsWith(
      f.registry.pushVersion({ filePath: f.model, model: 'churn', tags: { 'mlops.sha256': 'x' } }, ctx),
      'INVALID_ARGUMENT',
      /reserves/,
    );
    await rejectsWith(
      f.registry.pushVersion({ filePath: f.model, model: 'churn', metrics: { ['m'.repeat(245)]: 1 } }, ctx),
      'INVALID_ARGUMENT',
      /too long for MLflow/,
    );
    assert.equal(f.server.requests.filter((r) => r.method !== 'GET').length, 0);
  });

  it('uses MLFLOW_EXPERIMENT_ID for the run, and says when that experiment is missing or not proxied', async () => {
    f.server.store.experiments.set('7', 'mlflow-artifacts:/7');
    f.server.store.experiments.set('8', 's3://bucket/8');
    const open = (id: string) =>
      MlflowRegistry.open(f.server.url, {
        ...FAST,
        env: { MLFLOW_EXPERIMENT_ID: id },
        cacheDir: path.join(f.dir, `c${id}`),
      });
    const in7 = await open('7');
    const in8 = await open('8');
    const in9 = await open('9');
    try {
      await in7.pushVersion({ filePath: f.model, model: 'churn' }, ctx);
      assert.match(f.server.store.version('churn', 1).source, /^mlflow-artifacts:\/7\//);
      const before = [...f.server.store.versions.keys()];
      await rejectsWith(
        in8.pushVersion({ filePath: f.model, model: 'churn' }, ctx),
        'INVALID_STATE',
        /s3:\/\/bucket\/8.*does not proxy them/,
      );
      await rejectsWith(
        in9.pushVersion({ filePath: f.model, model: 'churn' }, ctx),
        'NOT_FOUND',
        /no experiment with id "9".*MLFLOW_EXPERIMENT_ID/,
      );
      assert.deepEqual([...f.server.store.versions.keys()], before);
      assert.deepEqual([...f.server.store.runs.values()].filter((r) => r.lifecycleStage === 'active').length, 1);
    } finally {
      for (const r of [in7, in8, in9]) await r.close();
    }
  });

  it('a read-only registry refuses changes before sending anything', async () => {
    const ro = await MlflowRegistry.open(f.server.url, { ...FAST, readOnly: true });
    try {
      await rejectsWith(ro.pushVersion({ filePath: f.model, model: 'churn' }, ctx), 'PERMISSION_DENIED', /read-only/);
      assert.equal(f.server.requests.length, 0);
    } finally {
      await ro.close();
    }
  });
});
