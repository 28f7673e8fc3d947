import { MlopsError } from '../../errors';
import type { ServedVersion } from '../types';
import type { FailureReason } from './servingMetrics';

/** A failure with its HTTP status, raised by the routes and answered in the protocol's error shape. */
export class HttpError extends Error {
  /** The version whose run failed, when the request reached one (for metrics and the prediction log). */
  served?: ServedVersion;
  /** Why, for /metrics, when the status alone does not say (a 503 is a full queue, a cancel or a shutdown). */
  reason?: FailureReason;
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** The runtime's rejections that mean "come back later", with how long to wait. */
function retryAfterSeconds(e: MlopsError): number | undefined {
  const x = e as unknown as { retryAfterMs?: unknown; retryAfterSeconds?: unknown };
  if (typeof x.retryAfterSeconds === 'number') return Math.max(1, Math.ceil(x.retryAfterSeconds));
  if (typeof x.retryAfterMs === 'number') return Math.max(1, Math.ceil(x.retryAfterMs / 1000));
  return undefined;
}

/** Error codes of a full queue; decided on codes, never on wording. */
const OVERLOADED = new Set<string>(['OVERLOADED', 'RESOURCE_EXHAUSTED']);

/**
 * The HTTP status of any thrown value, as Triton maps its own codes: invalid input 400, unknown model
 * 404, not ready or overloaded 503 (with Retry-After when the runtime says when), everything else 500.
 */
export function toHttpError(e: unknown): HttpError {
  if (e instanceof HttpError) return e;
  if (e instanceof MlopsError) {
    const msg = e.describe();
    if (OVERLOADED.has(e.code))
      return withReason(new HttpError(503, msg, { 'Retry-After': String(retryAfterSeconds(e) ?? 1) }), 'overloaded');
    switch (e.code) {
      case 'INVALID_ARGUMENT':
        return new HttpError(400, msg);
      case 'NOT_FOUND':
        return new HttpError(404, msg);
      case 'UNAVAILABLE':
      case 'INVALID_STATE':
      case 'CANCELLED': {
        const after = retryAfterSeconds(e);
        const err = new HttpError(503, msg, after ? { 'Retry-After': String(after) } : {});
        return withReason(err, e.code === 'CANCELLED' ? 'cancelled' : 'unavailable');
      }
      default:
        return new HttpError(500, msg);
    }
  }
  return new HttpError(500, `Internal error: ${e instanceof Error ? e.message : String(e)}`);
}

function withReason(e: HttpError, reason: FailureReason): HttpError {
  e.reason = reason;
  return e;
}

/** The failure label for /metrics: the runtime's reason when known, else the status's. */
export function failureReason(e: HttpError): FailureReason {
  if (e.reason) return e.reason;
  if (e.status >= 400 && e.status < 500) return 'invalid';
  if (e.status === 503) return 'overloaded';
  return 'internal';
}
