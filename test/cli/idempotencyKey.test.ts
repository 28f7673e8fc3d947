import assert from 'node:assert/strict';
import { UsageError } from '../../src/cli/args';
import { ciRunKey, resolveIdempotencyKey } from '../../src/cli/idempotencyKey';

describe('mlops push --idempotency-key', () => {
  it('takes one id per CI run, stable across re-runs of its jobs', () => {
    assert.equal(
      ciRunKey({ GITHUB_ACTIONS: 'true', GITHUB_REPOSITORY: 'org/repo', GITHUB_RUN_ID: '77', GITHUB_RUN_ATTEMPT: '2' }),
      'github:org/repo:77',
    );
    assert.equal(
      ciRunKey({ GITLAB_CI: 'true', CI_PROJECT_ID: '5', CI_PIPELINE_ID: '901', CI_JOB_ID: '3' }),
      'gitlab:5:901',
    );
    assert.equal(ciRunKey({ TF_BUILD: 'True', SYSTEM_TEAMPROJECTID: 'p', BUILD_BUILDID: '12' }), 'azure:p:12');
    assert.equal(ciRunKey({ CIRCLECI: 'true', CIRCLE_WORKFLOW_ID: 'w-1' }), 'circleci:w-1');
    assert.equal(ciRunKey({ BUILDKITE: 'true', BUILDKITE_BUILD_ID: 'b-1' }), 'buildkite:b-1');
    assert.equal(ciRunKey({ JENKINS_URL: 'http://j', BUILD_TAG: 'jenkins-train-4' }), 'jenkins:jenkins-train-4');
    assert.equal(ciRunKey({ GITHUB_ACTIONS: 'true', GITHUB_REPOSITORY: 'org/repo' }), undefined, 'no run id, no key');
    assert.equal(ciRunKey({}), undefined);
  });

  it('the option wins over MLOPS_IDEMPOTENCY_KEY; none means no key; auto outside CI is a usage error', () => {
    const env = { MLOPS_IDEMPOTENCY_KEY: 'from-env' };
    assert.equal(resolveIdempotencyKey('given', env), 'given');
    assert.equal(resolveIdempotencyKey(undefined, env), 'from-env');
    assert.equal(resolveIdempotencyKey(undefined, { MLOPS_IDEMPOTENCY_KEY: '' }), undefined);
    assert.equal(resolveIdempotencyKey(undefined, {}), undefined);
    assert.equal(resolveIdempotencyKey('auto', { CIRCLECI: 'true', CIRCLE_WORKFLOW_ID: 'w' }), 'circleci:w');
    assert.throws(() => resolveIdempotencyKey('auto', {}), UsageError);
  });
});
