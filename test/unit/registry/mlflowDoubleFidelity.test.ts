import assert from 'node:assert/strict';
import { startMlflowDouble, type MlflowDouble } from '../../mlflowDouble/mlflowServerDouble';

/**
 * The MLflow test double must behave like the real servers described in shared/reference/mlflow-rest.md,
 * or the backend's tests prove nothing. Raw HTTP here, no client code of ours.
 */
describe('MLflow test double: faithful to the reference', () => {
  let s: MlflowDouble;
  const api = (p: string) => `${s.url}/api/2.0/mlflow/${p}`;
  const json = (method: string, p: string, body: unknown) =>
    fetch(api(p), { method, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  const get = (p: string) => fetch(api(p));

  beforeEach(async () => {
    s = await startMlflowDouble();
    await json('POST', 'registered-models/create', { name: 'churn' });
    const run = s.store.createRun('0', 'r', '', 0, []);
    await json('POST', 'model-versions/create', {
      name: 'churn',
      source: `mlflow-artifacts:/0/${run.runId}/artifacts/model`,
      run_id: run.runId,
    });
  });
  afterEach(async () => {
    await s.close();
  });

  it('/health and /version answer plain text', async () => {
    assert.equal(await (await fetch(`${s.url}/health`)).text(), 'OK');
    assert.equal(await (await fetch(`${s.url}/version`)).text(), '2.17.0');
  });

  it('version is a string; a JSON number is a 400', async () => {
    const ok = await json('POST', 'registered-models/alias', { name: 'churn', alias: 'prod', version: '1' });
    assert.equal(ok.status, 200);
    const bad = await json('POST', 'registered-models/alias', { name: 'churn', alias: 'prod', version: 1 });
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as { error_code: string }).error_code, 'INVALID_PARAMETER_VALUE');
    const v = (
      (await (await get('model-versions/get?name=churn&version=1')).json()) as { model_version: { version: unknown } }
    ).model_version;
    assert.equal(v.version, '1');
  });

  it('DELETE takes its parameters from a JSON body and ignores the query string', async () => {
    const byQuery = await fetch(api('registered-models/delete?name=churn'), { method: 'DELETE' });
    assert.equal(byQuery.status, 400);
    assert.ok(s.store.models.has('churn'));
    assert.equal((await json('DELETE', 'registered-models/delete', { name: 'churn' })).status, 200);
    assert.equal(s.store.models.has('churn'), false);
  });

  it('POST without Content-Type: application/json is a 400', async () => {
    const r = await fetch(api('registered-models/create'), {
      method: 'POST',
      body: JSON.stringify({ name: 'x' }),
      headers: { 'Content-Type': 'text/plain' },
    });
    assert.equal(r.status, 400);
  });

  it('an existing name is 400 RESOURCE_ALREADY_EXISTS, not 409', async () => {
    const r = await json('POST', 'registered-models/create', { name: 'churn' });
    assert.equal(r.status, 400);
    assert.equal(((await r.json()) as { error_code: string }).error_code, 'RESOURCE_ALREADY_EXISTS');
  });

  it('a missing model is 404 RESOURCE_DOES_NOT_EXIST; a missing alias is 400 INVALID_PARAMETER_VALUE', async () => {
    const m = await get('registered-models/get?name=nope');
    assert.equal(m.status, 404);
    assert.equal(((await m.json()) as { error_code: string }).error_code, 'RESOURCE_DOES_NOT_EXIST');
    const a = await get('registered-models/alias?name=churn&alias=prod');
    assert.equal(a.status, 400);
    assert.match(((await a.json()) as { message: string }).message, /Registered model alias prod not found\./);
  });

  it('version search results carry no aliases; the model and model-versions/get do', async () => {
    await json('POST', 'registered-models/alias', { name: 'churn', alias: 'prod', version: '1' });
    const search = (await (await get("model-versions/search?filter=name%3D'churn'")).json()) as {
      model_versions: Record<string, unknown>[];
    };
    assert.equal('aliases' in search.model_versions[0], false);
    const one = (await (await get('model-versions/get?name=churn&version=1')).json()) as {
      model_version: { aliases: string[] };
    };
    assert.deepEqual(one.model_version.aliases, ['prod']);
    const model = (await (await get('registered-models/get?name=churn')).json()) as {
      registered_model: { aliases: unknown };
    };
    assert.deepEqual(model.registered_model.aliases, [{ alias: 'prod', version: '1' }]);
  });

  it('deleting a version leaves its aliases dangling, and its number is never reused', async () => {
    await json('POST', 'registered-models/alias', { name: 'churn', alias: 'prod', version: '1' });
    await json('DELETE', 'model-versions/delete', { name: 'churn', version: '1' });
    const model = (await (await get('registered-models/get?name=churn')).json()) as {
      registered_model: { aliases: unknown };
    };
    assert.deepEqual(model.registered_model.aliases, [{ alias: 'prod', version: '1' }]);
    const v = (await (
      await json('POST', 'model-versions/create', { name: 'churn', source: 'mlflow-artifacts:/x' })
    ).json()) as { model_version: { version: string } };
    assert.equal(v.model_version.version, '2');
  });

  it('unset optional fields are left out as MLflow 2.17 does: no model description, no user_id or status_message', async () => {
    const m = (
      (await (await get('registered-models/get?name=churn')).json()) as { registered_model: Record<string, unknown> }
    ).registered_model;
    assert.deepEqual(Object.keys(m).sort(), [
      'creation_timestamp',
      'last_updated_timestamp',
      'latest_versions',
      'name',
    ]);
    const v = (
      (await (await get('model-versions/get?name=churn&version=1')).json()) as {
        model_version: Record<string, unknown>;
      }
    ).model_version;
    for (const absent of ['user_id', 'status_message', 'tags', 'aliases']) assert.equal(absent in v, false, absent);
    // A version's description and run_link are sent even when empty (the handler passes "" through).
    assert.deepEqual([v.description, v.run_link], ['', '']);
    // Once set, a model's description is there.
    await json('PATCH', 'registered-models/update', { name: 'churn', description: 'card churn' });
    const m2 = (
      (await (await get('registered-models/get?name=churn')).json()) as { registered_model: Record<string, unknown> }
    ).registered_model;
    assert.equal(m2.description, 'card churn');
  });

  it("moving or removing an alias leaves the model's last_updated_timestamp; a new version moves it", async () => {
    const stamp = async () =>
      (
        (await (await get('registered-models/get?name=churn')).json()) as {
          registered_model: { last_updated_timestamp: number };
        }
      ).registered_model.last_updated_timestamp;
    const t0 = await stamp();
    await json('POST', 'registered-models/alias', { name: 'churn', alias: 'prod', version: '1' });
    await json('DELETE', 'registered-models/alias', { name: 'churn', alias: 'prod' });
    assert.equal(await stamp(), t0);
    await json('POST', 'model-versions/create', { name: 'churn', source: 'mlflow-artifacts:/x' });
    assert.ok((await stamp()) > t0);
  });

  it('unknown routes and wrong methods answer Werkzeug HTML pages (404, 405)', async () => {
    const r404 = await get('registered-models/nope');
    assert.equal(r404.status, 404);
    assert.match(r404.headers.get('content-type') ?? '', /text\/html/);
    assert.match(await r404.text(), /<title>404 Not Found<\/title>/);
    const r405 = await fetch(api('registered-models/create'));
    assert.equal(r405.status, 405);
    assert.match(await r405.text(), /<title>405 Method Not Allowed<\/title>/);
  });

  it('page tokens are opaque; the last page has none; max_results is bounded', async () => {
    for (const n of ['a', 'b']) await json('POST', 'registered-models/create', { name: n });
    const p1 = (await (await get('registered-models/search?max_results=2')).json()) as {
      registered_models: unknown[];
      next_page_token?: string;
    };
    assert.equal(p1.registered_models.length, 2);
    assert.ok(p1.next_page_token);
    const p2 = (await (
      await get(`registered-models/search?max_results=2&page_token=${encodeURIComponent(p1.next_page_token)}`)
    ).json()) as { next_page_token?: string };
    assert.equal(p2.next_page_token, undefined);
    assert.equal((await get('registered-models/search?max_results=1001')).status, 400);
    assert.equal((await get('registered-models/search?page_token=%25%25')).status, 400);
  });

  it('with auth configured: text/html 401 with WWW-Authenticate, /health stays open', async () => {
    const a = await startMlflowDouble({ auth: { users: { u: 'p' } } });
    try {
      const r = await fetch(`${a.url}/api/2.0/mlflow/registered-models/search`);
      assert.equal(r.status, 401);
      assert.equal(r.headers.get('www-authenticate'), 'Basic realm="mlflow"');
      assert.match(r.headers.get('content-type') ?? '', /text\/html/);
      assert.match(await r.text(), /You are not authenticated/);
      assert.equal((await fetch(`${a.url}/health`)).status, 200);
    } finally {
      await a.close();
    }
  });

  it('refuses reserved and invalid alias names', async () => {
    for (const alias of ['latest', 'V3', 'a b'])
      assert.equal((await json('POST', 'registered-models/alias', { name: 'churn', alias, version: '1' })).status, 400);
  });

  it('accepts model names with / and : (200), as MLflow 2.17 does, and finds them by name', async () => {
    for (const name of ['team/churn', 'team:churn']) {
      const r = await json('POST', 'registered-models/create', { name });
      assert.equal(r.status, 200, name);
      assert.equal(((await r.json()) as { registered_model: { name: string } }).registered_model.name, name);
      const got = await get(`registered-models/get?name=${encodeURIComponent(name)}`);
      assert.equal(got.status, 200);
    }
  });
});
