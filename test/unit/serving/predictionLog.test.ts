import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFileSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { readDataset } from '../../../src/core/drift/read';
import { runDrift } from '../../../src/core/drift/run';
import { defaultSettings } from '../../../src/core/drift/config';
import { recordFeatureNames } from '../../../src/core/serving/predlog/features';
import { readPredictionLogDataset } from '../../../src/core/serving/predlog/dataset';
import { readPredictionLog } from '../../../src/core/serving/predlog/reader';
import { PredictionLog } from '../../../src/core/serving/predlog/writer';
import type { PredictionRecord } from '../../../src/core/serving/types';
import { tempDir } from '../../helpers/tmp';
import { sleep, waitFor } from '../../helpers/wait';

function record(i: number, over: Partial<PredictionRecord> = {}): PredictionRecord {
  return {
    ts: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
    model: 'fraud',
    version: 3,
    id: `r${i}`,
    status: 200,
    inputs: { input: { shape: [2, 3], data: [i, i + 0.5, 1, -i, 2, 0] } },
    outputs: { output: { shape: [2, 1], data: [0.1, 0.9] } },
    latencyMs: 1.5,
    queueMs: 0.2,
    computeMs: 0.9,
    batchSize: 1,
    protocol: 'oip',
    role: 'primary',
    ...over,
  };
}

const jsonlFiles = (dir: string) =>
  readdirSync(dir)
    .filter((n) => n.endsWith('.jsonl'))
    .sort();

describe('serving: prediction log (rotating JSONL, reader, drift dataset)', function () {
  this.timeout(60_000);
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => (tmp = tempDir()));
  afterEach(() => tmp.cleanup());

  it('writes every appended record as one JSON line under <root>/<model>/, read back in order', async () => {
    const log = new PredictionLog({ root: tmp.dir, flushMs: 60_000 });
    for (let i = 0; i < 10; i++) log.append(record(i));
    log.append(record(10, { model: 'other/model' }));
    assert.deepEqual(readdirSync(tmp.dir), [], 'nothing written before a flush (off the request path)');
    await log.close();
    const dir = path.join(tmp.dir, 'fraud');
    const files = jsonlFiles(dir);
    assert.equal(files.length, 1);
    assert.match(files[0], /^\d{8}T\d{9}Z-\d+-0000\.jsonl$/);
    const lines = readFileSync(path.join(dir, files[0]), 'utf8').split('\n');
    assert.equal(lines.pop(), '', 'ends with a newline');
    assert.deepEqual(JSON.parse(lines[3]), record(3));
    assert.ok(readdirSync(tmp.dir).includes('other%2fmodel'), 'a model name is one folder name');
    const got: PredictionRecord[] = [];
    const stats = await readPredictionLog(dir, (r) => got.push(r));
    assert.deepEqual(
      got.map((r) => r.id),
      Array.from({ length: 10 }, (_, i) => `r${i}`),
    );
    assert.equal(stats.tornLines, 0);
  });

  it('rotates past the file size, keeps whole lines per file, and drops the oldest files past the total cap', async () => {
    const one = Buffer.byteLength(JSON.stringify(record(0)) + '\n');
    const log = new PredictionLog({
      root: tmp.dir,
      flushMs: 60_000,
      maxFileBytes: one * 5 + 10,
      maxTotalBytes: one * 5 * 3,
    });
    for (let i = 0; i < 40; i++) {
      log.append(record(i));
      if (i % 7 === 6) await log.flush();
    }
    await log.close();
    const dir = path.join(tmp.dir, 'fraud');
    const files = jsonlFiles(dir);
    let total = 0;
    for (const f of files) {
      const size = statSync(path.join(dir, f)).size;
      total += size;
      assert.ok(size <= one * 5 + 10, `${f} is ${size} bytes`);
      for (const l of readFileSync(path.join(dir, f), 'utf8').trimEnd().split('\n')) JSON.parse(l);
    }
    assert.ok(files.length >= 3 && files.length <= 4, `${files.length} files`);
    assert.ok(total <= one * 5 * 3 + one * 5 + 10, `total ${total}`);
    const got: PredictionRecord[] = [];
    await readPredictionLog(dir, (r) => got.push(r));
    // The newest records survive, in order, without gaps.
    assert.equal(got[got.length - 1].id, 'r39');
    const first = Number(got[0].id?.slice(1));
    assert.ok(first > 0, 'the oldest were dropped');
    assert.deepEqual(
      got.map((r) => r.id),
      Array.from({ length: 40 - first }, (_, i) => `r${first + i}`),
    );
  });

  it('samples by the rate', () => {
    const log = new PredictionLog({ root: tmp.dir, sampleRate: 0.25, flushMs: 60_000 });
    let n = 0;
    for (let i = 0; i < 4000; i++) if (log.sampled()) n++;
    void log.close();
    assert.ok(n > 800 && n < 1200, `${n} of 4000 sampled at 25%`);
  });

  it('skips a torn last line and says so; other bad lines are counted, not fatal', async () => {
    const dir = path.join(tmp.dir, 'fraud');
    const log = new PredictionLog({ root: tmp.dir, flushMs: 60_000 });
    for (let i = 0; i < 3; i++) log.append(record(i));
    await log.close();
    const file = path.join(dir, jsonlFiles(dir)[0]);
    appendFileSync(file, JSON.stringify(record(3)).slice(0, 40));
    const got: PredictionRecord[] = [];
    const stats = await readPredictionLog(dir, (r) => got.push(r));
    assert.equal(got.length, 3);
    assert.equal(stats.tornLines, 1);
    assert.equal(stats.badLines, 0);
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace(/\n[^\n]*$/, '\n') + 'garbage\n' + JSON.stringify(record(4)) + '\n',
    );
    const again = await readPredictionLog(dir, () => undefined);
    assert.equal(again.records, 4);
    assert.equal(again.badLines, 1);
    assert.equal(again.firstBad?.line, 4);
  });

  it('a writer killed with SIGKILL mid-write leaves a log the reader reads (no torn line counted as a record)', async () => {
    const writer = require.resolve('../../../src/core/serving/predlog/writer');
    const script = `
      const { PredictionLog } = require(${JSON.stringify(writer)});
      const log = new PredictionLog({ root: ${JSON.stringify(tmp.dir)}, flushMs: 1, maxFileBytes: 1 << 20 });
      const big = Array.from({ length: 4000 }, (_, i) => i / 7);
      let i = 0;
      setInterval(() => {
        for (let k = 0; k < 50; k++) log.append({ ts: new Date().toISOString(), model: 'fraud', version: 1, id: 'r' + i++, status: 200,
          inputs: { input: { shape: [1000, 4], data: big } }, latencyMs: 1, queueMs: 0, computeMs: 1, batchSize: 1, protocol: 'oip' });
      }, 1);`;
    const child = spawn(process.execPath, ['-e', script], { stdio: 'ignore' });
    const dir = path.join(tmp.dir, 'fraud');
    try {
      await waitFor(
        'the child to write a few MB',
        () => {
          try {
            return jsonlFiles(dir).reduce((n, f) => n + statSync(path.join(dir, f)).size, 0) > 4 << 20;
          } catch {
            return false;
          }
        },
        30_000,
      );
    } finally {
      child.kill('SIGKILL');
    }
    await new Promise((r) => child.once('exit', r));
    await sleep(10);
    const ids: string[] = [];
    const stats = await readPredictionLog(dir, (r) => {
      assert.equal(r.inputs.input.data.length, 4000);
      ids.push(r.id ?? '');
    });
    assert.ok(stats.records > 50);
    assert.equal(stats.badLines, 0);
    assert.ok(stats.tornLines <= 1, `${stats.tornLines} torn lines (only the last line of the last file can be)`);
    assert.deepEqual(
      ids,
      Array.from({ length: ids.length }, (_, i) => `r${i}`),
      'no record lost before the tail',
    );
  });

  it('turns a log into feature columns (names from features.json, else <input>_<i>) with a ts column', async () => {
    const log = new PredictionLog({ root: tmp.dir, flushMs: 60_000 });
    for (let i = 0; i < 5; i++) log.append(record(i));
    log.append(record(5, { version: 4 }));
    log.append(record(6, { status: 400, outputs: undefined, error: 'bad' }));
    await log.close();
    await recordFeatureNames(tmp.dir, 'fraud', 3, { input: ['age', 'income', 'score'] });
    const ds = await readPredictionLogDataset(path.join(tmp.dir, 'fraud'));
    assert.equal(ds.rows, 12, '6 answered requests of 2 rows; the failed one is left out');
    assert.deepEqual(ds.header, ['age', 'income', 'score', 'input_0', 'input_1', 'input_2']);
    const age = ds.columns.find((c) => c.name === 'age');
    assert.ok(age && age.type === 'numeric');
    assert.deepEqual([...age.values.slice(0, 4)], [0, 0, 1, -1]);
    assert.equal(age.missing, 2, 'version 4 has no names: its rows are missing here');
    const ts = ds.columns.find((c) => c.name === 'ts');
    assert.ok(ts && ts.type === 'timestamp');
    // The drift readers take the log wherever they take a data file (folder, or one of its files).
    const viaDrift = await readDataset(tmp.dir);
    assert.equal(viaDrift.rows, 12);
    const oneFile = path.join(tmp.dir, 'fraud', jsonlFiles(path.join(tmp.dir, 'fraud'))[0]);
    assert.equal((await readDataset(oneFile)).rows, 12);
  });

  it('feeds mlops drift: a prediction log folder compared with a reference CSV', async () => {
    const log = new PredictionLog({ root: tmp.dir, flushMs: 60_000 });
    for (let i = 0; i < 200; i++)
      log.append(record(i, { inputs: { input: { shape: [1, 2], data: [5 + (i % 10), i % 3] } } }));
    await log.close();
    await recordFeatureNames(tmp.dir, 'fraud', 3, { input: ['a', 'b'] });
    const ref = path.join(tmp.dir, 'ref.csv');
    writeFileSync(ref, 'a,b\n' + Array.from({ length: 200 }, (_, i) => `${i % 10},${i % 3}`).join('\n') + '\n');
    const result = await runDrift({
      reference: ref,
      current: path.join(tmp.dir, 'fraud'),
      settings: defaultSettings(),
      threads: 'none',
    });
    const byName = new Map(result.features.map((f) => [f.name, f]));
    assert.equal(byName.get('a')?.drifted, true, 'a is shifted by 5');
    assert.equal(byName.get('b')?.drifted, false);
  });
});
