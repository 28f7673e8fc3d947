/** Small human formats shared by the CLI and the extension. */

export function timeAgo(ms: number, now = Date.now()): string {
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 45) return 'just now';
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min ago`;
  const h = Math.round(m / 60);
  if (h < 24) return `${h} h ago`;
  const d = Math.round(h / 24);
  if (d < 45) return `${d} d ago`;
  const mo = Math.round(d / 30);
  if (mo < 18) return `${mo} mo ago`;
  return `${Math.round(d / 365)} y ago`;
}

/** A size, or "unknown" when nobody recorded it (a version another MLflow client registered). */
export function formatBytes(n: number | null): string {
  if (n === null) return 'unknown';
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}

/** A fact the registry may not know (author, sha256): the value, or "unknown"; `max` shortens it. */
export function orUnknown(s: string | null, max?: number): string {
  if (s === null || s === '') return 'unknown';
  return max === undefined ? s : s.slice(0, max);
}

/** Metric values: up to 4 significant digits, no exponent for everyday magnitudes. */
export function formatMetric(v: number): string {
  if (Number.isInteger(v)) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e6)) return v.toExponential(2);
  return String(Number(v.toPrecision(4)));
}

export function formatDims(shape: (number | string | null)[] | null): string {
  if (shape === null) return '?';
  return `[${shape.map((d) => (d === null ? '?' : String(d))).join(', ')}]`;
}
