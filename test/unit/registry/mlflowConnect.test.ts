import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { isMlopsError } from '../../../src/core/errors';
import {
  checkMlflowConnection,
  credentialsFromEnv,
  MlflowRegistry,
  tlsFromEnv,
} from '../../../src/core/registry/mlflow';
import { openRegistry, parseRegistryUri } from '../../../src/core/registry/open';
import { startMlflowDouble, type MlflowDouble } from '../../mlflowDouble/mlflowServerDouble';
import { FAST } from '../../mlflowDouble/setup';
import { rejectsWith } from './contract';

const TLS_DIR = path.resolve(__dirname, '..', '..', '..', '..', 'test', 'mlflowDouble', 'tls');
const CERT = path.join(TLS_DIR, 'cert.pem');

/** Credentials as MLflow's client reads them, secrets kept out of messages, TLS, and the connection check. */
describe('MLflow backend: connecting', function () {
  this.timeout(20_000);
  let server: MlflowDouble;
  const opened: MlflowRegistry[] = [];
  const open = async (url: string, env: NodeJS.ProcessEnv = {}) => {
    const r = await MlflowRegistry.open(url, { ...FAST, env });
    opened.push(r);
    return r;
  };
  beforeEach(async () => {
    server = await startMlflowDouble({
      auth: {
        users: { alice: 'hunter2-secret' },
        tokens: ['tok-abcdef123456'],
        deny: (who, method) => who === 'alice' && method === 'DELETE',
      },
    });
  });
  afterEach(async () => {
    for (const r of opened.splice(0)) await r.close();
    await server.close();
  });

  it("reads MLflow's variables: username + password -> Basic, else token -> Bearer, else nothing", () => {
    assert.deepEqual(
      credentialsFromEnv({ MLFLOW_TRACKING_USERNAME: 'u', MLFLOW_TRACKING_PASSWORD: 'p', MLFLOW_TRACKING_TOKEN: 't' }),
      { kind: 'basic', username: 'u', password: 'p' },
    );
    assert.deepEqual(credentialsFromEnv({ MLFLOW_TRACKING_USERNAME: 'u', MLFLOW_TRACKING_TOKEN: 't' }), {
      kind: 'bearer',
      token: 't',
    });
    assert.deepEqual(credentialsFromEnv({}), { kind: 'none' });
    assert.deepEqual(tlsFromEnv({ MLFLOW_TRACKING_INSECURE_TLS: 'true' }), { insecure: true, caCertPath: undefined });
    assert.throws(
      () => tlsFromEnv({ MLFLOW_TRACKING_INSECURE_TLS: 'true', MLFLOW_TRACKING_SERVER_CERT_PATH: '/x.pem' }),
      /contradict/,
    );
  });

  it('sends Basic credentials from MLFLOW_TRACKING_USERNAME/PASSWORD and Bearer from MLFLOW_TRACKING_TOKEN', async () => {
    const basic = await open(server.url, {
      MLFLOW_TRACKING_USERNAME: 'alice',
      MLFLOW_TRACKING_PASSWORD: 'hunter2-secret',
    });
    assert.deepEqual((await basic.listModels()).items, []);
    assert.equal(
      server.requests.at(-1)?.headers.authorization,
      `Basic ${Buffer.from('alice:hunter2-secret').toString('base64')}`,
    );
    const bearer = await open(server.url, { MLFLOW_TRACKING_TOKEN: 'tok-abcdef123456' });
    assert.deepEqual((await bearer.listModels()).items, []);
    assert.equal(server.requests.at(-1)?.headers.authorization, 'Bearer tok-abcdef123456');
  });

  it('wrong credentials: "rejected the credentials (401)", and the password appears nowhere', async () => {
    const r = await open(server.url, { MLFLOW_TRACKING_USERNAME: 'alice', MLFLOW_TRACKING_PASSWORD: 'wrong-pass-77' });
    await assert.rejects(r.listModels(), (e: unknown) => {
      assert.ok(isMlopsError(e, 'UNAUTHENTICATED'));
      assert.match(e.message, /^MLflow at http:\/\/127\.0\.0\.1:\d+ rejected the credentials \(401\)\.$/);
      assert.doesNotMatch(`${e.describe()} ${e.stack ?? ''}`, /wrong-pass-77|hunter2/);
      return true;
    });
  });

  it('403 from the auth app (permission per user) says so', async () => {
    const r = await open(server.url, { MLFLOW_TRACKING_USERNAME: 'alice', MLFLOW_TRACKING_PASSWORD: 'hunter2-secret' });
    await rejectsWith(r.deleteModel('churn', { actor: 'alice' }), 'NOT_FOUND'); // GET first: allowed
    server.store.createModel('churn', '', []);
    await rejectsWith(
      r.deleteModel('churn', { actor: 'alice' }),
      'PERMISSION_DENIED',
      /denied permission for DELETE registered-models\/delete \(403\)/,
    );
    assert.ok(server.store.models.has('churn'));
  });

  it('user:password in the URI logs in but never shows: not in the location, not in messages', async () => {
    const url = server.url.replace('http://', 'http://alice:hunter2-secret@');
    assert.equal(parseRegistryUri(url).kind, 'mlflow');
    assert.doesNotMatch(JSON.stringify(parseRegistryUri(url)), /hunter2/);
    const r = await openRegistry(url, { env: {} });
    try {
      assert.equal(r.kind, 'mlflow');
      assert.equal(r.location, server.url);
      assert.deepEqual((await r.listModels()).items, []);
      await assert.rejects(
        r.getModel('nope'),
        (e: unknown) => isMlopsError(e, 'NOT_FOUND') && !/hunter2/.test(e.describe()),
      );
    } finally {
      await r.close();
    }
  });

  it("openRegistry takes credentials from the caller (the extension's SecretStorage) over the environment", async () => {
    const r = await openRegistry(server.url, {
      env: { MLFLOW_TRACKING_TOKEN: 'stale' },
      credentials: { kind: 'bearer', token: 'tok-abcdef123456' },
      mlflow: { timeoutMs: 2000 },
    });
    try {
      assert.deepEqual((await r.listModels()).items, []);
    } finally {
      await r.close();
    }
  });

  it('checkMlflowConnection: /health, /version and a registry read; the server version comes back', async () => {
    const info = await checkMlflowConnection(server.url, {
      kind: 'basic',
      username: 'alice',
      password: 'hunter2-secret',
    });
    assert.deepEqual(info, { url: server.url, serverVersion: '2.17.0' });
    await rejectsWith(
      checkMlflowConnection(server.url, { kind: 'none' }),
      'UNAUTHENTICATED',
      /requires credentials \(401\)/,
    );
    await rejectsWith(checkMlflowConnection('ftp://example.com'), 'INVALID_ARGUMENT', /not an http\(s\) URL/);
  });

  it('an open registry tells its server version (for the root of the Models tree)', async () => {
    const r = await open(server.url, { MLFLOW_TRACKING_TOKEN: 'tok-abcdef123456' });
    assert.equal(await r.serverVersion(), '2.17.0');
    assert.equal(await r.serverVersion(), '2.17.0');
    assert.equal(server.calls('/version').length, 1, 'asked once');
  });

  it('checkMlflowConnection warns about servers older than 2.9 and refuses what is not MLflow', async () => {
    const old = await startMlflowDouble({ version: '2.8.1' });
    const other = http.createServer((_req, res) => {
      res.writeHead(404, { 'Content-Type': 'text/html' });
      res.end('<h1>nginx</h1>');
    });
    await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
    try {
      assert.match((await checkMlflowConnection(old.url)).warning ?? '', /2\.8\.1 is older than 2\.9/);
      const port = (other.address() as AddressInfo).port;
      await rejectsWith(
        checkMlflowConnection(`http://127.0.0.1:${port}`),
        'REMOTE',
        /has no such endpoint \(404 for GET \/health\)/,
      );
    } finally {
      await old.close();
      await new Promise<void>((r) => other.close(() => r()));
    }
  });

  describe('TLS', () => {
    let tls: MlflowDouble;
    beforeEach(async () => {
      tls = await startMlflowDouble({
        tls: { key: readFileSync(path.join(TLS_DIR, 'key.pem')), cert: readFileSync(CERT) },
      });
    });
    afterEach(async () => {
      await tls.close();
    });

    it('an untrusted certificate: says how to trust it (MLFLOW_TRACKING_SERVER_CERT_PATH) or skip checks', async () => {
      const r = await open(tls.url);
      await rejectsWith(
        r.listModels(),
        'UNAVAILABLE',
        /Cannot make a trusted TLS connection to MLflow at https:\/\/127\.0\.0\.1:\d+.*MLFLOW_TRACKING_SERVER_CERT_PATH.*MLFLOW_TRACKING_INSECURE_TLS/,
      );
    });

    it('MLFLOW_TRACKING_SERVER_CERT_PATH trusts the given CA; MLFLOW_TRACKING_INSECURE_TLS=true skips verification', async () => {
      assert.deepEqual(
        (await (await open(tls.url, { MLFLOW_TRACKING_SERVER_CERT_PATH: CERT })).listModels()).items,
        [],
      );
      assert.deepEqual((await (await open(tls.url, { MLFLOW_TRACKING_INSECURE_TLS: 'true' })).listModels()).items, []);
      await assert.rejects(
        open(tls.url, { MLFLOW_TRACKING_SERVER_CERT_PATH: '/nonexistent/ca.pem' }),
        /ca\.pem \(MLFLOW_TRACKING_SERVER_CERT_PATH\) does not exist/,
      );
    });
  });
});
