/**
 * Small runtime guards for messages crossing the webview boundary. Both sides validate what they
 * receive: a message that does not fit the contract is dropped (and logged by the host), never trusted.
 */
export type Guard<T> = (v: unknown) => v is T;

export const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
export const isString = (v: unknown): v is string => typeof v === 'string';
export const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
export const isBoolean = (v: unknown): v is boolean => typeof v === 'boolean';
export const isNullableNumber = (v: unknown): v is number | null => v === null || isNumber(v);

export function isArrayOf<T>(guard: Guard<T>): Guard<T[]> {
  return (v: unknown): v is T[] => Array.isArray(v) && v.every(guard);
}

export function oneOf<T extends string>(...values: T[]): Guard<T> {
  return (v: unknown): v is T => typeof v === 'string' && (values as string[]).includes(v);
}

/** An object whose listed fields pass their guards (other fields are allowed and ignored). */
export function hasFields<T>(shape: { [K in keyof T]: Guard<T[K]> }): Guard<T> {
  return (v: unknown): v is T => isRecord(v) && Object.entries(shape).every(([k, g]) => (g as Guard<unknown>)(v[k]));
}
