import { isMlopsError } from '../../errors';
import type { OperationOptions, VerifyProblem, VerifyReport, VerifySkipped } from '../types';
import { artifactPathOf, hashRemote } from './artifacts';
import { decodeEvents } from './auditTags';
import type { MlflowClient } from './client';
import { aliasesOf, statusOf, toVersion } from './convert';
import type { Lookups } from './lookups';
import { TAG } from './tags';
import type { MlflowTransport } from './transport';
import { tagsToRecord, type ModelVersionJson } from './wire';

/**
 * verify() on MLflow: every version's file is downloaded through the artifact proxy and hashed against
 * its mlops.sha256 tag (and its size against mlops.size); besides, each version's bookkeeping tags must
 * be present and readable, no alias may point at a missing or archived version (other MLflow clients
 * leave aliases dangling when they delete a version), and the history tags must parse. A version another
 * client registered (no mlops.sha256 tag) has nothing to check its file against: it is counted as
 * unverifiable, not as a problem, so verify can pass on a server shared with MLflow's own tools.
 * Unreferenced files cannot be listed through MLflow's API, so `orphanArtifacts` is always 0 here.
 */
export async function verifyMlflow(
  d: { client: MlflowClient; http: MlflowTransport; lookups: Lookups },
  opts: OperationOptions = {},
): Promise<VerifyReport> {
  const problems: VerifyProblem[] = [];
  const unverifiable: VerifySkipped[] = [];
  const toCheck: FileCheck[] = [];
  let models = 0;
  let versions = 0;
  let pageToken: string | undefined;
  do {
    const page = await d.client.searchModels({ maxResults: 1000, pageToken });
    for (const rm of page.registered_models ?? []) {
      models++;
      const model = rm.name;
      for (const key of decodeEvents(model, tagsToRecord(rm.tags)).unreadable)
        problems.push({ model, problem: `history tag ${key} cannot be read` });
      const all = await d.lookups.allVersions(model);
      versions += all.length;
      const byNumber = new Map(all.map((mv) => [Number(mv.version), mv]));
      for (const [alias, v] of Object.entries(aliasesOf(rm))) {
        const mv = byNumber.get(v);
        if (!mv || statusOf(mv) === 'archived')
          problems.push({
            model,
            version: v,
            problem: `alias @${alias} points at a version that is missing or archived`,
          });
      }
      for (const mv of all) checkTags(mv, problems, unverifiable, toCheck);
    }
    pageToken = page.next_page_token || undefined;
  } while (pageToken);

  let done = 0;
  for (const c of toCheck) {
    opts.onProgress?.({ stage: 'Checking artifacts', done: done++, total: toCheck.length });
    const where = { model: c.model, version: c.version };
    try {
      const got = await hashRemote(d.http, c.file, { signal: opts.signal });
      if (got.sha256 !== c.sha256)
        problems.push({
          ...where,
          problem: `artifact is corrupt (sha256 ${got.sha256.slice(0, 12)}…, expected ${c.sha256.slice(0, 12)}…)`,
        });
      else if (c.size !== null && got.size !== c.size)
        problems.push({ ...where, problem: `artifact size ${got.size} differs from the recorded ${c.size}` });
    } catch (e) {
      // The server being unreachable or refusing us is not a finding about this version: stop.
      if (!isMlopsError(e) || ['UNAVAILABLE', 'UNAUTHENTICATED', 'PERMISSION_DENIED', 'CANCELLED'].includes(e.code))
        throw e;
      problems.push({ ...where, problem: `artifact ${c.file} cannot be downloaded (${e.message})` });
    }
  }
  opts.onProgress?.({ stage: 'Checking artifacts', done, total: toCheck.length });
  return {
    ok: problems.length === 0,
    models,
    versions,
    artifactsChecked: toCheck.length,
    orphanArtifacts: 0,
    problems,
    unverifiable: unverifiable.sort((a, b) => a.model.localeCompare(b.model) || a.version - b.version),
  };
}

interface FileCheck {
  model: string;
  version: number;
  file: string;
  sha256: string;
  /** null when the mlops.size tag is missing: the hash alone is checked. */
  size: number | null;
}

function checkTags(
  mv: ModelVersionJson,
  problems: VerifyProblem[],
  unverifiable: VerifySkipped[],
  toCheck: FileCheck[],
): void {
  const v = toVersion(mv, {});
  const where = { model: v.model, version: v.version };
  if (mv.status && mv.status !== 'READY')
    problems.push({ ...where, problem: `MLflow registration status is ${mv.status}` });
  const sha256 = v.artifact.sha256;
  if (sha256 === null) {
    // Tags only our push writes (an archive by us adds mlops.status to any version: not a sign).
    const tags = tagsToRecord(mv.tags);
    const pushedByUs = TAG.fileName in tags || TAG.size in tags || TAG.signature in tags;
    if (pushedByUs) problems.push({ ...where, problem: 'has mlops.* tags but no valid mlops.sha256 tag' });
    else
      unverifiable.push({
        ...where,
        reason: `registered by another client (source ${v.artifact.source || 'unknown'}), with no recorded sha256`,
      });
    return;
  }
  if (!v.artifact.fileName) problems.push({ ...where, problem: 'has no mlops.file_name tag' });
  if (v.signature === null) problems.push({ ...where, problem: 'has no readable mlops.signature tag' });
  const dir = artifactPathOf(v.artifact.source);
  if (dir === null) {
    problems.push({
      ...where,
      problem: `source "${v.artifact.source}" is not served by the artifact proxy (mlflow-artifacts:/…)`,
    });
    return;
  }
  if (v.artifact.fileName)
    toCheck.push({ ...where, file: `${dir}/${v.artifact.fileName}`, sha256, size: v.artifact.size });
}
