import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** One measured quantity. Times in milliseconds unless `unit` says otherwise. */
export interface BenchRow {
  suite: string;
  name: string;
  value: number;
  unit: string;
  /** Free-form context: sample count, sizes, baseline, ratio. */
  note?: string;
}

export interface BenchSuite {
  name: string;
  run(log: (s: string) => void): Promise<BenchRow[]>;
}

export function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function quantile(xs: number[], q: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
}

export function round(v: number, digits = 3): number {
  return Number(v.toPrecision(digits));
}

/**
 * Writes bench/results/<stamp>.json and .md (this run's rows) plus latest.json/latest.md: the newest
 * rows of every suite, so `npm run bench serve` replaces the serve rows and keeps the others' (each
 * suite's run date is in meta.suites).
 */
export function writeResults(
  rows: BenchRow[],
  dir = path.join(process.cwd(), 'bench', 'results'),
): { json: string; md: string } {
  mkdirSync(dir, { recursive: true });
  const meta = {
    date: new Date().toISOString(),
    node: process.version,
    cpus: os.cpus().length,
    cpu: os.cpus()[0]?.model ?? 'unknown',
    platform: `${process.platform}-${process.arch}`,
  };
  const stamp = meta.date.replace(/[:.]/g, '-');
  const ran = new Set(rows.map((r) => r.suite));
  const previous = readLatest(path.join(dir, 'latest.json'));
  const suites: Record<string, string> = { ...previous.suites };
  for (const s of ran) suites[s] = meta.date;
  const latestRows = [...previous.rows.filter((r) => !ran.has(r.suite)), ...rows];
  write(path.join(dir, stamp), meta, rows);
  write(path.join(dir, 'latest'), { ...meta, suites }, latestRows);
  return { json: path.join(dir, 'latest.json'), md: path.join(dir, 'latest.md') };
}

function readLatest(file: string): { rows: BenchRow[]; suites: Record<string, string> } {
  try {
    const old = JSON.parse(readFileSync(file, 'utf8')) as {
      meta?: { date?: string; suites?: Record<string, string> };
      rows?: BenchRow[];
    };
    const rows = Array.isArray(old.rows) ? old.rows : [];
    const suites = old.meta?.suites ?? Object.fromEntries(rows.map((r) => [r.suite, old.meta?.date ?? 'unknown']));
    return { rows, suites };
  } catch {
    return { rows: [], suites: {} };
  }
}

interface Meta {
  date: string;
  node: string;
  cpus: number;
  cpu: string;
  platform: string;
  suites?: Record<string, string>;
}

function write(base: string, meta: Meta, rows: BenchRow[]): void {
  writeFileSync(`${base}.json`, JSON.stringify({ meta, rows }, null, 2));
  const md = [
    `# Benchmark results ${meta.date}`,
    '',
    `Node ${meta.node}, ${meta.cpus} x ${meta.cpu}, ${meta.platform}.`,
    ...(meta.suites
      ? [
          `Suites run: ${Object.entries(meta.suites)
            .map(([k, v]) => `${k} ${v}`)
            .join(', ')}.`,
        ]
      : []),
    '',
    '| suite | measure | value | unit | note |',
    '|---|---|---:|---|---|',
    ...rows.map((r) => `| ${r.suite} | ${r.name} | ${r.value} | ${r.unit} | ${r.note ?? ''} |`),
    '',
  ].join('\n');
  writeFileSync(`${base}.md`, md);
}
