import { isMlopsError } from '../core/errors';

/** The fix the error message offers as its action button. */
export type ErrorFix = 'manageTrust' | 'connectMlflow' | 'selectRegistry';

/**
 * Which fix a failure calls for, decided on the error's code and reason only, never on its wording
 * (CONVENTIONS 18): a reworded message keeps its action. No `vscode` import, so it is unit-tested.
 */
export function fixFor(e: unknown): ErrorFix | undefined {
  if (!isMlopsError(e)) return undefined;
  if (e.reason === 'READ_ONLY_REGISTRY') return 'manageTrust';
  if (e.code === 'UNAUTHENTICATED' || e.reason === 'SERVER_DENIED') return 'connectMlflow';
  if (e.code === 'CORRUPT' || e.code === 'UNAVAILABLE') return 'selectRegistry';
  return undefined;
}
