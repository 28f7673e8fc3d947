import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildMlp } from '../test/builders/mlpBuilder';
import { EmbeddedRegistry } from '../src/core/registry/embedded/embeddedRegistry';
import { loadSqlJs } from '../src/core/registry/embedded/sqlite';
import { median, quantile, round, type BenchRow, type BenchSuite } from './harness';

const PUSHES = 1000;
const BIG = 10_000;
const ctx = { actor: 'bench' };

async function time<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const t0 = performance.now();
  const r = await fn();
  return [performance.now() - t0, r];
}

/**
 * Grows a model to `target` versions by copying an existing version's row in one transaction: pushing
 * 9,000 more through the API would only re-measure the push. Bench-only; never how the product writes.
 */
async function seedVersions(dir: string, model: string, target: number): Promise<void> {
  const SQL = await loadSqlJs();
  const file = path.join(dir, 'registry.sqlite');
  const db = new SQL.Database(readFileSync(file));
  const last = Number(db.exec('SELECT last_version FROM models WHERE name = ?', [model])[0].values[0][0]);
  db.run('BEGIN');
  const st =
    // Copies of version 1 with every column but the number and the idempotency key (unique per push).
    db.prepare(`INSERT INTO versions (model, version, status, description, tags, metrics, params, sha256, size,
    file_name, source, signature, onnx, created_at, created_by, updated_at, parent_version, run_id)
    SELECT model, ?, status, description, tags, metrics, params, sha256, size, file_name, source,
    signature, onnx, created_at, created_by, updated_at, parent_version, run_id FROM versions WHERE model = ? AND version = 1`);
  for (let v = last + 1; v <= target; v++) st.run([v, model]);
  st.free();
  db.run('UPDATE models SET last_version = ? WHERE name = ?', [target, model]);
  db.run('COMMIT');
  writeFileSync(file, db.export());
  db.close();
}

export const registryBench: BenchSuite = {
  name: 'registry',
  async run(log) {
    const rows: BenchRow[] = [];
    const add = (name: string, value: number, unit: string, note?: string) =>
      rows.push({ suite: 'registry', name, value: round(value), unit, note });
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'mlops-bench-'));
    try {
      const dir = path.join(tmp, '.mlops');
      const reg = await EmbeddedRegistry.open(dir, { create: true });
      const models = path.join(tmp, 'models');
      execFileSync('mkdir', ['-p', models]);

      // 1. Push 1,000 versions (distinct files) through the core API.
      const pushMs: number[] = [];
      for (let i = 0; i < PUSHES; i++) {
        const f = path.join(models, `m${i}.onnx`);
        writeFileSync(f, buildMlp({ inputDim: 16, hidden: [32], outputDim: 4, seed: i + 1 }));
        const [ms] = await time(() =>
          reg.pushVersion({ filePath: f, model: 'big', metrics: { auc: 0.9 + i / 1e5 } }, ctx),
        );
        pushMs.push(ms);
        if ((i + 1) % 250 === 0) log(`pushed ${i + 1}/${PUSHES}`);
      }
      add('push (API), median', median(pushMs), 'ms', `${PUSHES} versions, 2.9 KB models`);
      add('push (API), p95', quantile(pushMs, 0.95), 'ms');
      add('push (API), first 100 median', median(pushMs.slice(0, 100)), 'ms');
      add('push (API), last 100 median', median(pushMs.slice(-100)), 'ms', 'growth with registry size');
      add('push 1,000 versions, total', pushMs.reduce((a, b) => a + b, 0) / 1000, 's');

      // 2. The same model at 10,000 versions.
      await reg.close();
      await seedVersions(dir, 'big', BIG);
      const reg2 = await EmbeddedRegistry.open(dir);
      const firstPage: number[] = [];
      for (let i = 0; i < 20; i++) firstPage.push((await time(() => reg2.listVersions('big', { maxResults: 50 })))[0]);
      add('versions: first page of 50 (10k versions)', median(firstPage), 'ms', 'median of 20');
      const allPages: number[] = [];
      for (let i = 0; i < 5; i++) {
        allPages.push(
          (
            await time(async () => {
              let token: string | undefined;
              let n = 0;
              do {
                const p = await reg2.listVersions('big', { maxResults: 1000, pageToken: token });
                n += p.items.length;
                token = p.nextPageToken;
              } while (token);
              if (n !== BIG) throw new Error(`listed ${n} versions, expected ${BIG}`);
            })
          )[0],
        );
      }
      add('versions: all 10,000 (API, pages of 1000)', median(allPages), 'ms', 'median of 5');
      const cli = path.join(__dirname, 'cli.js');
      const cliMs: number[] = [];
      for (let i = 0; i < 5; i++) {
        const t0 = performance.now();
        const out = execFileSync(process.execPath, [cli, 'versions', 'big', '--json', '--registry', dir], {
          maxBuffer: 1 << 30,
        });
        cliMs.push(performance.now() - t0);
        if ((JSON.parse(out.toString()) as { versions: unknown[] }).versions.length !== BIG)
          throw new Error('CLI listed the wrong count');
      }
      add('`mlops versions` 10,000 (CLI process, --json)', median(cliMs), 'ms', 'median of 5, incl. node start');

      const promoteMs: number[] = [];
      const rollbackMs: number[] = [];
      for (let i = 0; i < 30; i++) {
        promoteMs.push((await time(() => reg2.promote('big', 'production', BIG - 100 + i, ctx)))[0]);
      }
      for (let i = 0; i < 29; i++) rollbackMs.push((await time(() => reg2.rollback('big', 'production', ctx)))[0]);
      add('promote (10k versions)', median(promoteMs), 'ms', 'median of 30');
      add('rollback (10k versions)', median(rollbackMs), 'ms', 'median of 29, walks the history');
      const cliPromote: number[] = [];
      for (let i = 0; i < 5; i++) {
        const t0 = performance.now();
        execFileSync(process.execPath, [
          cli,
          'promote',
          'big',
          String(BIG - i),
          '--alias',
          'staging',
          '--registry',
          dir,
        ]);
        cliPromote.push(performance.now() - t0);
      }
      add('`mlops promote` (CLI process, 10k versions)', median(cliPromote), 'ms', 'median of 5, incl. node start');
      const size = readFileSync(path.join(dir, 'registry.sqlite')).length;
      add('registry.sqlite size at 10k versions', size / 1e6, 'MB');
      await reg2.close();
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
    return rows;
  },
};

/** Wall time of one spawned CLI process (node start-up included), as a CI job or a terminal sees it. */
function cliWall(cli: string, args: string[]): number {
  const t0 = performance.now();
  execFileSync(process.execPath, [cli, ...args], { maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'pipe'] });
  return performance.now() - t0;
}

/**
 * `npm run bench registry-cli`: process-wall medians of the commands a CI job runs, on an embedded
 * registry with 100 and 10,000 versions. MLOPS_BENCH_BASELINE_CLI=<another cli.js> times that build too,
 * interleaved run by run with this one, so before/after come from one run on the same (noisy) machine.
 */
export const registryCliBench: BenchSuite = {
  name: 'registry-cli',
  async run(log) {
    const rows: BenchRow[] = [];
    const cli = path.join(__dirname, 'cli.js');
    const baseline = process.env.MLOPS_BENCH_BASELINE_CLI;
    const runs = Number(process.env.MLOPS_BENCH_CLI_RUNS ?? 9);
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'mlops-bench-cli-'));
    try {
      const small = path.join(tmp, 'small');
      const big = path.join(tmp, 'big');
      const model = path.join(tmp, 'm.onnx');
      writeFileSync(model, buildMlp({ inputDim: 16, hidden: [32], outputDim: 4, seed: 1 }));
      for (const [dir, n] of [
        [small, 100],
        [big, BIG],
      ] as const) {
        const reg = await EmbeddedRegistry.open(dir, { create: true });
        await reg.pushVersion({ filePath: model, model: 'm', metrics: { auc: 0.9 } }, ctx);
        await reg.close();
        await seedVersions(dir, 'm', n);
      }
      const pushDirs = [cli, baseline].map((_, i) => path.join(tmp, `push-${i}`));
      const cases: [string, string[], number][] = [
        ['`mlops --help`', ['--help'], runs],
        ['`mlops models`', ['models', '--registry', small], runs],
        ['`mlops versions m` (100 versions)', ['versions', 'm', '--registry', small], runs],
        ['`mlops versions m --json` (100 versions)', ['versions', 'm', '--json', '--registry', small], runs],
        ['`mlops versions m --json` (10,000 versions)', ['versions', 'm', '--json', '--registry', big], 5],
        ['`mlops push` (small model)', ['push', model, '--model', 'm', '--registry', '<push>'], runs],
      ];
      for (const [name, args, n] of cases) {
        const times: number[][] = [[], []];
        for (let i = 0; i < n; i++) {
          [cli, baseline].forEach((c, k) => {
            if (c)
              times[k].push(
                cliWall(
                  c,
                  args.map((a) => (a === '<push>' ? pushDirs[k] : a)),
                ),
              );
          });
        }
        const now = median(times[0]);
        const before = baseline ? median(times[1]) : undefined;
        const note = `median of ${n} processes${before === undefined ? '' : `; baseline ${round(before)} ms (${round(before / now, 2)}x)`}`;
        rows.push({ suite: 'registry-cli', name: `${name} (process wall)`, value: round(now), unit: 'ms', note });
        log(`${name}: ${round(now)} ms${before === undefined ? '' : ` (baseline ${round(before)} ms)`}`);
      }
      const nodeOnly: number[] = [];
      for (let i = 0; i < runs; i++) {
        const t0 = performance.now();
        execFileSync(process.execPath, ['-e', '0']);
        nodeOnly.push(performance.now() - t0);
      }
      rows.push({
        suite: 'registry-cli',
        name: '`node -e 0` (process wall, the floor)',
        value: round(median(nodeOnly)),
        unit: 'ms',
        note: `median of ${runs}`,
      });
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
    return rows;
  },
};
