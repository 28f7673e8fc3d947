import { MlopsError } from '../../errors';

/**
 * A request refused because its model's queue is full (code 'OVERLOADED'): the server answers 503 with
 * `Retry-After: retryAfterSeconds`.
 */
export class OverloadedError extends MlopsError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(
      'OVERLOADED',
      message,
      `Retry in ${retryAfterSeconds} s, send fewer concurrent requests, or raise the queue size.`,
    );
  }
}

/** The retry-after hint (seconds) of an OVERLOADED error, else undefined. */
export function retryAfterSeconds(e: unknown): number | undefined {
  return e instanceof OverloadedError ? e.retryAfterSeconds : undefined;
}
