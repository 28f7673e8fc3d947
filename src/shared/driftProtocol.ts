import type { DriftResult, FeatureDrift } from '../core/drift/result';
import { hasFields, isArrayOf, isBoolean, isNullableNumber, isNumber, isRecord, isString, oneOf } from './validate';

/**
 * The one contract between the drift panel (webview/drift) and its host (src/extension/drift).
 * One discriminated union per direction, validated on receipt. Handshake: the webview posts `ready`
 * when its script has started; only then does the host post, and it posts its latest state again on
 * every `ready` (a panel that was hidden and restored starts a new script).
 */
export const DRIFT_PROTOCOL = 1;

export interface DriftFiles {
  reference: { path: string; label: string };
  current: { path: string; label: string };
  /** The model version the panel is for (Show Drift), or null for two files compared directly. */
  model?: { name: string; version: string } | null;
}

export type HostToWebview =
  | { type: 'loading'; files: DriftFiles; message: string; fraction: number | null }
  | { type: 'result'; files: DriftFiles; result: DriftResult }
  | { type: 'error'; files: DriftFiles; message: string; hint: string | null };

export type WebviewToHost =
  | { type: 'ready'; protocol: typeof DRIFT_PROTOCOL }
  | { type: 'refresh' }
  | { type: 'cancel' }
  | { type: 'openFile'; which: 'reference' | 'current' }
  | { type: 'exportReport'; format: 'html' | 'md' | 'json' }
  /** After drawing a result: how many feature rows the table shows (the host knows what the user sees). */
  | { type: 'rendered'; rows: number; generatedAt: string };

/** What the webview keeps with setState, so a hidden panel comes back as it was. */
export interface DriftViewState {
  protocol: typeof DRIFT_PROTOCOL;
  files: DriftFiles | null;
  selected: string | null;
  sort: { key: SortKey; descending: boolean };
  onlyDrifted: boolean;
  filter: string;
}

export type SortKey = 'name' | 'type' | 'method' | 'score' | 'verdict' | 'psi' | 'missing';
export const SORT_KEYS: readonly SortKey[] = ['name', 'type', 'method', 'score', 'verdict', 'psi', 'missing'];

const isFileRef = hasFields<{ path: string; label: string }>({ path: isString, label: isString });
const isModelRef = (v: unknown): boolean =>
  v === undefined || v === null || (isRecord(v) && isString(v.name) && isString(v.version));
const isFiles = (v: unknown): v is DriftFiles =>
  hasFields<Pick<DriftFiles, 'reference' | 'current'>>({ reference: isFileRef, current: isFileRef })(v) &&
  isModelRef((v as Record<string, unknown>).model);

const isHistogram = (v: unknown): boolean =>
  v === null ||
  (isRecord(v) &&
    isArrayOf(isNumber)(v.reference) &&
    isArrayOf(isNumber)(v.current) &&
    ((v.kind === 'numeric' && isArrayOf(isNumber)(v.edges)) ||
      (v.kind === 'categorical' && isArrayOf(isString)(v.categories))));

const isFeature = (v: unknown): v is FeatureDrift =>
  hasFields<
    Pick<FeatureDrift, 'name' | 'type' | 'method' | 'score' | 'threshold' | 'drifted' | 'psi' | 'rule' | 'status'>
  >({
    name: isString,
    type: oneOf('numeric', 'categorical', 'boolean', 'timestamp'),
    method: oneOf('ks', 'chisquare', 'ztest', 'wasserstein', 'jensenshannon', 'psi'),
    score: isNullableNumber,
    threshold: isNumber,
    drifted: isBoolean,
    psi: isNullableNumber,
    rule: oneOf('p<=', 'p<', '>='),
    status: oneOf('compared', 'skipped'),
  })(v) &&
  isRecord((v as unknown as Record<string, unknown>).reference) &&
  isRecord((v as unknown as Record<string, unknown>).current) &&
  isHistogram((v as unknown as Record<string, unknown>).histogram);

export const isDriftResult = (v: unknown): v is DriftResult =>
  isRecord(v) &&
  v.version === 1 &&
  isArrayOf(isFeature)(v.features) &&
  hasFields<DriftResult['dataset']>({
    drifted: isBoolean,
    driftedFeatures: isNumber,
    features: isNumber,
    share: isNumber,
    threshold: isNumber,
    notCompared: isArrayOf(isString),
  })(v.dataset) &&
  isRecord(v.reference) &&
  isRecord(v.current) &&
  (v.windows === null ||
    (isRecord(v.windows) && Array.isArray(v.windows.windows) && Array.isArray(v.windows.features))) &&
  (v.staleness === null || isRecord(v.staleness));

export function parseHostMessage(v: unknown): HostToWebview | undefined {
  if (!isRecord(v) || !isFiles(v.files)) return undefined;
  switch (v.type) {
    case 'loading':
      return isString(v.message) && isNullableNumber(v.fraction) ? (v as HostToWebview) : undefined;
    case 'result':
      return isDriftResult(v.result) ? (v as HostToWebview) : undefined;
    case 'error':
      return isString(v.message) && (v.hint === null || isString(v.hint)) ? (v as HostToWebview) : undefined;
    default:
      return undefined;
  }
}

export function parseWebviewMessage(v: unknown): WebviewToHost | undefined {
  if (!isRecord(v)) return undefined;
  switch (v.type) {
    case 'ready':
      return v.protocol === DRIFT_PROTOCOL ? { type: 'ready', protocol: DRIFT_PROTOCOL } : undefined;
    case 'refresh':
    case 'cancel':
      return { type: v.type };
    case 'openFile':
      return v.which === 'reference' || v.which === 'current' ? { type: 'openFile', which: v.which } : undefined;
    case 'exportReport':
      return v.format === 'html' || v.format === 'md' || v.format === 'json'
        ? { type: 'exportReport', format: v.format }
        : undefined;
    case 'rendered':
      return isNumber(v.rows) && Number.isInteger(v.rows) && v.rows >= 0 && isString(v.generatedAt)
        ? { type: 'rendered', rows: v.rows, generatedAt: v.generatedAt }
        : undefined;
    default:
      return undefined;
  }
}

export function parseViewState(v: unknown): DriftViewState | undefined {
  if (!isRecord(v) || v.protocol !== DRIFT_PROTOCOL) return undefined;
  const sort =
    isRecord(v.sort) && SORT_KEYS.includes(v.sort.key as SortKey) && isBoolean(v.sort.descending)
      ? (v.sort as DriftViewState['sort'])
      : { key: 'verdict' as const, descending: true };
  return {
    protocol: DRIFT_PROTOCOL,
    files: isFiles(v.files) ? v.files : null,
    selected: isString(v.selected) ? v.selected : null,
    sort,
    onlyDrifted: v.onlyDrifted === true,
    filter: isString(v.filter) ? v.filter : '',
  };
}
