import { MlopsError } from '../../errors';
import type { Disposable, Registry } from '../../registry/registry';
import { inputChanges } from '../../registry/signatureChange';
import { RunnerCache, type RunnerFactory } from './liveRunner';
import { ServedModel } from './servedModel';
import { type DeployEvent, Slot } from './slot';
import type { Target } from './target';

export interface ModelSpec {
  primary: Target;
  /** A share of the traffic in (0, 1) goes to this target. */
  canary?: { target: Target; share: number };
  /** Runs a copy of every request; the answer is always the primary's. */
  shadow?: Target;
}

export interface ModelSetOptions {
  factory: RunnerFactory;
  /** Watched for alias moves (promote / roll back from anywhere); absent for bare files. */
  registry?: Registry;
  /** Slow poll in case a change notification is missed (ms; 0 = none). Default 30 s. */
  pollMs?: number;
  onEvent?: (e: DeployEvent) => void;
}

/** The models a server answers for, each following its targets. */
export class ModelSet {
  readonly models = new Map<string, ServedModel>();
  private readonly cache: RunnerCache;
  private watcher: Disposable | undefined;
  private timer: NodeJS.Timeout | undefined;

  private constructor(opts: ModelSetOptions) {
    this.cache = new RunnerCache(opts.factory);
  }

  /** Loads and warms every target, then starts following the moving ones. */
  static async start(specs: ModelSpec[], opts: ModelSetOptions): Promise<ModelSet> {
    const set = new ModelSet(opts);
    const onEvent = opts.onEvent ?? (() => undefined);
    for (const spec of specs) {
      const name = spec.primary.model;
      if (set.models.has(name)) {
        throw new MlopsError(
          'INVALID_ARGUMENT',
          `Model "${name}" is named twice.`,
          'Serve each model once; put a second version beside it with --canary or --shadow.',
        );
      }
      for (const other of [spec.canary?.target, spec.shadow]) {
        if (other && other.model !== name)
          throw new MlopsError(
            'INVALID_ARGUMENT',
            `${other.label} is not a version of "${name}".`,
            'A canary or shadow must be another version of a served model.',
          );
      }
      const slot = (role: 'primary' | 'canary' | 'shadow', t: Target) => new Slot(role, t, set.cache, onEvent);
      const model = new ServedModel(
        name,
        slot('primary', spec.primary),
        spec.canary ? { slot: slot('canary', spec.canary.target), share: spec.canary.share } : undefined,
        spec.shadow ? slot('shadow', spec.shadow) : undefined,
      );
      set.models.set(name, model);
    }
    try {
      for (const m of set.models.values()) for (const s of m.slots) await s.start();
      for (const m of set.models.values()) checkSameInputs(m.slots);
    } catch (e) {
      await set.close();
      throw e;
    }
    if (opts.registry && set.moving().length > 0) {
      set.watcher = opts.registry.watch(() => void set.refresh());
      const poll = opts.pollMs ?? 30_000;
      if (poll > 0) {
        set.timer = setInterval(() => void set.refresh(), poll);
        set.timer.unref();
      }
      // An alias moved while the first versions loaded (before the watch began) would otherwise wait for
      // the slow poll: look once more now that every later change is seen.
      await set.refresh();
    }
    return set;
  }

  private moving(): Slot[] {
    return [...this.models.values()].flatMap((m) => m.slots).filter((s) => s.target.moves);
  }

  /** Re-resolves every alias / latest target (swaps what moved). */
  async refresh(): Promise<void> {
    await Promise.all(this.moving().map((s) => s.refresh()));
  }

  get(name: string): ServedModel | undefined {
    return this.models.get(name);
  }

  /** The model /invocations answers for: the first one given. */
  first(): ServedModel {
    return this.models.values().next().value as ServedModel;
  }

  get ready(): boolean {
    return [...this.models.values()].every((m) => m.ready);
  }

  /** Stops following; every runner retires once its requests are answered. */
  async close(): Promise<void> {
    this.watcher?.dispose();
    if (this.timer) clearInterval(this.timer);
    await Promise.all([...this.models.values()].flatMap((m) => m.slots).map((s) => s.close()));
  }
}

/**
 * A canary or shadow must take the primary's inputs: a canary taking others fails its share of requests
 * that the primary would answer, and a shadow fails every copy, so neither compares anything.
 */
function checkSameInputs(slots: Slot[]): void {
  const [primary, ...others] = slots;
  for (const other of others) {
    const changes = inputChanges(primary.live?.info.signature ?? null, other.live?.info.signature ?? null);
    if (changes.length === 0) continue;
    const version = (s: Slot) => (s.live ? ` (v${s.live.served.version})` : '');
    throw new MlopsError(
      'INVALID_ARGUMENT',
      `The ${other.role} ${other.target.label}${version(other)} takes other inputs than ${primary.target.label}${version(primary)}: ${changes.join('; ')}. Requests sent to it would fail.`,
      `Give --${other.role} a version with the same inputs.`,
    );
  }
}
