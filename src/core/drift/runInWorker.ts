import type { RunReply } from './driftWorker';
import { reviveError, workerScript } from './parallel';
import type { DriftResult } from './result';
import { type DriftProgress, runDrift, type RunRequest } from './run';
import { callWorker } from './workerCall';

/**
 * A whole drift run in a worker thread: the extension host stays responsive while large files are read
 * and sorted, and cancelling terminates the worker at once. Runs inline when no worker script exists.
 */
export function runDriftInWorker(
  request: RunRequest,
  signal?: AbortSignal,
  onProgress?: (e: DriftProgress) => void,
): Promise<DriftResult> {
  const script = workerScript();
  if (!script) return runDrift({ ...request, signal, onProgress });
  return callWorker<RunReply, DriftResult>(script, { type: 'run', request }, 'The drift comparison', signal, (m) => {
    if (m.type === 'run-progress') return void onProgress?.(m.event);
    if (m.type === 'result') return { result: m.result };
    if (m.type === 'error') return { error: reviveError(m.error) };
    return undefined;
  });
}
