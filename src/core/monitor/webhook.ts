import { MlopsError } from '../errors';
import { STATE_LABEL, type Evaluation } from './types';

/** The JSON a webhook receives per state change: Slack's `text` plus the structured evaluation. */
export interface WebhookPayload {
  text: string;
  monitor: string;
  model: string;
  version: number | null;
  state: string;
  previousState: string | null;
  at: string;
  breaches: Evaluation['events'];
  checks: { check: string; state: string; value: number | null; threshold: number | null; unit: string }[];
}

export function webhookPayload(e: Evaluation): WebhookPayload {
  const icon =
    e.state === 'critical'
      ? ':red_circle:'
      : e.state === 'warning'
        ? ':warning:'
        : e.state === 'ok'
          ? ':white_check_mark:'
          : ':grey_question:';
  const was = e.previousState ? ` (was ${STATE_LABEL[e.previousState]})` : '';
  const why = e.events.map((b) => `${b.check} ${fmt(b.value)} past ${fmt(b.threshold)} ${b.unit}`.trim()).join('; ');
  // The monitor's failure, or each check's: the channel learns why a state is "No data".
  const errors = [e.error, ...e.checks.map((c) => c.error && `${c.kind}: ${c.error}`)].filter(Boolean);
  return {
    text: `${icon} ${e.monitor}: ${STATE_LABEL[e.state]}${was}${why ? ` - ${why}` : ''}${errors.map((x) => ` - ${x}`).join('')}`,
    monitor: e.monitor,
    model: e.model,
    version: e.version,
    state: e.state,
    previousState: e.previousState,
    at: e.at,
    breaches: e.events,
    checks: e.checks.map((c) => ({
      check: c.kind,
      state: c.state,
      value: c.value,
      threshold: c.threshold,
      unit: c.unit,
    })),
  };
}

function fmt(v: number | null): string {
  return v === null ? 'n/a' : String(Number(v.toPrecision(3)));
}

export interface WebhookOptions {
  attempts?: number;
  timeoutMs?: number;
  baseDelayMs?: number;
  signal?: AbortSignal;
}

/**
 * POSTs the payload, retrying network errors, 429 and 5xx with exponential backoff; each attempt has a
 * timeout. A 4xx other than 429 is not retried (the URL or the payload is wrong). Throws REMOTE /
 * UNAVAILABLE when it gives up; the monitor reports that and goes on.
 */
export async function postWebhook(url: string, payload: unknown, o: WebhookOptions = {}): Promise<void> {
  const attempts = o.attempts ?? 3;
  const body = JSON.stringify(payload);
  let last = '';
  for (let i = 0; i < attempts; i++) {
    if (i > 0) await new Promise((r) => setTimeout(r, (o.baseDelayMs ?? 500) * 2 ** (i - 1)));
    const timeout = AbortSignal.timeout(o.timeoutMs ?? 10_000);
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        signal: o.signal ? AbortSignal.any([o.signal, timeout]) : timeout,
      });
      await res.arrayBuffer().catch(() => undefined);
      if (res.ok) return;
      last = `HTTP ${res.status}`;
      if (res.status < 500 && res.status !== 429)
        throw new MlopsError(
          'REMOTE',
          `The webhook ${redact(url)} answered ${last}.`,
          'Check the webhook URL in mlops.yaml.',
        );
    } catch (e) {
      if (e instanceof MlopsError) throw e;
      if (o.signal?.aborted) throw e;
      last = e instanceof Error ? (e.name === 'TimeoutError' ? 'timed out' : e.message) : String(e);
    }
  }
  throw new MlopsError(
    'UNAVAILABLE',
    `The webhook ${redact(url)} could not be reached (${last}) after ${attempts} attempts.`,
    'Check the URL and the network; the next state change is sent again.',
  );
}

/** Webhook URLs often carry a secret in the path (Slack): show only the origin. */
function redact(url: string): string {
  try {
    return new URL(url).origin + '/…';
  } catch {
    return 'URL';
  }
}
