import { isMlopsError } from '../../errors';
import type { ModelVersion } from '../types';
import { toVersion } from './convert';
import type { PushOutcome } from './mlflowPush';
import { MlflowApiError } from './remoteErrors';
import { retryRead, type RetryPolicy } from './retry';
import type { Logger } from './transport';

/**
 * The version a push registered, read back for the caller after the push's last write. The read changes
 * nothing, so it is retried while the server is unreachable or failing; if it never answers, the push
 * still succeeded (every write was acknowledged), so the version is built from the server's own answer to
 * the registration and the alias moved — reporting a failure would make a CI job push again.
 */
export async function readBackPushed(
  read: () => Promise<ModelVersion>,
  pushed: PushOutcome,
  o: { model: string; server: string; retry: RetryPolicy; log?: Logger },
): Promise<ModelVersion> {
  try {
    return await retryRead(read, o.retry, isTransient, (n, ms) =>
      o.log?.('warn', `reading back version ${pushed.version} failed; retrying in ${ms} ms (attempt ${n + 1})`),
    );
  } catch (e) {
    if (!isTransient(e)) throw e;
    o.log?.(
      'warn',
      `version ${pushed.version} of "${o.model}" was registered, but ${o.server} did not answer the read-back (${e instanceof Error ? e.message : String(e)}); reporting the registration's answer`,
    );
    return toVersion(pushed.registered, pushed.aliases);
  }
}

/** Failures that say "try later": the server unreachable, overloaded or failing (5xx), not a refusal. */
export function isTransient(e: unknown): boolean {
  if (isMlopsError(e, 'UNAVAILABLE')) return true;
  return e instanceof MlflowApiError && e.status !== undefined && e.status >= 500;
}
