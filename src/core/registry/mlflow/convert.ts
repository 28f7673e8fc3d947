import { SHA256_RE } from '../../util/hash';
import type { ModelSignature, ModelVersion, OnnxSummary, RegisteredModel, VersionStatus } from '../types';
import { decodeEvents } from './auditTags';
import { getLong, jsonOrNull, prefixed, TAG, userTags } from './tags';
import { tagsToRecord, type ModelVersionJson, type RegisteredModelJson } from './wire';

/** MLflow's JSON -> our vocabulary. Our `mlops.*` tags become fields; the user's tags stay tags. */

export function aliasesOf(rm: RegisteredModelJson): Record<string, number> {
  const out: Record<string, number> = {};
  for (const a of [...(rm.aliases ?? [])].sort((x, y) => x.alias.localeCompare(y.alias)))
    out[a.alias] = Number(a.version);
  return out;
}

export function toModel(rm: RegisteredModelJson): RegisteredModel {
  const tags = tagsToRecord(rm.tags);
  // MLflow reports the newest existing versions only; our history remembers numbers of deleted ones too.
  const seen = [
    ...(rm.latest_versions ?? []).map((v) => Number(v.version)),
    ...decodeEvents(rm.name, tags)
      .events.filter((e) => e.action === 'create-version')
      .map((e) => e.version ?? 0),
  ];
  const latest = seen.length ? Math.max(...seen) : 0;
  return {
    name: rm.name,
    description: rm.description ?? '',
    tags: userTags(tags),
    createdAt: rm.creation_timestamp ?? 0,
    updatedAt: rm.last_updated_timestamp ?? rm.creation_timestamp ?? 0,
    aliases: aliasesOf(rm),
    latestVersion: latest > 0 ? latest : null,
  };
}

/** Archived by our tag; a version archived through MLflow's (deprecated) stages counts too until we set one. */
export function statusOf(mv: ModelVersionJson): VersionStatus {
  const tag = tagsToRecord(mv.tags)[TAG.status];
  if (tag !== undefined) return tag === 'archived' ? 'archived' : 'active';
  return mv.current_stage === 'Archived' ? 'archived' : 'active';
}

export function toVersion(mv: ModelVersionJson, modelAliases: Record<string, number>): ModelVersion {
  const tags = tagsToRecord(mv.tags);
  const version = Number(mv.version);
  const metrics: Record<string, number> = {};
  for (const [k, v] of Object.entries(prefixed(tags, TAG.metricPrefix))) {
    const n = Number(v);
    if (v.trim() !== '' && Number.isFinite(n)) metrics[k] = n;
  }
  const parent = Number(tags[TAG.parentVersion]);
  const size = tags[TAG.size] !== undefined && /^\d+$/.test(tags[TAG.size]) ? Number(tags[TAG.size]) : null;
  return {
    model: mv.name,
    version,
    status: statusOf(mv),
    description: mv.description ?? '',
    tags: userTags(tags),
    metrics,
    params: prefixed(tags, TAG.paramPrefix),
    artifact: {
      // Unknown (null) on versions other clients registered: they carry no mlops.* tags.
      sha256: SHA256_RE.test(tags[TAG.sha256] ?? '') ? tags[TAG.sha256] : null,
      size,
      fileName: tags[TAG.fileName] ?? '',
      source: mv.source ?? '',
    },
    signature: jsonOrNull<ModelSignature>(getLong(tags, TAG.signature)),
    onnx: jsonOrNull<OnnxSummary>(getLong(tags, TAG.onnx)),
    createdAt: mv.creation_timestamp ?? 0,
    createdBy: tags[TAG.createdBy] || mv.user_id || null,
    updatedAt: mv.last_updated_timestamp ?? mv.creation_timestamp ?? 0,
    parentVersion: Number.isInteger(parent) && parent > 0 ? parent : null,
    // The lineage run given at push time; else MLflow's run that holds the push's metrics and file.
    runId: tags[TAG.runId] || mv.run_id || null,
    aliases: Object.entries(modelAliases)
      .filter(([, v]) => v === version)
      .map(([a]) => a)
      .sort(),
  };
}
