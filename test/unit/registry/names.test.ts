import assert from 'node:assert/strict';
import { isMlopsError } from '../../../src/core/errors';
import { validateAlias, validateEmbeddedModelName, validateModelName } from '../../../src/core/registry/names';
import { parseRegistryUri } from '../../../src/core/registry/open';
import { holderStack } from '../../../src/core/registry/rollback';
import type { AuditEvent } from '../../../src/core/registry/types';
import { aliasUri, parseModelUri, versionUri } from '../../../src/core/registry/uri';

const invalid = (fn: () => unknown) => assert.throws(fn, (e: unknown) => isMlopsError(e, 'INVALID_ARGUMENT'));

describe('names, URIs and registry locations', () => {
  it('accepts MLflow-compatible aliases and rejects the rest', () => {
    for (const ok of ['production', 'staging', 'champion', 'canary-eu', 'a_b', 'v', 'v1x', 'x'.repeat(255)])
      assert.equal(validateAlias(ok), ok);
    for (const bad of ['', 'latest', 'Latest', 'v1', 'V99', 'with space', 'a.b', 'a/b', 'é', 'x'.repeat(256)])
      invalid(() => validateAlias(bad));
  });

  it('accepts model names with / and : (MLflow 2.17 does); rejects empty, padded or control characters', () => {
    for (const ok of ['churn', 'Churn Model.v2', 'fraud_detector-eu', 'team/churn', 'team:churn', 'a@b'])
      assert.equal(validateModelName(ok), ok);
    for (const bad of ['', ' ', ' x', 'x ', 'a\nb', 'x'.repeat(256)]) invalid(() => validateModelName(bad));
  });

  it("the embedded registry's own rule refuses / and : in new names, and says whose rule it is", () => {
    assert.equal(validateEmbeddedModelName('team-churn'), 'team-churn');
    for (const bad of ['team/churn', 'team:churn'])
      assert.throws(
        () => validateEmbeddedModelName(bad),
        (e: unknown) =>
          isMlopsError(e, 'INVALID_ARGUMENT') &&
          /MLOps Studio's embedded registry does not accept/.test(e.message) &&
          /MLflow 2\.17 servers do/.test(e.message),
      );
    invalid(() => validateEmbeddedModelName(''));
  });

  it('writes and parses model URIs as MLflow does', () => {
    assert.equal(versionUri('churn', 3), 'models:/churn/3');
    assert.equal(aliasUri('churn', 'production'), 'models:/churn@production');
    assert.deepEqual(parseModelUri('models:/churn/3'), { model: 'churn', kind: 'version', version: 3 });
    assert.deepEqual(parseModelUri('models:/churn@production'), { model: 'churn', kind: 'alias', alias: 'production' });
    assert.deepEqual(parseModelUri('models:/churn/latest'), { model: 'churn', kind: 'latest' });
    // Names with '/', ':' or '@': the last '/' starts the version, the last '@' (with no '/' after it) the alias.
    assert.deepEqual(parseModelUri('models:/team/churn/3'), { model: 'team/churn', kind: 'version', version: 3 });
    assert.deepEqual(parseModelUri('models:/a/b/c/latest'), { model: 'a/b/c', kind: 'latest' });
    assert.deepEqual(parseModelUri('models:/team/churn@production'), {
      model: 'team/churn',
      kind: 'alias',
      alias: 'production',
    });
    assert.deepEqual(parseModelUri('models:/team:churn/2'), { model: 'team:churn', kind: 'version', version: 2 });
    assert.deepEqual(parseModelUri('models:/a@b/3'), { model: 'a@b', kind: 'version', version: 3 });
    assert.deepEqual(parseModelUri('models:/a@b@prod'), { model: 'a@b', kind: 'alias', alias: 'prod' });
    for (const [model, version] of [
      ['team/churn', 3],
      ['a:b/c', 12],
    ] as const)
      assert.deepEqual(parseModelUri(versionUri(model, version)), { model, kind: 'version', version });
    for (const bad of [
      'churn/3',
      'models:/churn',
      'models:/churn/x',
      'models:/churn/0',
      'models:/churn@latest',
      'models:/team/churn',
      'models:/team/churn/',
      'models:/@prod',
    ])
      invalid(() => parseModelUri(bad));
  });

  it('tells embedded folders from MLflow servers', () => {
    assert.deepEqual(parseRegistryUri(undefined, '/ws'), { kind: 'embedded', dir: '/ws/.mlops' });
    assert.deepEqual(parseRegistryUri('reg', '/ws'), { kind: 'embedded', dir: '/ws/reg' });
    assert.deepEqual(parseRegistryUri('file:///srv/reg', '/ws'), { kind: 'embedded', dir: '/srv/reg' });
    assert.deepEqual(parseRegistryUri('https://mlflow.example.com/', '/ws'), {
      kind: 'mlflow',
      url: 'https://mlflow.example.com',
    });
    invalid(() => parseRegistryUri('s3://bucket/reg', '/ws'));
  });

  it('derives the holder stack from promotions and rollbacks', () => {
    let id = 0;
    const ev = (action: AuditEvent['action'], from: number | null, to: number | null): AuditEvent => ({
      id: ++id,
      time: id,
      actor: 'a',
      model: 'm',
      action,
      alias: 'production',
      fromVersion: from,
      toVersion: to,
      version: null,
      reason: null,
    });
    const events = [
      ev('promote', null, 1),
      ev('promote', 1, 2),
      ev('promote', 2, 3),
      ev('rollback', 3, 2),
      ev('promote', 2, 5),
    ];
    assert.deepEqual(holderStack(events, 'production'), [1, 2, 5]);
    assert.deepEqual(holderStack(events, 'staging'), []);
  });
});
