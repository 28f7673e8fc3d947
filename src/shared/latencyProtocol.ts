import type {
  LatencyLine,
  LatencyPoint,
  LatencySnapshot,
  LatencyTotals,
  RoleInfo,
  ServingRole,
} from '../core/serving/latency/types';
import { hasFields, isArrayOf, isBoolean, isNumber, isRecord, isString, oneOf } from './validate';

/**
 * The one contract between the Latency panel (webview/latency) and its host (src/extension/serving).
 * Handshake as in the other panels: the webview posts `ready` when its script starts (again after a hide
 * and show), the host answers with what it last sent. The webview asks for a range; the host reads the
 * running server's metrics (live) or the prediction log (last hour / day) and sends only the series drawn.
 */
export const LATENCY_PROTOCOL = 1;

export type LatencyRange = 'live' | 'hour' | 'day';
export const LATENCY_RANGES: readonly LatencyRange[] = ['live', 'hour', 'day'];

export type { LatencyLine, LatencyPoint, LatencySnapshot, LatencyTotals, RoleInfo, ServingRole };

export interface LatencyView {
  /** "fraud@production :53817" or "fraud v3". */
  title: string;
  /** Whether an endpoint serves it now (live is offered only then). */
  running: boolean;
  range: LatencyRange;
  snapshot: LatencySnapshot;
}

/**
 * What the panel is about, kept by the webview with setState so VS Code can bring the panel back after a
 * window reload: a version's log (version set), or an endpoint's model (version null; the endpoint itself
 * does not outlive the reload, its prediction log does). `title` is the endpoint's label or "fraud v3".
 */
export interface LatencyAbout {
  model: string;
  version: number | null;
  title: string;
}

export type HostToWebview =
  /** Sent on every `ready`, before any data. */
  | { type: 'about'; about: LatencyAbout }
  | { type: 'latency'; view: LatencyView }
  /** The range cannot be drawn (no prediction log yet, the endpoint stopped): a sentence saying what to do. */
  | { type: 'latencyError'; title: string; running: boolean; range: LatencyRange; message: string };

export type WebviewToHost =
  | { type: 'ready'; protocol: typeof LATENCY_PROTOCOL }
  | { type: 'setRange'; range: LatencyRange }
  /** After drawing: the charts with data and the points drawn (the integration suite checks it). */
  | { type: 'rendered'; range: LatencyRange; charts: string[]; points: number };

const isRange = oneOf<LatencyRange>('live', 'hour', 'day');
const isPoint = hasFields<LatencyPoint>({
  t: isNumber,
  requests: isNumber,
  errors: isNumber,
  p50: isNumber,
  p95: isNumber,
  p99: isNumber,
  queueMs: isNumber,
  computeMs: isNumber,
  batchSize: isNumber,
});
const isRole = oneOf<ServingRole>('primary', 'canary', 'shadow');
const isLine = hasFields<LatencyLine>({
  version: isNumber,
  role: isRole,
  points: isArrayOf(isPoint),
});
const isShare = (v: unknown): v is number | null => v === null || (isNumber(v) && v > 0 && v <= 1);
const isRoleInfo = hasFields<RoleInfo>({ version: isNumber, role: isRole, share: isShare });
const isTotals = hasFields<LatencyTotals>({
  requests: isNumber,
  errors: isNumber,
  perSecond: isNumber,
  p50: isNumber,
  p95: isNumber,
  p99: isNumber,
});
export const isSnapshot = hasFields<LatencySnapshot>({
  source: oneOf('live', 'log'),
  from: isNumber,
  to: isNumber,
  bucketMs: isNumber,
  lines: isArrayOf(isLine),
  roles: isArrayOf(isRoleInfo),
  totals: isTotals,
  notes: isArrayOf(isString),
});
const MAX_TITLE = 500;
export const isLatencyAbout = hasFields<LatencyAbout>({
  model: (v): v is string => isString(v) && v.length > 0 && v.length <= MAX_TITLE,
  version: (v): v is number | null => v === null || (isNumber(v) && Number.isInteger(v) && v >= 1),
  title: (v): v is string => isString(v) && v.length <= MAX_TITLE,
});
export const isLatencyView = hasFields<LatencyView>({
  title: isString,
  running: isBoolean,
  range: isRange,
  snapshot: isSnapshot,
});

/** What the labels need of a snapshot: its lines' versions and roles, and the roles in play. */
interface VersionsInPlay {
  lines: readonly { version: number; role: ServingRole }[];
  roles: readonly RoleInfo[];
}

/**
 * How the legend and the summary name a version: "v3" alone, or with its role once a canary or a shadow
 * is in play: "v3 (primary)", "v4 (canary 10%)", "v4 (shadow)". The share comes from `roles`.
 */
export function roleLabel(line: { version: number; role: ServingRole }, snapshot: VersionsInPlay): string {
  const name = `v${line.version}`;
  const mixed = [...snapshot.roles, ...snapshot.lines].some((x) => x.role !== 'primary');
  if (!mixed) return name;
  const share = snapshot.roles.find((r) => r.version === line.version && r.role === line.role)?.share ?? null;
  return `${name} (${line.role}${line.role === 'canary' && share !== null ? ` ${percent(share)}` : ''})`;
}

/** Every version the snapshot names, once per role, primary first: the summary's "Versions" row. */
export function roleLabels(snapshot: VersionsInPlay): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const x of [...snapshot.roles, ...snapshot.lines]) {
    const key = `${x.version}/${x.role}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(roleLabel(x, snapshot));
  }
  return out;
}

/** 0.1 -> "10%", 0.125 -> "12.5%". */
function percent(share: number): string {
  return `${Number((share * 100).toPrecision(3))}%`;
}

export function parseHostMessage(v: unknown): HostToWebview | undefined {
  if (!isRecord(v)) return undefined;
  switch (v.type) {
    case 'about':
      return isLatencyAbout(v.about) ? { type: 'about', about: v.about } : undefined;
    case 'latency':
      return isLatencyView(v.view) ? { type: 'latency', view: v.view } : undefined;
    case 'latencyError':
      return isString(v.title) && isBoolean(v.running) && isRange(v.range) && isString(v.message)
        ? { type: 'latencyError', title: v.title, running: v.running, range: v.range, message: v.message }
        : undefined;
    default:
      return undefined;
  }
}

export function parseWebviewMessage(v: unknown): WebviewToHost | undefined {
  if (!isRecord(v)) return undefined;
  switch (v.type) {
    case 'ready':
      return v.protocol === LATENCY_PROTOCOL ? { type: 'ready', protocol: LATENCY_PROTOCOL } : undefined;
    case 'setRange':
      return isRange(v.range) ? { type: 'setRange', range: v.range } : undefined;
    case 'rendered':
      return isRange(v.range) &&
        isArrayOf(isString)(v.charts) &&
        isNumber(v.points) &&
        Number.isInteger(v.points) &&
        v.points >= 0
        ? { type: 'rendered', range: v.range, charts: v.charts, points: v.points }
        : undefined;
    default:
      return undefined;
  }
}

/**
 * What the webview keeps with setState: the range chosen and the last view drawn (shown at once on show),
 * and what the panel is about (its serializer reads it after a window reload).
 */
export interface LatencyViewState {
  protocol: typeof LATENCY_PROTOCOL;
  range: LatencyRange;
  last: LatencyView | null;
  about: LatencyAbout | null;
}

export function parseViewState(v: unknown): LatencyViewState | undefined {
  if (!isRecord(v) || v.protocol !== LATENCY_PROTOCOL) return undefined;
  return {
    protocol: LATENCY_PROTOCOL,
    range: isRange(v.range) ? v.range : 'live',
    last: isLatencyView(v.last) ? v.last : null,
    about: isLatencyAbout(v.about) ? v.about : null,
  };
}
