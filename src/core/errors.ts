/**
 * Errors the user can act on. The message is one sentence saying what is wrong; `hint` says what to do.
 * Adapters (CLI, extension) show `message` + `hint`; anything that is not an MlopsError is a bug.
 */
export type ErrorCode =
  | 'NOT_FOUND'
  | 'ALREADY_EXISTS'
  | 'INVALID_ARGUMENT'
  | 'INVALID_STATE'
  | 'INVALID_MODEL_FILE'
  | 'CORRUPT'
  | 'PERMISSION_DENIED'
  | 'LOCKED'
  | 'IO'
  | 'UNAUTHENTICATED'
  | 'REMOTE'
  | 'UNAVAILABLE'
  | 'CANCELLED'
  /** A bug or a crash inside the product (e.g. an inference worker died): HTTP 500. */
  | 'INTERNAL'
  /** Too much work queued; retry later (HTTP 503 + Retry-After). */
  | 'OVERLOADED';

/**
 * A finer cause within a code, for adapters that offer the fix for that cause (the extension's "Manage
 * Workspace Trust" and "Connect to MLflow…" actions, the Models view's "no registry yet" welcome).
 * Adapters decide on `code` and `reason`, never on the wording of a message (CONVENTIONS 18).
 */
export type ErrorReason =
  /** PERMISSION_DENIED: a change refused because the registry is open read-only (an untrusted workspace). */
  | 'READ_ONLY_REGISTRY'
  /** NOT_FOUND: nothing is stored at the registry's location yet (it can be created). */
  | 'NO_REGISTRY'
  /** PERMISSION_DENIED: the remote server refused access with the credentials given (HTTP 403). */
  | 'SERVER_DENIED'
  /** UNAVAILABLE: a server could not listen because its port is taken (the extension then takes a free one). */
  | 'PORT_IN_USE';

export class MlopsError extends Error {
  override readonly name = 'MlopsError';
  readonly reason?: ErrorReason;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly hint?: string,
    options?: { cause?: unknown; reason?: ErrorReason },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    if (options?.reason !== undefined) this.reason = options.reason;
  }

  /**
   * For humans: what is wrong, then what to do. A message that quotes lines (a command's last output)
   * keeps the hint on a line of its own, so it is not read as part of the quote.
   */
  describe(): string {
    if (!this.hint) return this.message;
    // A message built from parts may end without a full stop: the hint is a sentence of its own.
    if (this.message.includes('\n')) return `${this.message}\n${this.hint}`;
    return `${this.message}${/[.!?]['")\]]?$/.test(this.message) ? '' : '.'} ${this.hint}`;
  }
}

export function isMlopsError(e: unknown, code?: ErrorCode): e is MlopsError {
  return e instanceof MlopsError && (code === undefined || e.code === code);
}

/** Whether `e` is an MlopsError with this finer reason. */
export function hasReason(e: unknown, reason: ErrorReason): e is MlopsError {
  return e instanceof MlopsError && e.reason === reason;
}

/** Message of any thrown value, for logs. */
export function errorMessage(e: unknown): string {
  if (e instanceof MlopsError) return e.describe();
  if (e instanceof Error) return e.message;
  return String(e);
}

export function cancelled(what: string): MlopsError {
  return new MlopsError('CANCELLED', `${what} was cancelled.`);
}

export function throwIfAborted(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted) throw cancelled(what);
}

/** A change refused because the registry was opened read-only (an untrusted workspace). */
export function readOnlyRegistry(location: string): MlopsError {
  return new MlopsError(
    'PERMISSION_DENIED',
    `The registry at ${location} is open read-only.`,
    'Trust the workspace to change the registry.',
    { reason: 'READ_ONLY_REGISTRY' },
  );
}
