/**
 * A least-recently-used cache with a byte budget: a worker's loaded sessions, keyed by artifact sha256
 * and weighed by model file size (a fair proxy for a session's memory). Past the budget the least
 * recently used entries are evicted, never the one just added or used, so one model larger than the
 * whole budget still runs.
 */
export class SessionCache<T> {
  private readonly entries = new Map<string, { value: T; bytes: number }>();
  private total = 0;

  constructor(
    private readonly budgetBytes: number,
    private readonly onEvict: (key: string, value: T) => void,
  ) {}

  /** The value, marked most recently used. */
  get(key: string): T | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    this.entries.delete(key);
    this.entries.set(key, e);
    return e.value;
  }

  set(key: string, value: T, bytes: number): void {
    this.delete(key);
    this.entries.set(key, { value, bytes });
    this.total += bytes;
    for (const [k] of this.entries) {
      if (this.total <= this.budgetBytes || k === key) break;
      this.delete(k);
    }
  }

  delete(key: string): void {
    const e = this.entries.get(key);
    if (!e) return;
    this.entries.delete(key);
    this.total -= e.bytes;
    this.onEvict(key, e.value);
  }

  /** Oldest first. */
  list(): { key: string; bytes: number }[] {
    return [...this.entries].map(([key, e]) => ({ key, bytes: e.bytes }));
  }

  clear(): void {
    for (const k of [...this.entries.keys()]) this.delete(k);
  }
}
