import { execFileSync, spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type BenchRow, type BenchSuite, median, round } from './harness';

/**
 * `npm run bench drift`: end-to-end `mlops drift` (dist/cli.js as a child process) against pandas
 * `read_csv` + scipy doing the same tests (test/scipy/drift_pandas.py, Debian's /usr/bin/python3) on the
 * same generated files: 1,000,000 rows x (20 numeric + 5 categorical), reference and current. Wall
 * time and peak RSS (GNU time's "Maximum resident set size") per run; medians of MLOPS_BENCH_RUNS runs
 * (default 3), alternating the two tools so machine noise hits both alike. The files go to the OS temp
 * folder (never the repository) and are reused between runs.
 */
const ROWS = Number(process.env.MLOPS_BENCH_DRIFT_ROWS ?? 1_000_000);
const RUNS = Number(process.env.MLOPS_BENCH_RUNS ?? 3);
const DIR = path.join(os.tmpdir(), 'mlops-bench-drift');
const GENERATOR_VERSION = `v1-${ROWS}`;

/** Deterministic data: an LCG, Box-Muller normals; drift in 4 numeric and 1 categorical column. */
async function generate(file: string, shift: number, seed: number): Promise<void> {
  let s = seed;
  const rnd = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 4294967296;
  const normal = () => Math.sqrt(-2 * Math.log(rnd() || 1e-12)) * Math.cos(2 * Math.PI * rnd());
  const cats = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta', 'eta', 'theta'];
  const out = createWriteStream(file);
  const header = [
    ...Array.from({ length: 20 }, (_, i) => `num_${i}`),
    ...Array.from({ length: 5 }, (_, i) => `cat_${i}`),
  ].join(',');
  let buf = header + '\n';
  for (let r = 0; r < ROWS; r++) {
    const row: string[] = [];
    for (let i = 0; i < 20; i++) row.push((normal() * (i + 1) + (i < 4 ? shift * (0.5 - i * 0.1) : 0)).toFixed(4));
    for (let i = 0; i < 5; i++) row.push(cats[Math.floor(Math.pow(rnd(), i === 0 ? 1 + shift : 1) * (3 + i))]);
    buf += row.join(',') + '\n';
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await new Promise<void>((r) => out.once('drain', () => r()));
      buf = '';
    }
  }
  out.end(buf);
  await new Promise<void>((r) => out.on('finish', () => r()));
}

async function ensureFiles(log: (s: string) => void): Promise<{ ref: string; cur: string }> {
  mkdirSync(DIR, { recursive: true });
  const ref = path.join(DIR, 'reference.csv');
  const cur = path.join(DIR, 'current.csv');
  const marker = path.join(DIR, 'version');
  if (
    !existsSync(marker) ||
    readFileSync(marker, 'utf8') !== GENERATOR_VERSION ||
    !existsSync(ref) ||
    !existsSync(cur)
  ) {
    log(`generating ${ROWS.toLocaleString()} rows x 25 columns in ${DIR} ...`);
    await generate(ref, 0, 12345);
    await generate(cur, 1, 67890);
    writeFileSync(marker, GENERATOR_VERSION);
  }
  return { ref, cur };
}

/** Runs a command under GNU time; wall time in ms and peak RSS in MB. */
function measure(cmd: string, args: string[]): Promise<{ ms: number; rssMb: number; stdout: string }> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn('/usr/bin/time', ['-v', cmd, ...args], {
      env: { ...process.env, OPENBLAS_CORETYPE: undefined, OPENBLAS_L2_SIZE: undefined },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
      if (code !== 0 || !rss)
        return reject(new Error(`${cmd} ${args.join(' ')} failed (${code}): ${stderr.slice(-2000)}`));
      resolve({ ms, rssMb: Number(rss[1]) / 1024, stdout });
    });
  });
}

export const driftBench: BenchSuite = {
  name: 'drift',
  async run(log) {
    if (!existsSync('/usr/bin/time')) throw new Error('GNU time is needed for peak memory: apt-get install time');
    try {
      execFileSync('/usr/bin/python3', ['-c', 'import pandas, scipy'], { stdio: 'ignore' });
    } catch {
      throw new Error('the pandas + scipy baseline needs Debian python3-pandas and python3-scipy');
    }
    const { ref, cur } = await ensureFiles(log);
    const cli = path.join(process.cwd(), 'dist', 'cli.js');
    const py = path.join(process.cwd(), 'test', 'scipy', 'drift_pandas.py');
    const ours: { ms: number; rssMb: number }[] = [];
    const theirs: { ms: number; rssMb: number }[] = [];
    let agree = true;
    for (let i = 0; i < RUNS; i++) {
      const a = await measure(process.execPath, [
        cli,
        'drift',
        '--reference',
        ref,
        '--current',
        cur,
        '--format',
        'json',
        '--quiet',
      ]);
      log(`run ${i + 1}: mlops drift ${round(a.ms / 1000)} s, peak ${Math.round(a.rssMb)} MB`);
      const b = await measure('/usr/bin/python3', [py, ref, cur]);
      log(`run ${i + 1}: pandas + scipy ${round(b.ms / 1000)} s, peak ${Math.round(b.rssMb)} MB`);
      ours.push(a);
      theirs.push(b);
      if (i === 0) {
        const mine = JSON.parse(a.stdout) as { features: { name: string; method: string; drifted: boolean }[] };
        const base = JSON.parse(b.stdout) as { features: { name: string; method: string; drifted: boolean }[] };
        for (const f of base.features) {
          const m = mine.features.find((x) => x.name === f.name);
          if (!m || m.method !== f.method || m.drifted !== f.drifted) agree = false;
        }
        log(`verdicts ${agree ? 'agree' : 'DIFFER'} on all ${base.features.length} features`);
      }
    }
    // Drift over time: 1,000 windows of the current rows, each tested against the whole 1M-row reference.
    const windowed = await measure(process.execPath, [
      cli,
      'drift',
      '--reference',
      ref,
      '--current',
      cur,
      '--window',
      `${ROWS / 1000}rows`,
      '--format',
      'json',
      '--quiet',
    ]);
    log(
      `mlops drift --window ${ROWS / 1000}rows: ${round(windowed.ms / 1000)} s, peak ${Math.round(windowed.rssMb)} MB`,
    );
    const t1 = median(ours.map((r) => r.ms));
    const t2 = median(theirs.map((r) => r.ms));
    const m1 = Math.max(...ours.map((r) => r.rssMb));
    const m2 = Math.max(...theirs.map((r) => r.rssMb));
    const size = `${ROWS.toLocaleString('en-US')} rows x 25 cols, 2 files; median of ${RUNS}`;
    const rows: BenchRow[] = [
      { suite: 'drift', name: 'mlops drift end-to-end', value: round(t1 / 1000), unit: 's', note: size },
      { suite: 'drift', name: 'pandas read_csv + scipy, same tests', value: round(t2 / 1000), unit: 's', note: size },
      {
        suite: 'drift',
        name: 'speed-up vs pandas + scipy (same run)',
        value: round(t2 / t1),
        unit: 'x',
        note: `verdicts ${agree ? 'agree' : 'differ'}`,
      },
      {
        suite: 'drift',
        name: 'mlops drift peak RSS',
        value: Math.round(m1),
        unit: 'MB',
        note: 'max over runs; goal < 1024',
      },
      { suite: 'drift', name: 'pandas + scipy peak RSS', value: Math.round(m2), unit: 'MB', note: 'max over runs' },
      {
        suite: 'drift',
        name: 'mlops drift with 1,000 row windows',
        value: round(windowed.ms / 1000),
        unit: 's',
        note: `one run; ${round(windowed.ms / t1)}x the plain run, peak ${Math.round(windowed.rssMb)} MB`,
      },
    ];
    return rows;
  },
};
