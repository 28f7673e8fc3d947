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

export class MlopsError extends Error {
  override readonly name = 'MlopsError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly hint?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** One line for humans: what is wrong, then what to do. */
  describe(): string {
    return this.hint ? `${this.message} ${this.hint}` : this.message;
  }
}

export function isMlopsError(e: unknown, code?: ErrorCode): e is MlopsError {
  return e instanceof MlopsError && (code === undefined || e.code === code);
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
  );
}
