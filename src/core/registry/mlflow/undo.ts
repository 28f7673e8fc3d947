import { errorMessage, MlopsError } from '../../errors';
import type { Logger } from './transport';

/**
 * MLflow has no transactions, so a multi-call change (a push: run, upload, version, alias, history)
 * records how to undo each step; when a later step fails, the steps done are undone newest first, and
 * whatever could not be undone is named in the error so nothing is left behind silently.
 */
export class UndoLog {
  private readonly steps: { what: string; run: () => Promise<void> }[] = [];

  constructor(private readonly log?: Logger) {}

  add(what: string, run: () => Promise<void>): void {
    this.steps.push({ what, run });
  }

  /** Undoes everything recorded and returns `error`, completed with what remains on the server. */
  async unwind(error: unknown): Promise<unknown> {
    const left: string[] = [];
    for (const s of this.steps.reverse()) {
      try {
        await s.run();
      } catch (e) {
        this.log?.('warn', `could not undo: ${s.what}: ${errorMessage(e)}`);
        left.push(s.what);
      }
    }
    this.steps.length = 0;
    if (left.length === 0 || !(error instanceof MlopsError)) return error;
    const note = `Cleaning up failed, so this remains on the server: ${left.join('; ')}.`;
    return new MlopsError(error.code, error.message, error.hint ? `${error.hint} ${note}` : note, { cause: error });
  }
}
