import { errorMessage, isMlopsError } from '../../errors';
import type { InferRequest, ModelRunner } from '../types';
import { failed, type LoadTarget, OK, type SendOutcome } from './target';

/**
 * A model run in this process through a `ModelRunner` (the same engine the server uses, sessions in
 * worker threads), with no HTTP: measures the model alone. Errors are named by their MlopsError code
 * ('invalid_argument', 'unavailable', ...), anything else 'internal'; no answer in time 'timeout'.
 */
export class RunnerTarget implements LoadTarget {
  readonly name: string;

  constructor(
    private readonly runner: ModelRunner,
    private readonly requests: InferRequest[],
    private readonly timeoutMs: number,
    /** Whether close() also closes the runner (false when the caller keeps using it). */
    private readonly ownsRunner = false,
  ) {
    if (requests.length === 0) throw new Error('RunnerTarget needs at least one request');
    const { model, version } = runner.served;
    this.name = `in-process ${model}${version ? ` v${version}` : ''}`;
  }

  async send(seq: number, signal: AbortSignal): Promise<SendOutcome> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<SendOutcome>((r) => (timer = setTimeout(() => r(failed('timeout')), this.timeoutMs)));
    const run = this.runner.infer(this.requests[seq % this.requests.length], signal).then(
      (): SendOutcome => OK,
      (e: unknown) => failed(isMlopsError(e) ? e.code.toLowerCase() : 'internal', errorMessage(e)),
    );
    try {
      return await Promise.race([run, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    if (this.ownsRunner) await this.runner.close();
  }
}
