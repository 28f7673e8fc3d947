/**
 * What a load test drives: something that sends one request and says whether it was answered well.
 * The HTTP target (a running server) and the runner target (a model in this process, no HTTP) implement
 * it; the engine neither knows nor cares which, so both are measured by the same loop.
 */

/** How one request ended: answered well, or failed with a kind ('http_503', 'timeout', 'connection', ...). */
export type SendOutcome = { ok: true } | { ok: false; kind: string; message?: string };

export const OK: SendOutcome = Object.freeze({ ok: true });

/** `message`: what the server or runtime said, when it said something (the report keeps one per kind). */
export function failed(kind: string, message?: string): SendOutcome {
  return message === undefined ? { ok: false, kind } : { ok: false, kind, message };
}

export interface LoadTarget {
  /** How the report names the target ("http://127.0.0.1:8080/v2/models/fraud/infer", "in-process fraud v3"). */
  readonly name: string;
  /**
   * Sends request number `seq` (targets cycle through their pool of pre-built requests by it). Never
   * rejects: every failure is an outcome. `signal` aborts when the run is cancelled; an aborted send may
   * resolve with anything, the engine ignores it.
   */
  send(seq: number, signal: AbortSignal): Promise<SendOutcome>;
  /** Releases connections or the runner; called once by whoever built the target. */
  close(): Promise<void>;
}
