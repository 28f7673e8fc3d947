import { errorMessage } from '../../errors';
import { inputChanges } from '../../registry/signatureChange';
import type { LiveRunner, RunnerCache } from './liveRunner';
import type { Target } from './target';

export type Role = 'primary' | 'canary' | 'shadow';

export type DeployEvent =
  | {
      type: 'swap';
      model: string;
      role: Role;
      from: number | null;
      to: number;
      /** The new version takes other inputs than the one it replaces: its callers' requests may fail. */
      inputsChanged?: string[];
    }
  | { type: 'refresh-failed'; model: string; role: Role; target: string; message: string };

/**
 * One role of a served model (primary, canary or shadow) and the runner serving it. A refresh resolves
 * the target again; when it names another version, that version is loaded and warmed first, then the
 * slot switches to it in one assignment and the old runner retires after its requests finish. Refreshes
 * are serialized and coalesced: a change seen during a refresh triggers exactly one more.
 */
export class Slot {
  private live_: LiveRunner | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private closed = false;
  /** The last failure reported, so a lasting problem is reported once, not at every registry change. */
  private lastFailure: string | undefined;

  constructor(
    readonly role: Role,
    readonly target: Target,
    private readonly cache: RunnerCache,
    private readonly onEvent: (e: DeployEvent) => void,
  ) {}

  get live(): LiveRunner | undefined {
    return this.live_;
  }

  /** First load; its failure is the caller's (the server does not start without its models). */
  async start(): Promise<void> {
    await this.update();
  }

  /** Re-resolves the target; failures are reported as events and the current version keeps serving. */
  refresh(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          try {
            await this.update();
            this.lastFailure = undefined;
          } catch (e) {
            const message = errorMessage(e);
            if (message !== this.lastFailure)
              this.onEvent({
                type: 'refresh-failed',
                model: this.target.model,
                role: this.role,
                target: this.target.label,
                message,
              });
            this.lastFailure = message;
          }
        } while (this.again && !this.closed);
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  private async update(): Promise<void> {
    const now = await this.target.current();
    const cur = this.live_?.served;
    if (cur && cur.version === now.version && cur.sha256 === now.sha256) return;
    const info = await this.target.load(now.version);
    const next = await this.cache.acquire(info);
    if (this.closed) {
      await this.cache.release(next);
      return;
    }
    const old = this.live_;
    this.live_ = next; // the switch: requests picked from here on go to the new version
    const changed = old ? inputChanges(old.info.signature, next.info.signature) : [];
    this.onEvent({
      type: 'swap',
      model: this.target.model,
      role: this.role,
      from: old?.served.version ?? null,
      to: next.served.version,
      ...(changed.length > 0 ? { inputsChanged: changed } : {}),
    });
    if (old) this.cache.release(old).catch(() => undefined);
  }

  /** Stops following the target and retires the runner once its requests are answered. */
  async close(): Promise<void> {
    this.closed = true;
    await this.running?.catch(() => undefined);
    const old = this.live_;
    this.live_ = undefined;
    if (old) await this.cache.release(old);
  }
}
