import type {
  ActionContext,
  AuditEvent,
  GcOptions,
  GcReport,
  ListOptions,
  ListVersionsOptions,
  ModelVersion,
  OperationOptions,
  Page,
  PushInput,
  RegisteredModel,
  VerifyReport,
  VersionStatus,
} from './types';

export type RegistryKind = 'embedded' | 'mlflow';

export interface Disposable {
  dispose(): void;
}

/**
 * The model registry, whatever stores it. Implemented by EmbeddedRegistry (sql.js + artifact store in
 * the workspace) and MlflowRegistry (an MLflow tracking server's REST API). Every method rejects with an
 * MlopsError carrying a sentence the user can act on; a rejected mutation changes nothing.
 */
export interface Registry {
  readonly kind: RegistryKind;
  /** Where it lives, for display ("/ws/.mlops", "https://mlflow.example.com"). */
  readonly location: string;

  // Registered models
  listModels(opts?: ListOptions): Promise<Page<RegisteredModel>>;
  getModel(name: string): Promise<RegisteredModel>;
  createModel(name: string, init?: { description?: string; tags?: Record<string, string> }): Promise<RegisteredModel>;
  updateModel(
    name: string,
    change: { description?: string; tags?: Record<string, string | null> },
  ): Promise<RegisteredModel>;
  /** Deletes the model, its versions and aliases; the audit history keeps a record. */
  deleteModel(name: string, ctx: ActionContext): Promise<void>;

  // Model versions
  /** Newest first. */
  listVersions(model: string, opts?: ListVersionsOptions): Promise<Page<ModelVersion>>;
  getVersion(model: string, version: number): Promise<ModelVersion>;
  /** The version an alias points at. */
  getVersionByAlias(model: string, alias: string): Promise<ModelVersion>;
  /** Registers a new version from an ONNX file (creating the model if needed). */
  pushVersion(input: PushInput, ctx: ActionContext, opts?: OperationOptions): Promise<ModelVersion>;
  updateVersion(
    model: string,
    version: number,
    change: { description?: string; tags?: Record<string, string | null> },
  ): Promise<ModelVersion>;
  /** Archive or restore. A version holding an alias cannot be archived; an archived one cannot receive one. */
  setVersionStatus(model: string, version: number, status: VersionStatus, ctx: ActionContext): Promise<AuditEvent>;
  /** Removes the version's aliases (recorded), then the version. Its number is never reused. */
  deleteVersion(model: string, version: number, ctx: ActionContext): Promise<void>;

  // Aliases
  /** Moves `alias` to `version`, recording the previous holder; null when it already pointed there. */
  promote(model: string, alias: string, version: number, ctx: ActionContext): Promise<AuditEvent | null>;
  /** Moves `alias` back to the version that held it before the current holder (see rollback.ts). */
  rollback(model: string, alias: string, ctx: ActionContext): Promise<AuditEvent>;
  removeAlias(model: string, alias: string, ctx: ActionContext): Promise<AuditEvent>;
  /** Oldest first. */
  history(model: string, filter?: { alias?: string }): Promise<AuditEvent[]>;

  // Artifacts
  /** Copies the version's artifact to `destPath`, verifying its sha256 on the way. */
  pullArtifact(model: string, version: number, destPath: string, opts?: OperationOptions): Promise<void>;
  /** A verified local file holding the artifact (the store itself, or a download cache). */
  localArtifactPath(model: string, version: number, opts?: OperationOptions): Promise<string>;

  /** Checks the store's integrity: database, every artifact's hash. */
  verify(opts?: OperationOptions): Promise<VerifyReport>;

  /** Calls `listener` (debounced) when anything, in this process or another, changes the registry. */
  watch(listener: () => void): Disposable;

  /**
   * Embedded backend only: removes stored artifacts no version refers to any more (left by deletes and
   * interrupted pushes) once they are older than the grace period. A server manages its own store.
   */
  collectGarbage?(opts: GcOptions): Promise<GcReport>;

  /** Remote backends only: the server's own version ("2.17.0"), shown beside its URL. */
  serverVersion?(): Promise<string>;

  close(): Promise<void>;
}
