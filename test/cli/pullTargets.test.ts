import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import {
  createReadStream,
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readlinkSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { CLI, mlopsJson, runMlops } from '../helpers/cli';
import { tempDir, writeModel } from '../helpers/tmp';

/**
 * `mlops pull -o` replaces only regular files: a device or a pipe is written in place, `-o -` is
 * standard output, a symbolic link is followed (its target written, the link kept). Before, `--force`
 * renamed a regular file over a device node (as root, over /dev/null or /dev/stdout) or over a link.
 */
describe('mlops pull: where -o writes', function () {
  this.timeout(60_000);
  let t: ReturnType<typeof tempDir>;
  let reg: string;
  let model: Buffer;
  const mlops = (...args: string[]) => runMlops(args, { cwd: t.dir, env: { MLOPS_REGISTRY: reg } });

  /** Runs the CLI with stdout as a pipe and returns stdout's raw bytes. */
  function pullBytes(args: string[]): Promise<{ code: number | null; out: Buffer; err: string }> {
    return new Promise((resolve, reject) => {
      const p = spawn(process.execPath, [CLI, ...args], {
        cwd: t.dir,
        env: { ...process.env, MLOPS_REGISTRY: reg, MLFLOW_TRACKING_URI: '' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const out: Buffer[] = [];
      let err = '';
      p.stdout.on('data', (d: Buffer) => out.push(d));
      p.stderr.on('data', (d: Buffer) => (err += d.toString()));
      p.on('error', reject);
      p.on('close', (code) => resolve({ code, out: Buffer.concat(out), err }));
    });
  }

  before(async () => {
    t = tempDir('mlops-pull-');
    reg = path.join(t.dir, '.mlops');
    const file = writeModel(t.dir, 'a.onnx', { seed: 1, hidden: [64] });
    model = readFileSync(file);
    await mlopsJson(['push', file, '--model', 'churn'], t.dir, { MLOPS_REGISTRY: reg });
  });
  after(() => t.cleanup());

  it('-o - writes exactly the artifact bytes to stdout; the summary goes to stderr', async () => {
    const r = await pullBytes(['pull', 'models:/churn/1', '-o', '-']);
    assert.equal(r.code, 0, r.err);
    assert.ok(r.out.equals(model), `stdout has ${r.out.length} bytes, the model ${model.length}`);
    assert.match(r.err, /Wrote standard output \(models:\/churn\/1, sha256 verified\)/);
    const j = await pullBytes(['pull', 'models:/churn/1', '-o', '-', '--json']);
    assert.ok(j.out.equals(model));
    assert.equal((JSON.parse(j.err) as { version: number }).version, 1);
  });

  it('-o /dev/stdout (a link to the socket or pipe of stdout) writes through, without --force', async () => {
    const r = await pullBytes(['pull', 'models:/churn/1', '-o', '/dev/stdout']);
    assert.equal(r.code, 0, r.err);
    assert.ok(r.out.equals(model));
    assert.ok(lstatSync('/dev/stdout').isSymbolicLink());
  });

  it('a FIFO is written in place: the reader gets the bytes and the FIFO stays a FIFO', async () => {
    const fifo = path.join(t.dir, 'model.fifo');
    execFileSync('mkfifo', [fifo]);
    const read = new Promise<Buffer>((resolve, reject) => {
      const chunks: Buffer[] = [];
      createReadStream(fifo)
        .on('data', (c) => chunks.push(c as Buffer))
        .on('end', () => resolve(Buffer.concat(chunks)))
        .on('error', reject);
    });
    const r = await mlops('pull', 'models:/churn/1', '-o', fifo, '--force');
    assert.equal(r.code, 0, r.stderr);
    assert.ok((await read).equals(model));
    assert.ok(lstatSync(fifo).isFIFO());
  });

  it('a character device is written in place, never replaced (/dev/null)', async () => {
    const r = await mlops('pull', 'models:/churn/1', '-o', '/dev/null', '--force');
    assert.equal(r.code, 0, r.stderr);
    assert.ok(lstatSync('/dev/null').isCharacterDevice());
  });

  it('/dev/full gives a clear "disk is full" error', async function () {
    if (!existsSync('/dev/full')) this.skip();
    const r = await mlops('pull', 'models:/churn/1', '-o', '/dev/full', '--force');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^error: Cannot write \/dev\/full: the disk is full\./);
    assert.ok(lstatSync('/dev/full').isCharacterDevice());
  });

  it('a symlink to a regular file: the target is replaced (with --force), the link stays a link', async () => {
    const target = path.join(t.dir, 'real.onnx');
    const link = path.join(t.dir, 'link.onnx');
    writeFileSync(target, 'old');
    symlinkSync('real.onnx', link);
    const refused = await mlops('pull', 'models:/churn/1', '-o', link);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /link\.onnx \(-> .*real\.onnx\) already exists.*--force/);
    const r = await mlops('pull', 'models:/churn/1', '-o', link, '--force');
    assert.equal(r.code, 0, r.stderr);
    assert.ok(lstatSync(link).isSymbolicLink());
    assert.equal(readlinkSync(link), 'real.onnx');
    assert.ok(readFileSync(target).equals(model));
  });

  it('a dangling symlink: the file it names is created', async () => {
    const link = path.join(t.dir, 'dangling.onnx');
    symlinkSync('made.onnx', link);
    const r = await mlops('pull', 'models:/churn/1', '-o', link);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(lstatSync(link).isSymbolicLink());
    assert.ok(readFileSync(path.join(t.dir, 'made.onnx')).equals(model));
  });

  it('a folder, or a link to one, is refused and left alone', async () => {
    const d = path.join(t.dir, 'adir');
    mkdirSync(d);
    symlinkSync('adir', path.join(t.dir, 'dirlink'));
    for (const o of [d, path.join(t.dir, 'dirlink')]) {
      const r = await mlops('pull', 'models:/churn/1', '-o', o, '--force');
      assert.equal(r.code, 1);
      assert.match(r.stderr, /is a folder; mlops pull writes a model file/);
    }
    assert.ok(lstatSync(d).isDirectory());
    assert.ok(lstatSync(path.join(t.dir, 'dirlink')).isSymbolicLink());
  });
});
