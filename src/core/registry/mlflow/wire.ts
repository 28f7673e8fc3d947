/**
 * MLflow's JSON as servers send it (reference/mlflow-rest.md): `version` is a string, timestamps are epoch
 * milliseconds, unset optional strings are "" and empty lists are left out — so every list is optional.
 */
export interface TagJson {
  key: string;
  value: string;
}

export interface RegisteredModelJson {
  name: string;
  creation_timestamp?: number;
  last_updated_timestamp?: number;
  description?: string;
  latest_versions?: ModelVersionJson[];
  tags?: TagJson[];
  aliases?: { alias: string; version: string }[];
}

export interface ModelVersionJson {
  name: string;
  version: string;
  creation_timestamp?: number;
  last_updated_timestamp?: number;
  user_id?: string;
  current_stage?: string;
  description?: string;
  source?: string;
  run_id?: string;
  status?: string;
  status_message?: string;
  tags?: TagJson[];
  run_link?: string;
  /** Present on model-versions/get of recent servers; never in search results. */
  aliases?: string[];
}

export interface RunInfoJson {
  run_id: string;
  experiment_id: string;
  status?: string;
  artifact_uri?: string;
  lifecycle_stage?: string;
}

export interface RunJson {
  info: RunInfoJson;
}

export interface ArtifactListJson {
  files?: { path: string; is_dir?: boolean; file_size?: string | number }[];
}

export function tagsToRecord(tags: TagJson[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of tags ?? []) out[t.key] = t.value ?? '';
  return out;
}

export function recordToTags(r: Record<string, string>): TagJson[] {
  return Object.entries(r).map(([key, value]) => ({ key, value }));
}

/** A string literal for MLflow's search filter; a name holding both quote kinds cannot be written. */
export function filterLiteral(s: string): string | null {
  if (!s.includes("'")) return `'${s}'`;
  if (!s.includes('"')) return `"${s}"`;
  return null;
}
