import { MlopsError } from '../../errors';

/**
 * Our bookkeeping in MLflow tags, all under the `mlops.` prefix so people (and MLflow's UI) can tell them
 * apart from their own: on each model version the file's sha256/size/name, the ONNX signature, the status
 * (archive is a tag: stages are deprecated), lineage, and the metrics/params mirrored from the push run;
 * on each registered model the audit history (auditTags.ts).
 */
export const TAG = {
  sha256: 'mlops.sha256',
  size: 'mlops.size',
  fileName: 'mlops.file_name',
  status: 'mlops.status',
  signature: 'mlops.signature',
  onnx: 'mlops.onnx',
  createdBy: 'mlops.created_by',
  parentVersion: 'mlops.parent_version',
  runId: 'mlops.run_id',
  /** sha256 of "<file sha256>:<idempotency key>" (push.ts): a retried push finds its version by it. */
  pushKey: 'mlops.push_key',
  metricPrefix: 'mlops.metric.',
  paramPrefix: 'mlops.param.',
  historyPrefix: 'mlops.history.',
} as const;

export const RESERVED_PREFIX = 'mlops.';
/** MLflow caps model-registry tag keys at 250 characters and values at 5000. */
export const MAX_TAG_KEY = 250;
export const MAX_TAG_VALUE = 5000;
const PART = '.part';

/**
 * Lineage tags other MLOps features write for people to read (a quantized child's source and method, the
 * breach that triggered a retrain): under the prefix, yet ordinary version tags on both backends.
 */
export const LINEAGE_TAGS: ReadonlySet<string> = new Set([
  'mlops.optimized_from',
  'mlops.optimization',
  'mlops.trigger',
]);

export function isOurs(key: string): boolean {
  return key.startsWith(RESERVED_PREFIX) && !LINEAGE_TAGS.has(key);
}

export function userTags(tags: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(tags).filter(([k]) => !isOurs(k)));
}

/** Tags the user sets must not collide with ours, or a version's bookkeeping could be overwritten. */
export function assertUserTagKeys(keys: Iterable<string>): void {
  for (const k of keys) {
    if (isOurs(k)) {
      throw new MlopsError(
        'INVALID_ARGUMENT',
        `The tag "${k}" starts with "${RESERVED_PREFIX}", which MLOps Studio reserves for its own bookkeeping on MLflow.`,
        'Choose a tag name without that prefix.',
      );
    }
  }
}

export function assertTagKeyFits(kind: string, key: string, prefix: string): void {
  if (prefix.length + key.length > MAX_TAG_KEY) {
    throw new MlopsError(
      'INVALID_ARGUMENT',
      `The ${kind} name "${key.slice(0, 40)}…" is too long for MLflow once stored as the tag "${prefix}…" (at most ${MAX_TAG_KEY - prefix.length} characters).`,
      `Use a shorter ${kind} name.`,
    );
  }
}

/** Values longer than MLflow's limit are split over `<key>`, `<key>.part2`, ... and joined on read. */
export function putLong(out: Record<string, string>, key: string, value: string): void {
  out[key] = value.slice(0, MAX_TAG_VALUE);
  for (let i = 1; i * MAX_TAG_VALUE < value.length; i++)
    out[`${key}${PART}${i + 1}`] = value.slice(i * MAX_TAG_VALUE, (i + 1) * MAX_TAG_VALUE);
}

export function getLong(tags: Record<string, string>, key: string): string | undefined {
  if (tags[key] === undefined) return undefined;
  let v = tags[key];
  for (let i = 2; tags[`${key}${PART}${i}`] !== undefined; i++) v += tags[`${key}${PART}${i}`];
  return v;
}

export function prefixed(tags: Record<string, string>, prefix: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(tags)) if (k.startsWith(prefix)) out[k.slice(prefix.length)] = v;
  return out;
}

export function jsonOrNull<T>(s: string | undefined): T | null {
  if (!s) return null;
  try {
    return JSON.parse(s) as T;
  } catch {
    return null;
  }
}
