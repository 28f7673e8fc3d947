import assert from 'node:assert/strict';
import { artifactPathOf } from '../../../src/core/registry/mlflow/artifacts';
import {
  decodeEvents,
  encodeEvent,
  historyKey,
  keysBeyondLimit,
  nextEventId,
} from '../../../src/core/registry/mlflow/auditTags';
import { redact } from '../../../src/core/registry/mlflow/credentials';
import { toModel, toVersion } from '../../../src/core/registry/mlflow/convert';
import { normalizeMlflowUrl, resolveOptions } from '../../../src/core/registry/mlflow/options';
import { cleanServerText, httpFailure } from '../../../src/core/registry/mlflow/remoteErrors';
import { backoffDelay, isRetryableNetworkError } from '../../../src/core/registry/mlflow/retry';
import { getLong, MAX_TAG_VALUE, putLong } from '../../../src/core/registry/mlflow/tags';
import { filterLiteral } from '../../../src/core/registry/mlflow/wire';
import { aModelVersion, aRegisteredModel } from '../../mlflowDouble/builders';

/** The MLflow backend's pure parts, fed MLflow-shaped responses built by hand. */
describe('MLflow backend: pure parts', () => {
  it('backs off with full jitter below a doubling ceiling, honouring Retry-After up to the cap', () => {
    const p = { attempts: 5, baseDelayMs: 100, maxDelayMs: 1000 };
    assert.equal(
      backoffDelay(1, p, undefined, () => 1),
      100,
    );
    assert.equal(
      backoffDelay(3, p, undefined, () => 1),
      400,
    );
    assert.equal(
      backoffDelay(9, p, undefined, () => 1),
      1000,
    );
    assert.equal(
      backoffDelay(2, p, undefined, () => 0),
      0,
    );
    assert.equal(
      backoffDelay(1, p, '2', () => 0),
      1000,
      'Retry-After: 2 s, capped at 1 s',
    );
    assert.equal(
      backoffDelay(1, p, '0', () => 0.5),
      50,
    );
    assert.ok(isRetryableNetworkError(Object.assign(new Error('x'), { code: 'ECONNRESET' })));
    assert.ok(!isRetryableNetworkError(Object.assign(new Error('x'), { code: 'ECONNREFUSED' })));
  });

  it('reads MLflow JSON with its quirks: string versions, absent or "" optionals, omitted lists', () => {
    const v = toVersion(aModelVersion({ version: '3', run_id: '', tags: undefined }), { production: 3, staging: 1 });
    assert.equal(v.version, 3);
    assert.deepEqual(v.aliases, ['production']);
    assert.deepEqual([v.runId, v.description, v.createdBy, v.signature, v.parentVersion], [null, '', null, null, null]);
    assert.deepEqual([v.artifact.sha256, v.artifact.size], [null, null], 'unknown, not "" and 0');
    assert.deepEqual(v.tags, {});
    // Every optional field absent at once (MLflow 2.17 leaves unset ones out): still a version.
    const bare = toVersion({ name: 'churn', version: '1' }, {});
    assert.deepEqual(
      [bare.description, bare.createdBy, bare.artifact.source, bare.runId, bare.status, bare.createdAt],
      ['', null, '', null, 'active', 0],
    );
    const bareModel = toModel({ name: 'team/churn' });
    assert.deepEqual(
      [bareModel.name, bareModel.description, bareModel.tags, bareModel.aliases, bareModel.latestVersion],
      ['team/churn', '', {}, {}, null],
    );
    // Recorded facts are read back; a damaged size or sha256 tag is unknown rather than a wrong number.
    const ours = toVersion(
      aModelVersion({
        user_id: 'bob',
        tags: [
          { key: 'mlops.sha256', value: 'a'.repeat(64) },
          { key: 'mlops.size', value: '1234' },
          { key: 'mlops.created_by', value: 'alice' },
        ],
      }),
      {},
    );
    assert.deepEqual([ours.artifact.sha256, ours.artifact.size, ours.createdBy], ['a'.repeat(64), 1234, 'alice']);
    const damaged = toVersion(
      aModelVersion({
        tags: [
          { key: 'mlops.sha256', value: 'nothex' },
          { key: 'mlops.size', value: '-3' },
        ],
      }),
      {},
    );
    assert.deepEqual([damaged.artifact.sha256, damaged.artifact.size], [null, null]);
    assert.equal(
      toVersion(aModelVersion({ current_stage: 'Archived' }), {}).status,
      'archived',
      'an MLflow stage archive counts',
    );
    assert.equal(
      toVersion(aModelVersion({ current_stage: 'Archived', tags: [{ key: 'mlops.status', value: 'active' }] }), {})
        .status,
      'active',
      'our tag wins',
    );
    const m = toModel(
      aRegisteredModel({
        aliases: [
          { alias: 'b', version: '2' },
          { alias: 'a', version: '1' },
        ],
        latest_versions: [aModelVersion({ version: '2' })],
      }),
    );
    assert.deepEqual([m.aliases, m.latestVersion, m.tags], [{ a: 1, b: 2 }, 2, {}]);
    assert.equal(toModel(aRegisteredModel()).latestVersion, null);
  });

  it('the latest version number remembers deleted versions through the history', () => {
    const tags = [
      {
        key: historyKey(1),
        value: encodeEvent({
          time: 0,
          actor: 'a',
          action: 'create-version',
          alias: null,
          fromVersion: null,
          toVersion: null,
          version: 5,
          reason: null,
        }),
      },
    ];
    assert.equal(
      toModel(aRegisteredModel({ tags, latest_versions: [aModelVersion({ version: '4' })] })).latestVersion,
      5,
    );
  });

  it('history tags: readable JSON, ordered by id, damaged ones set aside, capped', () => {
    const e = {
      time: Date.UTC(2025, 4, 1, 10),
      actor: 'alice',
      action: 'promote' as const,
      alias: 'production',
      fromVersion: 1,
      toVersion: 2,
      version: null,
      reason: 'better auc',
    };
    assert.equal(
      encodeEvent(e),
      '{"action":"promote","alias":"production","from":1,"to":2,"actor":"alice","time":"2025-05-01T10:00:00.000Z","reason":"better auc"}',
    );
    const tags = {
      [historyKey(10)]: encodeEvent(e),
      [historyKey(2)]: encodeEvent({ ...e, action: 'rollback' }),
      [historyKey(3)]: '{oops',
      owner: 'x',
    };
    const { events, unreadable } = decodeEvents('churn', tags);
    assert.deepEqual(
      events.map((x) => [x.id, x.action, x.model]),
      [
        [2, 'rollback', 'churn'],
        [10, 'promote', 'churn'],
      ],
    );
    assert.deepEqual(unreadable, ['mlops.history.000003']);
    assert.equal(nextEventId(tags), 11);
    assert.deepEqual(keysBeyondLimit(tags, 3, 1), ['mlops.history.000002']);
    assert.deepEqual(keysBeyondLimit(tags, 10, 1), []);
  });

  it("splits values longer than MLflow's 5000-character limit over .partN tags", () => {
    const long = 'x'.repeat(MAX_TAG_VALUE * 2 + 10);
    const t: Record<string, string> = {};
    putLong(t, 'mlops.signature', long);
    assert.deepEqual(Object.keys(t), ['mlops.signature', 'mlops.signature.part2', 'mlops.signature.part3']);
    assert.ok(Object.values(t).every((v) => v.length <= MAX_TAG_VALUE));
    assert.equal(getLong(t, 'mlops.signature'), long);
  });

  it('maps mlflow-artifacts: URIs to proxy paths, and quotes filter literals', () => {
    assert.equal(artifactPathOf('mlflow-artifacts:/0/abc/artifacts/model'), '0/abc/artifacts/model');
    assert.equal(artifactPathOf('mlflow-artifacts://host:5000/0/abc/artifacts/'), '0/abc/artifacts');
    assert.equal(artifactPathOf('s3://bucket/0/abc'), null);
    assert.equal(filterLiteral('churn'), "'churn'");
    assert.equal(filterLiteral("bob's"), '"bob\'s"');
    assert.equal(filterLiteral('a\'b"c'), null);
  });

  it('turns HTML and JSON error bodies into sentences without echoing pages or secrets', () => {
    const ctx = {
      server: 'MLflow at http://h',
      what: 'GET registered-models/get',
      credentialsSent: false,
      attempts: 1,
    };
    const page = httpFailure(ctx, 404, 'text/html', '<html><title>404 Not Found</title></html>');
    assert.equal(page.message, 'MLflow at http://h has no such endpoint (404 for GET registered-models/get).');
    const j = httpFailure(
      ctx,
      400,
      'application/json',
      JSON.stringify({ error_code: 'INVALID_PARAMETER_VALUE', message: 'bad <b>value</b> token=abc123' }),
    );
    assert.equal(j.code, 'INVALID_ARGUMENT');
    assert.equal(
      j.message,
      'MLflow at http://h rejected GET registered-models/get: bad value token=*** (INVALID_PARAMETER_VALUE).',
    );
    assert.equal(cleanServerText('x'.repeat(400)).length, 298);
    assert.equal(
      redact('GET https://bob:pw@host/x Authorization: Bearer abc.def'),
      'GET https://***@host/x Authorization: Bearer ***',
    );
  });

  it("takes settings from MLflow's variables and keeps user-info out of the URL", () => {
    const o = resolveOptions('https://bob:s3cret@mlflow.example.com/', {
      env: { MLFLOW_HTTP_REQUEST_TIMEOUT: '7', MLFLOW_HTTP_REQUEST_MAX_RETRIES: '2', MLFLOW_EXPERIMENT_ID: '12' },
    });
    assert.deepEqual(
      [o.url, o.timeoutMs, o.retry.attempts, o.experimentId],
      ['https://mlflow.example.com', 7000, 3, '12'],
    );
    assert.deepEqual(o.credentials, { kind: 'basic', username: 'bob', password: 's3cret' });
    assert.throws(() => normalizeMlflowUrl('mlflow.example.com'), /not an http\(s\) URL/);
  });
});
