import type { ModelVersionJson, RegisteredModelJson, TagJson } from '../../src/core/registry/mlflow/wire';
import type { DoubleModel, DoubleRun, DoubleVersion } from './store';

/**
 * Builders for MLflow's JSON (CONVENTIONS 16), shared by the TEST DOUBLE's answers and by unit tests that
 * need a response by hand. They keep MLflow 2.17's quirks (checked on a real server): `version` is a
 * string; a model with no description has no `description` key; a version with no user or status message
 * has no `user_id` / `status_message` keys (its description and run_link are sent as ""); empty lists are
 * left out; and model-version search results carry no `aliases`.
 */
function tagList(tags: Map<string, string> | Record<string, string>): TagJson[] | undefined {
  const entries = tags instanceof Map ? [...tags.entries()] : Object.entries(tags);
  return entries.length ? entries.map(([key, value]) => ({ key, value })) : undefined;
}

/** Drops undefined fields so "omitted" really is omitted from the JSON. */
function compact<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

export function modelVersionJson(v: DoubleVersion, o: { aliases?: string[] } = {}): ModelVersionJson {
  return compact({
    name: v.name,
    version: String(v.version),
    creation_timestamp: v.createdAt,
    last_updated_timestamp: v.updatedAt,
    user_id: v.userId || undefined,
    current_stage: v.stage,
    description: v.description,
    source: v.source,
    run_id: v.runId,
    status: v.status,
    status_message: undefined,
    tags: tagList(v.tags),
    run_link: v.runLink,
    aliases: o.aliases && o.aliases.length ? o.aliases : undefined,
  });
}

export function registeredModelJson(m: DoubleModel, versions: DoubleVersion[]): RegisteredModelJson {
  // latest_versions: the newest version per stage, as MLflow still reports them.
  const latest = new Map<string, DoubleVersion>();
  for (const v of versions) {
    const cur = latest.get(v.stage);
    if (!cur || cur.version < v.version) latest.set(v.stage, v);
  }
  const aliases = [...m.aliases.entries()].map(([alias, version]) => ({ alias, version: String(version) }));
  return compact({
    name: m.name,
    creation_timestamp: m.createdAt,
    last_updated_timestamp: m.updatedAt,
    description: m.description || undefined,
    latest_versions: latest.size ? [...latest.values()].map((v) => modelVersionJson(v)) : undefined,
    tags: tagList(m.tags),
    aliases: aliases.length ? aliases : undefined,
  });
}

export function runJson(r: DoubleRun): Record<string, unknown> {
  return {
    info: compact({
      run_id: r.runId,
      run_uuid: r.runId,
      run_name: r.runName,
      experiment_id: r.experimentId,
      user_id: r.userId,
      status: r.status,
      start_time: r.startTime,
      end_time: r.endTime,
      artifact_uri: r.artifactUri,
      lifecycle_stage: r.lifecycleStage,
    }),
    data: compact({
      metrics: r.metrics.length ? r.metrics : undefined,
      params: tagList(r.params),
      tags: tagList(r.tags),
    }),
  };
}

export function errorJson(code: string, message: string): { error_code: string; message: string } {
  return { error_code: code, message };
}

/** A model version as a server would send it, for tests that build responses by hand. */
export function aModelVersion(over: Partial<ModelVersionJson> = {}): ModelVersionJson {
  return {
    name: 'churn',
    version: '1',
    creation_timestamp: 1,
    last_updated_timestamp: 1,
    current_stage: 'None',
    description: '',
    source: 'mlflow-artifacts:/0/r/artifacts/model',
    run_id: 'r',
    status: 'READY',
    run_link: '',
    ...over,
  };
}

export function aRegisteredModel(over: Partial<RegisteredModelJson> = {}): RegisteredModelJson {
  return { name: 'churn', creation_timestamp: 1, last_updated_timestamp: 1, ...over };
}
