import { UsageError } from './args';

/**
 * The idempotency key of `mlops push`: `--idempotency-key <key>`, else MLOPS_IDEMPOTENCY_KEY, else none
 * (every push registers a new version, as before). The value `auto` takes the CI run's id, so a job
 * re-run or retried inside the same run pushes the same file to the same model only once, while the next
 * run (a new id) registers a new version. It is opt-in: a script pushing the same file twice on purpose
 * keeps doing so.
 */
export function resolveIdempotencyKey(option: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  const raw = option ?? (env.MLOPS_IDEMPOTENCY_KEY || undefined);
  if (raw !== 'auto') return raw;
  const key = ciRunKey(env);
  if (key === undefined) {
    throw new UsageError(
      '--idempotency-key auto needs a CI run id (GitHub Actions, GitLab CI, Azure Pipelines, CircleCI, Buildkite or Jenkins) and found none; give a key instead.',
      'push',
    );
  }
  return key;
}

/**
 * One id per CI run that survives re-running or retrying its jobs (GitHub's GITHUB_RUN_ID stays across
 * re-run attempts; GitLab's pipeline id across job retries), prefixed with the CI system and project.
 */
export function ciRunKey(env: NodeJS.ProcessEnv): string | undefined {
  const all = (...vals: (string | undefined)[]) => (vals.every((v) => v) ? vals.join(':') : undefined);
  if (env.GITHUB_ACTIONS === 'true') return all('github', env.GITHUB_REPOSITORY, env.GITHUB_RUN_ID);
  if (env.GITLAB_CI === 'true') return all('gitlab', env.CI_PROJECT_ID, env.CI_PIPELINE_ID);
  if (env.TF_BUILD === 'True') return all('azure', env.SYSTEM_TEAMPROJECTID, env.BUILD_BUILDID);
  if (env.CIRCLECI === 'true') return all('circleci', env.CIRCLE_WORKFLOW_ID);
  if (env.BUILDKITE === 'true') return all('buildkite', env.BUILDKITE_BUILD_ID);
  if (env.JENKINS_URL) return all('jenkins', env.BUILD_TAG);
  return undefined;
}
