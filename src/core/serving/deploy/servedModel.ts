import { MlopsError } from '../../errors';
import type { LiveRunner } from './liveRunner';
import type { Slot } from './slot';

/**
 * A model served under one name: its primary slot, and optionally a canary taking a share of the
 * traffic and a shadow running a copy of every request. The canary share is spread evenly (error
 * diffusion: 10% sends exactly every tenth request), so a short run already shows the configured share.
 */
export class ServedModel {
  private credit = 0;

  constructor(
    readonly name: string,
    readonly primary: Slot,
    readonly canary?: { slot: Slot; share: number },
    readonly shadow?: Slot,
  ) {}

  get slots(): Slot[] {
    return [this.primary, ...(this.canary ? [this.canary.slot] : []), ...(this.shadow ? [this.shadow] : [])];
  }

  /** The runner for the next request without a version, and whether it is the canary. */
  pick(): { live: LiveRunner; role: 'primary' | 'canary' } {
    const canary = this.canary?.slot.live;
    if (canary && this.canary) {
      this.credit += this.canary.share;
      if (this.credit >= 1 - 1e-9) {
        this.credit -= 1;
        return { live: canary, role: 'canary' };
      }
    }
    const live = this.primary.live;
    if (!live) throw new MlopsError('UNAVAILABLE', `Model "${this.name}" is not loaded.`, 'Retry in a moment.');
    return { live, role: 'primary' };
  }

  /** A loaded version addressed by number (/v2/models/m/versions/3), whichever role serves it. */
  byVersion(version: number): { live: LiveRunner; role: 'primary' | 'canary' } | undefined {
    const p = this.primary.live;
    if (p && p.served.version === version) return { live: p, role: 'primary' };
    const c = this.canary?.slot.live;
    if (c && c.served.version === version) return { live: c, role: 'canary' };
    const s = this.shadow?.live;
    if (s && s.served.version === version) return { live: s, role: 'primary' };
    return undefined;
  }

  /** The shadow runner when it serves another artifact than the one that answered. */
  shadowFor(answered: LiveRunner): LiveRunner | undefined {
    const s = this.shadow?.live;
    return s && s.served.sha256 !== answered.served.sha256 ? s : undefined;
  }

  /** Loaded versions, primary first, without repeats. */
  versions(): number[] {
    const out: number[] = [];
    for (const s of this.slots) {
      const v = s.live?.served.version;
      if (v !== undefined && !out.includes(v)) out.push(v);
    }
    return out;
  }

  get ready(): boolean {
    return this.primary.live !== undefined;
  }
}
