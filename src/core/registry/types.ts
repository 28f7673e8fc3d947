/**
 * The registry's vocabulary. Concepts follow MLflow's Model Registry so the embedded and the MLflow
 * backends mean the same thing (DESIGN.md "The registry"). Times are epoch milliseconds.
 */

// The model's vocabulary lives in model/ (below this layer); re-exported for the registry's users.
import type { ModelSignature, OnnxSummary } from '../model/types';
export type { Dim, ElementType, ModelSignature, OnnxSummary, OpsetImport, TensorSpec } from '../model/types';

export type VersionStatus = 'active' | 'archived';

/**
 * A version's file. `sha256` and `size` are null when the registry does not know them: a version that
 * another MLflow client registered (source `runs:/…`, `s3://…`, no `mlops.*` tags) carries neither, and
 * showing "0 B" or an empty hash would claim a fact nobody recorded. Such a version cannot be verified.
 */
export interface ArtifactInfo {
  sha256: string | null;
  size: number | null;
  /** The file name the artifact was pushed as ("model.onnx"). */
  fileName: string;
  /** Where it came from: the pushed path (embedded) or the MLflow source URI. */
  source: string;
}

export interface RegisteredModel {
  name: string;
  description: string;
  tags: Record<string, string>;
  createdAt: number;
  /**
   * Last change of the model's own fields (description) or of its set of versions (one pushed or
   * deleted). Moving an alias and archiving/restoring a version do not change it: that is MLflow's
   * `last_updated_timestamp`, and both backends mean the same (the audit history dates those changes).
   */
  updatedAt: number;
  /** alias -> version */
  aliases: Record<string, number>;
  /** Highest version number ever assigned, or null when none was. */
  latestVersion: number | null;
}

export interface ModelVersion {
  model: string;
  version: number;
  status: VersionStatus;
  description: string;
  tags: Record<string, string>;
  metrics: Record<string, number>;
  params: Record<string, string>;
  artifact: ArtifactInfo;
  signature: ModelSignature | null;
  onnx: OnnxSummary | null;
  createdAt: number;
  /** Who registered it; null when the registry does not know (another MLflow client, no user recorded). */
  createdBy: string | null;
  updatedAt: number;
  parentVersion: number | null;
  runId: string | null;
  /** Aliases currently held by this version. */
  aliases: string[];
}

/** What the registry knows of a file it stored itself: every embedded version, and ours on MLflow. */
export interface RecordedArtifact extends ArtifactInfo {
  sha256: string;
  size: number;
}

/** A version whose file hash, size and author were recorded when it was pushed (every embedded version). */
export interface RecordedVersion extends ModelVersion {
  artifact: RecordedArtifact;
  createdBy: string;
}

export type AuditAction =
  | 'create-version'
  | 'promote'
  | 'rollback'
  | 'remove-alias'
  | 'archive'
  | 'restore'
  | 'delete-version'
  | 'delete-model';

/** One entry of the append-only history of alias and status changes. */
export interface AuditEvent {
  /** Increasing per registry (embedded) or per model (MLflow). */
  id: number;
  time: number;
  actor: string;
  model: string;
  action: AuditAction;
  /** Alias events: the alias moved; null for version events. */
  alias: string | null;
  /** Alias events: previous and new holder (null when unset). */
  fromVersion: number | null;
  toVersion: number | null;
  /** Version events (create/archive/restore/delete): the version concerned. */
  version: number | null;
  reason: string | null;
}

/** Who does a change and why; lands in the audit history. */
export interface ActionContext {
  actor: string;
  reason?: string | null;
}

export interface Page<T> {
  items: T[];
  /** Opaque; absent on the last page. */
  nextPageToken?: string;
}

export interface ListOptions {
  maxResults?: number;
  pageToken?: string;
}

export interface ListVersionsOptions extends ListOptions {
  /** Archived versions are listed only when asked for. Default false. */
  includeArchived?: boolean;
}

export interface PushInput {
  /** Path of the ONNX file to register. */
  filePath: string;
  model: string;
  metrics?: Record<string, number>;
  params?: Record<string, string>;
  tags?: Record<string, string>;
  description?: string;
  /** Alias to give the new version right away (recorded as a promotion). */
  alias?: string;
  parentVersion?: number;
  runId?: string;
  /**
   * Makes a retried push safe: when this model already has a version pushed from the same file (sha256)
   * with the same key, that version is returned and nothing new is registered. Give one key per logical
   * push (a CI run id, say); without a key every push registers a new version.
   */
  idempotencyKey?: string;
}

export interface ProgressReport {
  /** What is happening now ("Hashing", "Uploading"). */
  stage: string;
  /** Bytes done and total, when known. */
  done?: number;
  total?: number;
}

export interface OperationOptions {
  signal?: AbortSignal;
  onProgress?: (p: ProgressReport) => void;
}

export interface VerifyProblem {
  model?: string;
  version?: number;
  problem: string;
}

export interface GcOptions extends OperationOptions {
  /**
   * Only artifacts unreferenced and unchanged for this long are removed: a push stores its file before
   * the row that refers to it, so a younger unreferenced file may be a push under way.
   */
  graceMs: number;
  /** Report what would be removed, remove nothing. */
  dryRun?: boolean;
}

export interface GcReport {
  dryRun: boolean;
  /** Removed (or, in a dry run, removable) artifacts. */
  removed: { sha256: string; size: number }[];
  bytesFreed: number;
  /** Unreferenced but younger than the grace period: left for now. */
  keptRecent: number;
  /** Artifacts some version (active or archived) still refers to. */
  referenced: number;
}

/** A version verify could not check, and why (not a problem: nothing says what its file should be). */
export interface VerifySkipped {
  model: string;
  version: number;
  reason: string;
}

export interface VerifyReport {
  /** No problems. Unverifiable versions do not make a report fail. */
  ok: boolean;
  models: number;
  versions: number;
  artifactsChecked: number;
  /** Stored artifacts no version refers to (left by deletes or interrupted pushes): harmless. */
  orphanArtifacts: number;
  problems: VerifyProblem[];
  /**
   * Versions with no recorded sha256 to check against (on MLflow: registered by another client). Always
   * empty on the embedded registry, which records every file's hash.
   */
  unverifiable: VerifySkipped[];
}
