/**
 * Fault injection for the MLflow TEST DOUBLE: the next matching request(s) fail the way real servers and
 * networks fail. `times` counts how many requests are hit (then the fault is used up).
 */
export type FaultKind =
  | 'unauthorized-text' // 401 text/html + WWW-Authenticate, as the basic-auth app answers
  | 'forbidden-text' // 403 "Permission denied" in text/html
  | 'not-found-html' // 404 Werkzeug page
  | 'status' // `status` with a JSON MLflow error (429 REQUEST_LIMIT_EXCEEDED, 500 INTERNAL_ERROR, 503 ...)
  | 'hang' // reads the request, never answers
  | 'malformed-json' // 200 with a truncated JSON body
  | 'reset' // closes the connection without answering, before handling
  | 'reset-after' // handles the request (state changes), then closes without answering
  | 'corrupt-upload'; // an artifact PUT stores different bytes than it received

export interface Fault {
  kind: FaultKind;
  /** Request method to match (any when absent). */
  method?: string;
  /** Substring of (or pattern for) the URL path to match (any when absent). */
  path?: string | RegExp;
  times?: number;
  status?: number;
  retryAfter?: string;
  /**
   * Armed only once a request matching this has been answered (that request itself is not hit): e.g. a
   * server that goes away right after a push's last write.
   */
  after?: { method?: string; path: string | RegExp };
}

export class FaultQueue {
  private readonly faults: (Fault & { left: number; armed: boolean })[] = [];
  /** Every fault that fired, in order, for assertions. */
  readonly fired: { kind: FaultKind; method: string; path: string }[] = [];

  add(f: Fault): void {
    this.faults.push({ ...f, left: f.times ?? 1, armed: f.after === undefined });
  }

  clear(): void {
    this.faults.length = 0;
  }

  get pending(): number {
    return this.faults.reduce((n, f) => n + f.left, 0);
  }

  /** Faults still waiting for their `after` request. */
  get unarmed(): number {
    return this.faults.filter((f) => !f.armed).length;
  }

  /** The fault for this request, if any (consumed). */
  take(method: string, path: string): Fault | undefined {
    const f = this.faults.find(
      (x) => x.armed && x.left > 0 && (!x.method || x.method === method) && matches(x.path, path),
    );
    if (f) {
      f.left--;
      this.fired.push({ kind: f.kind, method, path });
    }
    return f;
  }

  /** Called once a request was answered: arms the faults waiting for it. */
  answered(method: string, path: string): void {
    for (const x of this.faults)
      if (!x.armed && x.after && (!x.after.method || x.after.method === method) && matches(x.after.path, path))
        x.armed = true;
  }
}

function matches(p: string | RegExp | undefined, path: string): boolean {
  if (p === undefined) return true;
  return typeof p === 'string' ? path.includes(p) : p.test(path);
}
