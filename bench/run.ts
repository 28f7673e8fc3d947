import { writeResults, type BenchRow, type BenchSuite } from './harness';
import { driftBench } from './drift.bench';
import { registryBench } from './registry.bench';
import { serveBench } from './serve.bench';

/**
 * `npm run bench [suite...]`: runs the suites (all by default) and writes JSON + Markdown under
 * bench/results/. Machines here are noisy: suites report medians and same-run ratios.
 */
const SUITES: BenchSuite[] = [registryBench, driftBench, serveBench];

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((w) => !SUITES.some((s) => s.name === w));
  if (unknown.length) {
    console.error(`error: unknown suite(s) ${unknown.join(', ')}; known: ${SUITES.map((s) => s.name).join(', ')}`);
    process.exit(2);
  }
  const rows: BenchRow[] = [];
  for (const s of SUITES) {
    if (wanted.length && !wanted.includes(s.name)) continue;
    console.error(`== ${s.name}`);
    rows.push(...(await s.run((m) => console.error(`   ${m}`))));
  }
  const out = writeResults(rows);
  console.log(`Wrote ${out.json} and ${out.md}`);
  for (const r of rows)
    console.log(`${r.suite.padEnd(10)} ${r.name.padEnd(48)} ${String(r.value).padStart(12)} ${r.unit} ${r.note ?? ''}`);
}

void main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
