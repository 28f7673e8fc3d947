import type { InferRequest, InferResponse, ModelRunner, RequestTiming, ServedVersion } from '../types';
import type { VersionInfo } from './target';

/**
 * A loaded runner and the requests it is computing. Retiring it waits for those requests, then closes
 * the runner: a swap never cuts a request short, and nothing runs on a closed runner.
 */
export class LiveRunner {
  private inflight = 0;
  private idle: (() => void) | undefined;
  private retired: Promise<void> | undefined;

  constructor(
    readonly info: VersionInfo,
    readonly runner: ModelRunner,
  ) {}

  get served(): ServedVersion {
    return this.info.served;
  }

  get pending(): number {
    return this.inflight;
  }

  async infer(
    request: InferRequest,
    signal?: AbortSignal,
  ): Promise<{ response: InferResponse; timing: RequestTiming }> {
    this.inflight++;
    try {
      return await this.runner.infer(request, signal);
    } finally {
      if (--this.inflight === 0) this.idle?.();
    }
  }

  /** Waits for the requests in flight, then closes the runner (once, however often it is called). */
  retire(): Promise<void> {
    this.retired ??= (async () => {
      if (this.inflight > 0) await new Promise<void>((r) => (this.idle = r));
      await this.runner.close();
    })();
    return this.retired;
  }
}

export type RunnerFactory = (info: VersionInfo) => Promise<ModelRunner>;

/**
 * Loaded runners shared by the slots that serve the same version (a canary alias pointing where the
 * primary alias points loads the model once), counted so the last slot to let go retires it.
 */
export class RunnerCache {
  private readonly entries = new Map<string, { refs: number; live: Promise<LiveRunner> }>();

  constructor(private readonly factory: RunnerFactory) {}

  private static key(v: ServedVersion): string {
    return `${v.model}\u0000${v.version}\u0000${v.sha256}`;
  }

  /** The runner of `info`, loading and warming it on first use. */
  async acquire(info: VersionInfo): Promise<LiveRunner> {
    const key = RunnerCache.key(info.served);
    let e = this.entries.get(key);
    if (!e) {
      const live = this.factory(info).then((r) => new LiveRunner(info, r));
      e = { refs: 0, live };
      this.entries.set(key, e);
      live.catch(() => {
        if (this.entries.get(key) === e) this.entries.delete(key);
      });
    }
    e.refs++;
    try {
      return await e.live;
    } catch (err) {
      e.refs--;
      throw err;
    }
  }

  /** Lets go of a runner; the last holder retires it (after its requests finish). */
  release(live: LiveRunner): Promise<void> {
    const key = RunnerCache.key(live.served);
    const e = this.entries.get(key);
    if (e && --e.refs <= 0) {
      this.entries.delete(key);
      return live.retire();
    }
    return Promise.resolve();
  }
}
