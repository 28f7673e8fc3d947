import { MlopsError } from '../../errors';
import type { MlflowTransport } from './transport';
import {
  filterLiteral,
  type ArtifactListJson,
  type ModelVersionJson,
  type RegisteredModelJson,
  type RunJson,
  type TagJson,
} from './wire';

/**
 * The MLflow endpoints we use, typed, one method each. Which calls are safe to retry is decided here:
 * "set" operations (tags, aliases, run status) are idempotent; creations are not.
 */
export class MlflowClient {
  constructor(readonly http: MlflowTransport) {}

  get server(): string {
    return this.http.server;
  }

  // registered models
  async getModel(name: string): Promise<RegisteredModelJson> {
    return (await this.http.api<{ registered_model: RegisteredModelJson }>('GET', 'registered-models/get', { name }))
      .registered_model;
  }
  async searchModels(o: {
    maxResults: number;
    pageToken?: string;
  }): Promise<{ registered_models?: RegisteredModelJson[]; next_page_token?: string }> {
    return this.http.api('GET', 'registered-models/search', {
      max_results: o.maxResults,
      order_by: ['name ASC'],
      page_token: o.pageToken || undefined,
    });
  }
  async createModel(name: string, description: string, tags: TagJson[]): Promise<RegisteredModelJson> {
    return (
      await this.http.api<{ registered_model: RegisteredModelJson }>('POST', 'registered-models/create', {
        name,
        description,
        tags,
      })
    ).registered_model;
  }
  async updateModel(name: string, description: string): Promise<void> {
    await this.http.api('PATCH', 'registered-models/update', { name, description }, { idempotent: true });
  }
  async deleteModel(name: string): Promise<void> {
    await this.http.api('DELETE', 'registered-models/delete', { name });
  }
  async setModelTag(name: string, key: string, value: string): Promise<void> {
    await this.http.api('POST', 'registered-models/set-tag', { name, key, value }, { idempotent: true });
  }
  async deleteModelTag(name: string, key: string): Promise<void> {
    await this.http.api('DELETE', 'registered-models/delete-tag', { name, key }, { idempotent: true });
  }
  async setAlias(name: string, alias: string, version: number): Promise<void> {
    await this.http.api(
      'POST',
      'registered-models/alias',
      { name, alias, version: String(version) },
      { idempotent: true },
    );
  }
  async deleteAlias(name: string, alias: string): Promise<void> {
    await this.http.api('DELETE', 'registered-models/alias', { name, alias }, { idempotent: true });
  }

  // model versions
  async getVersion(name: string, version: number): Promise<ModelVersionJson> {
    return (
      await this.http.api<{ model_version: ModelVersionJson }>('GET', 'model-versions/get', {
        name,
        version: String(version),
      })
    ).model_version;
  }
  async searchVersions(o: {
    model?: string;
    below?: number;
    runId?: string;
    /** Versions carrying this tag value (MLflow 2.x filters on `tags.\`key\``). */
    tag?: TagJson;
    maxResults: number;
    orderBy: string[];
    pageToken?: string;
  }): Promise<{ model_versions?: ModelVersionJson[]; next_page_token?: string }> {
    const clauses: string[] = [];
    if (o.model !== undefined) clauses.push(`name = ${literal(o.model)}`);
    if (o.below !== undefined) clauses.push(`version_number < ${o.below}`);
    if (o.runId !== undefined) clauses.push(`run_id = ${literal(o.runId)}`);
    if (o.tag !== undefined) clauses.push(`tags.\`${o.tag.key}\` = ${literal(o.tag.value)}`);
    return this.http.api('GET', 'model-versions/search', {
      filter: clauses.length ? clauses.join(' AND ') : undefined,
      max_results: o.maxResults,
      order_by: o.orderBy,
      page_token: o.pageToken || undefined,
    });
  }
  async createVersion(v: {
    name: string;
    source: string;
    runId: string;
    description: string;
    tags: TagJson[];
  }): Promise<ModelVersionJson> {
    const r = await this.http.api<{ model_version: ModelVersionJson }>('POST', 'model-versions/create', {
      name: v.name,
      source: v.source,
      run_id: v.runId,
      description: v.description,
      tags: v.tags,
    });
    return r.model_version;
  }
  async updateVersion(name: string, version: number, description: string): Promise<void> {
    await this.http.api(
      'PATCH',
      'model-versions/update',
      { name, version: String(version), description },
      { idempotent: true },
    );
  }
  async deleteVersion(name: string, version: number): Promise<void> {
    await this.http.api('DELETE', 'model-versions/delete', { name, version: String(version) }, { idempotent: true });
  }
  async setVersionTag(name: string, version: number, key: string, value: string): Promise<void> {
    await this.http.api(
      'POST',
      'model-versions/set-tag',
      { name, version: String(version), key, value },
      { idempotent: true },
    );
  }
  async deleteVersionTag(name: string, version: number, key: string): Promise<void> {
    await this.http.api(
      'DELETE',
      'model-versions/delete-tag',
      { name, version: String(version), key },
      { idempotent: true },
    );
  }

  // runs (one per push: it holds the metrics, params and the uploaded file)
  async createRun(o: { experimentId: string; runName: string; user: string; tags: TagJson[] }): Promise<RunJson> {
    const r = await this.http.api<{ run: RunJson }>('POST', 'runs/create', {
      experiment_id: o.experimentId,
      run_name: o.runName,
      user_id: o.user,
      start_time: Date.now(),
      tags: o.tags,
    });
    return r.run;
  }
  async logBatch(
    runId: string,
    b: {
      metrics: { key: string; value: number; timestamp: number; step: number }[];
      params: TagJson[];
      tags: TagJson[];
    },
  ): Promise<void> {
    // Safe to repeat: MLflow ignores an identical metric, param or tag logged twice.
    await this.http.api(
      'POST',
      'runs/log-batch',
      { run_id: runId, metrics: b.metrics, params: b.params, tags: b.tags },
      { idempotent: true },
    );
  }
  async updateRun(runId: string, status: 'FINISHED' | 'FAILED'): Promise<void> {
    await this.http.api('POST', 'runs/update', { run_id: runId, status, end_time: Date.now() }, { idempotent: true });
  }
  async deleteRun(runId: string): Promise<void> {
    await this.http.api('POST', 'runs/delete', { run_id: runId }, { idempotent: true });
  }

  // artifacts (through the server's proxy)
  async listArtifacts(dir: string): Promise<ArtifactListJson> {
    return this.http.listArtifacts<ArtifactListJson>(dir);
  }
}

function literal(s: string): string {
  const l = filterLiteral(s);
  if (l === null) {
    throw new MlopsError(
      'INVALID_ARGUMENT',
      `"${s}" contains both ' and ", which an MLflow search filter cannot express.`,
      'Rename the model without one of the quote characters.',
    );
  }
  return l;
}
