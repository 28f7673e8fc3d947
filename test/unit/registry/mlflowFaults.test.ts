import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { isMlopsError } from '../../../src/core/errors';
import { MlflowRegistry } from '../../../src/core/registry/mlflow/mlflowRegistry';
import { MlflowTransport } from '../../../src/core/registry/mlflow/transport';
import { closedPort } from '../../mlflowDouble/mlflowServerDouble';
import { FAST, mlflowFixture, serverState, type Fixture } from '../../mlflowDouble/setup';
import { rejectsWith } from './contract';

const ctx = { actor: 'alice', reason: 'fault test' };
const SERVER = /MLflow at http:\/\/127\.0\.0\.1:\d+/;

/**
 * Every way an MLflow server or the network fails, over real HTTP against the test double: one clear
 * sentence naming the server and what to do, retries only where they are safe, and nothing left behind.
 */
describe('MLflow backend: faults', function () {
  this.timeout(20_000);
  let f: Fixture;
  beforeEach(async () => {
    f = await mlflowFixture();
  });
  afterEach(async () => {
    await f.cleanup();
  });

  const pushOne = () => f.registry.pushVersion({ filePath: f.model, model: 'churn' }, ctx);

  describe('answers that are not JSON', () => {
    it('401 text/html without credentials: asks for them, names the variables and the VS Code command, no retry', async () => {
      f.server.inject({ kind: 'unauthorized-text', path: 'registered-models/get' });
      await assert.rejects(f.registry.getModel('churn'), (e: unknown) => {
        assert.ok(isMlopsError(e, 'UNAUTHENTICATED'));
        assert.match(e.message, SERVER);
        assert.match(e.message, /requires credentials \(401\) and none were given\.$/);
        assert.match(
          e.hint ?? '',
          /MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD, or MLFLOW_TRACKING_TOKEN.*'MLOps: Connect to MLflow…'/,
        );
        assert.doesNotMatch(e.describe(), /You are not authenticated/, 'the HTML body is not echoed');
        return true;
      });
      assert.equal(f.server.calls('registered-models/get').length, 1, 'a 401 is not retried');
    });

    it('403 text/html on promote: says permission was denied for which call, and moves nothing', async () => {
      await pushOne();
      const before = serverState(f.server.store);
      f.server.inject({ kind: 'forbidden-text', path: 'registered-models/alias', method: 'POST' });
      await rejectsWith(
        f.registry.promote('churn', 'production', 1, ctx),
        'PERMISSION_DENIED',
        /denied permission for POST registered-models\/alias \(403\)/,
      );
      assert.deepEqual(serverState(f.server.store), before);
    });

    it("404 HTML page (the URI is not the server's base URL): says so instead of failing to parse", async () => {
      const wrong = await MlflowRegistry.open(`${f.server.url}/mlflow`, FAST);
      try {
        await rejectsWith(
          wrong.listModels(),
          'REMOTE',
          /has no such endpoint \(404 for GET registered-models\/search\).*base URL/,
        );
      } finally {
        await wrong.close();
      }
    });

    it('405 HTML page (a method the route does not take)', async () => {
      const t = new MlflowTransport({
        url: f.server.url,
        credentials: { kind: 'none' },
        tls: {},
        timeoutMs: 2000,
        retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
      });
      try {
        await rejectsWith(
          t.api('GET', 'registered-models/create', { name: 'x' }),
          'REMOTE',
          /does not accept this method there \(405/,
        );
      } finally {
        t.close();
      }
    });

    it('malformed JSON with status 200: says the body is not JSON and where to look', async () => {
      f.server.inject({ kind: 'malformed-json', path: 'registered-models/get' });
      await rejectsWith(
        f.registry.getModel('churn'),
        'REMOTE',
        /answered GET registered-models\/get with a body that is not valid JSON.*not at a login page or a proxy/,
      );
    });
  });

  describe('retries', () => {
    it('429 then success: an idempotent call is retried with backoff and succeeds', async () => {
      await pushOne();
      const n = f.server.calls('registered-models/get').length;
      f.server.inject({ kind: 'status', status: 429, path: 'registered-models/get', times: 2, retryAfter: '0' });
      const m = await f.registry.getModel('churn');
      assert.equal(m.latestVersion, 1);
      assert.equal(f.server.calls('registered-models/get').length - n, 3, 'two 429s, then the answer');
      assert.equal(f.logs.filter((l) => /retrying in \d+ ms \(attempt [23] of 4\)/.test(l.message)).length, 2);
    });

    it('429 that does not stop: gives up after the configured attempts with a clear sentence', async () => {
      f.server.inject({ kind: 'status', status: 429, path: 'registered-models/search', times: 10 });
      await rejectsWith(
        f.registry.listModels(),
        'UNAVAILABLE',
        /is limiting requests \(429\) and refused GET registered-models\/search after 4 attempts/,
      );
      assert.equal(f.server.calls('registered-models/search').length, 4);
    });

    it('502, 503 and 504 on reads are retried', async () => {
      for (const status of [502, 503, 504])
        f.server.inject({ kind: 'status', status, path: 'registered-models/search' });
      assert.deepEqual((await f.registry.listModels()).items, []);
      assert.equal(f.server.calls('registered-models/search').length, 4);
    });

    it('a connection reset on a read is retried', async () => {
      f.server.inject({ kind: 'reset', path: 'registered-models/search' });
      assert.deepEqual((await f.registry.listModels()).items, []);
      assert.equal(f.server.calls('registered-models/search').length, 2);
    });

    it('a 503 on runs/create (not idempotent) is not retried, and nothing is created', async () => {
      const before = serverState(f.server.store);
      f.server.inject({ kind: 'status', status: 503, path: 'runs/create' });
      await rejectsWith(pushOne(), 'UNAVAILABLE', /is unavailable \(503\) for POST runs\/create/);
      assert.equal(f.server.calls('runs/create').length, 1);
      assert.deepEqual(serverState(f.server.store), before);
    });
  });

  describe('network', () => {
    it('a server that never answers: times out with the limit in the sentence, without retrying', async () => {
      const slow = await MlflowRegistry.open(f.server.url, { ...FAST, timeoutMs: 300 });
      try {
        f.server.inject({ kind: 'hang', path: 'registered-models/get' });
        const t0 = Date.now();
        await rejectsWith(
          slow.getModel('churn'),
          'UNAVAILABLE',
          /did not answer GET registered-models\/get within 300 ms/,
        );
        assert.ok(Date.now() - t0 < 2_000, 'gave up near the timeout');
        assert.equal(f.server.calls('registered-models/get').length, 1);
      } finally {
        await slow.close();
      }
    });

    it('a download that never answers: pull times out and writes nothing', async () => {
      await pushOne();
      const slow = await MlflowRegistry.open(f.server.url, {
        ...FAST,
        timeoutMs: 300,
        cacheDir: `${f.dir}/slow-cache`,
      });
      try {
        f.server.inject({ kind: 'hang', method: 'GET', path: 'model.onnx' });
        const dest = `${f.dir}/pulled.onnx`;
        await rejectsWith(
          slow.pullArtifact('churn', 1, dest),
          'UNAVAILABLE',
          /did not answer download of .*model\.onnx within 300 ms/,
        );
        assert.equal(existsSync(dest), false);
        assert.deepEqual(readdirSync(`${f.dir}/slow-cache`), [], 'no partial file in the cache');
      } finally {
        await slow.close();
      }
    });

    it('connection refused: says the server cannot be reached and how to fix the URI', async () => {
      const port = await closedPort();
      const r = await MlflowRegistry.open(`http://127.0.0.1:${port}`, FAST);
      try {
        await rejectsWith(
          r.listModels(),
          'UNAVAILABLE',
          new RegExp(
            `Cannot connect to MLflow at http://127\\.0\\.0\\.1:${port}: connection refused\\..*MLFLOW_TRACKING_URI`,
          ),
        );
      } finally {
        await r.close();
      }
    });
  });

  describe('a failed push leaves nothing behind', () => {
    it('500 on model-versions/create: no retry; the run is FAILED and deleted, the files and the new model are gone', async () => {
      f.server.inject({ kind: 'status', status: 500, path: 'model-versions/create' });
      const before = serverState(f.server.store);
      await rejectsWith(
        pushOne(),
        'REMOTE',
        /failed with an internal error \(500\) during POST model-versions\/create: injected 500/,
      );
      assert.equal(f.server.calls('model-versions/create').length, 1);
      assert.deepEqual(serverState(f.server.store), before);
      const runs = [...f.server.store.runs.values()];
      assert.deepEqual(
        runs.map((r) => [r.status, r.lifecycleStage]),
        [['FAILED', 'deleted']],
      );
    });

    it('the answer to model-versions/create is lost (connection dropped after registering): the version is found by run id and removed', async () => {
      await pushOne();
      const before = serverState(f.server.store);
      f.server.inject({ kind: 'reset-after', path: 'model-versions/create' });
      await rejectsWith(
        pushOne(),
        'UNAVAILABLE',
        /connection to MLflow at .* was dropped during POST model-versions\/create/,
      );
      assert.deepEqual(serverState(f.server.store), before);
      assert.equal(
        f.server.store.models.get('churn')?.lastVersion,
        2,
        'MLflow burnt number 2 (numbers are never reused)',
      );
      assert.equal((await f.registry.pushVersion({ filePath: f.model, model: 'churn' }, ctx)).version, 3);
    });

    it('an upload the server stores differently: CORRUPT, nothing registered', async () => {
      f.server.inject({ kind: 'corrupt-upload', method: 'PUT', path: 'model.onnx' });
      const before = serverState(f.server.store);
      await rejectsWith(pushOne(), 'CORRUPT', /uploaded to MLflow at .* came back different/);
      assert.deepEqual(serverState(f.server.store), before);
      assert.equal(f.server.calls('model-versions/create').length, 0);
    });

    it('a refused alias at push time (--alias): the registered version and the model are removed again', async () => {
      f.server.inject({ kind: 'forbidden-text', method: 'POST', path: 'registered-models/alias' });
      const before = serverState(f.server.store);
      await rejectsWith(
        f.registry.pushVersion({ filePath: f.model, model: 'churn', alias: 'production' }, ctx),
        'PERMISSION_DENIED',
        /403/,
      );
      assert.deepEqual(serverState(f.server.store), before);
    });

    it('an upload that hangs: times out, and the run is cleaned up', async () => {
      const slow = await MlflowRegistry.open(f.server.url, { ...FAST, timeoutMs: 300 });
      try {
        f.server.inject({ kind: 'hang', method: 'PUT' });
        const before = serverState(f.server.store);
        await rejectsWith(
          slow.pushVersion({ filePath: f.model, model: 'churn' }, ctx),
          'UNAVAILABLE',
          /did not answer upload of .*model\.onnx within 300 ms/,
        );
        assert.deepEqual(serverState(f.server.store), before);
      } finally {
        await slow.close();
      }
    });

    it('cancelled mid-upload: CANCELLED, and the run is cleaned up', async () => {
      f.server.inject({ kind: 'hang', method: 'PUT' });
      const before = serverState(f.server.store);
      const ac = new AbortController();
      setTimeout(() => ac.abort(), 100);
      await rejectsWith(
        f.registry.pushVersion({ filePath: f.model, model: 'churn' }, ctx, { signal: ac.signal }),
        'CANCELLED',
        /cancelled/,
      );
      assert.deepEqual(serverState(f.server.store), before);
    });

    it('when cleaning up fails too, the error says what remains on the server', async () => {
      f.server.inject({ kind: 'status', status: 500, path: 'model-versions/create' });
      f.server.inject({ kind: 'status', status: 500, path: 'runs/delete', times: 10 });
      await assert.rejects(pushOne(), (e: unknown) => {
        assert.ok(isMlopsError(e, 'REMOTE'));
        assert.match(
          e.hint ?? '',
          /Cleaning up failed, so this remains on the server: run [0-9a-f]{32} \(failed push\)\./,
        );
        return true;
      });
      assert.deepEqual(
        [...f.server.store.runs.values()].map((r) => r.status),
        ['FAILED'],
        'marked FAILED even though it could not be deleted',
      );
    });
  });

  describe('a push that succeeded is reported as such', () => {
    // The server goes away right after the push's last write (the version created, its tags written, the
    // alias moved and the history recorded): only the final read-back fails.
    const goneAfterLastWrite = (kind: 'reset' | 'status', times: number) =>
      f.server.inject({
        kind,
        status: 503,
        method: 'GET',
        times,
        after: { method: 'POST', path: 'registered-models/set-tag' },
      });

    it("the server comes back during the read-back: the read is retried beyond one request's attempts", async () => {
      goneAfterLastWrite('status', 10); // more than the 4 attempts each of the read's two requests makes
      const v = await f.registry.pushVersion({ filePath: f.model, model: 'churn', alias: 'production' }, ctx);
      assert.deepEqual([v.version, v.aliases], [1, ['production']]);
      assert.equal(f.server.faults.pending, 0, 'every 503 was met');
      assert.ok(f.logs.some((l) => /reading back version 1 failed; retrying/.test(l.message)));
      assert.equal(
        f.logs.some((l) => /did not answer the read-back/.test(l.message)),
        false,
      );
    });

    it('the server stays away: the push reports the version it registered, and nothing is undone', async () => {
      goneAfterLastWrite('reset', 1000);
      const v = await f.registry.pushVersion(
        { filePath: f.model, model: 'churn', alias: 'production', metrics: { auc: 0.9 } },
        ctx,
      );
      assert.deepEqual(
        [v.model, v.version, v.aliases, v.status, v.metrics, v.createdBy, v.artifact.size],
        ['churn', 1, ['production'], 'active', { auc: 0.9 }, 'alice', readFileSync(f.model).length],
      );
      assert.match(v.artifact.sha256 ?? '', /^[0-9a-f]{64}$/);
      assert.ok(f.logs.some((l) => /registered, but .* did not answer the read-back/.test(l.message)));
      const s = f.server.store;
      assert.deepEqual([s.versionsOf('churn').length, s.model('churn').aliases.get('production')], [1, 1]);
      assert.equal([...s.runs.values()][0].status, 'FINISHED');
    });

    it('a CI job retrying its push with the same idempotency key gets the same version, not a duplicate', async () => {
      const input = { filePath: f.model, model: 'churn', alias: 'production', idempotencyKey: 'gh:org/repo:123' };
      const v1 = await f.registry.pushVersion(input, ctx);
      const tags = Object.fromEntries(f.server.store.version('churn', 1).tags);
      assert.match(tags['mlops.push_key'], /^[0-9a-f]{64}$/, 'the key is kept as a tag, hashed with the file');
      const runs = f.server.store.runs.size;
      const v1again = await f.registry.pushVersion(input, ctx);
      assert.deepEqual([v1again.version, v1again.createdAt], [v1.version, v1.createdAt]);
      assert.equal(f.server.store.runs.size, runs, 'no run, no upload for the retry');
      assert.equal(f.server.calls('model-versions/create').length, 1);
      // The filter MLflow 2.x understands: tags.`key` = 'value', scoped to the model.
      const search = f.server.calls('model-versions/search', 'GET').map((r) => r.query.get('filter'));
      assert.ok(search.includes(`name = 'churn' AND tags.\`mlops.push_key\` = '${tags['mlops.push_key']}'`));
    });

    it('a retry after an attempt that died before moving the alias moves it, once', async () => {
      // The first attempt registered the version and then its process died: no alias, no promotion.
      await f.registry.pushVersion({ filePath: f.model, model: 'churn', idempotencyKey: 'k' }, ctx);
      const v = await f.registry.pushVersion(
        { filePath: f.model, model: 'churn', idempotencyKey: 'k', alias: 'production' },
        ctx,
      );
      assert.deepEqual([v.version, v.aliases], [1, ['production']]);
      assert.deepEqual(
        (await f.registry.history('churn')).map((e) => [e.action, e.alias, e.toVersion]),
        [
          ['create-version', null, null],
          ['promote', 'production', 1],
        ],
      );
    });
  });

  describe('other changes are all or nothing', () => {
    it('a refused version delete puts the removed aliases back and drops the history written for it', async () => {
      await pushOne();
      await f.registry.promote('churn', 'production', 1, ctx);
      const before = serverState(f.server.store);
      f.server.inject({ kind: 'forbidden-text', path: 'model-versions/delete' });
      await rejectsWith(f.registry.deleteVersion('churn', 1, ctx), 'PERMISSION_DENIED', /model-versions\/delete/);
      assert.deepEqual(serverState(f.server.store), before);
      assert.equal((await f.registry.getVersionByAlias('churn', 'production')).version, 1);
    });

    it('a history tag that cannot be written undoes the alias move', async () => {
      await pushOne();
      await f.registry.pushVersion({ filePath: f.model, model: 'churn' }, ctx);
      await f.registry.promote('churn', 'production', 1, ctx);
      const before = serverState(f.server.store);
      f.server.inject({ kind: 'status', status: 500, path: 'registered-models/set-tag', times: 4 });
      await rejectsWith(f.registry.promote('churn', 'production', 2, ctx), 'REMOTE', /set-tag/);
      assert.deepEqual(serverState(f.server.store), before);
    });
  });
});
