import { mkdirSync, writeFileSync } from 'node:fs';
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

/** Writes bench/results/<stamp>.json and .md plus latest.json/latest.md. */
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
  const json = JSON.stringify({ meta, rows }, null, 2);
  const md = [
    `# Benchmark results ${meta.date}`,
    '',
    `Node ${meta.node}, ${meta.cpus} x ${meta.cpu}, ${meta.platform}.`,
    '',
    '| suite | measure | value | unit | note |',
    '|---|---|---:|---|---|',
    ...rows.map((r) => `| ${r.suite} | ${r.name} | ${r.value} | ${r.unit} | ${r.note ?? ''} |`),
    '',
  ].join('\n');
  for (const base of [stamp, 'latest']) {
    writeFileSync(path.join(dir, `${base}.json`), json);
    writeFileSync(path.join(dir, `${base}.md`), md);
  }
  return { json: path.join(dir, 'latest.json'), md: path.join(dir, 'latest.md') };
}
