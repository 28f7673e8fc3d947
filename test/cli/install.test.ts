import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { tempDir, writeModel } from '../helpers/tmp';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '..', '..', '..');

/**
 * The CLI where CI runs: the tarball `npm run package` makes installs with `npm install -g` into an
 * empty prefix with no network at all (a registry address nothing answers on), and works there. Before,
 * the package was private and `mlops` existed only inside this repository; onnxruntime-node's
 * postinstall (CUDA from NuGet) fails offline and npm rolls the whole install back.
 */
describe('mlops CLI: installs from the packed tarball, offline, and runs', function () {
  this.timeout(180_000);
  let t: ReturnType<typeof tempDir>;
  const target = `${process.platform}-${process.arch}`;

  before(() => (t = tempDir('mlops-install-')));
  after(() => t.cleanup());

  it('pack, npm install -g --prefix <empty> offline, then mlops --version and a push', async () => {
    await run('bash', [path.join(ROOT, 'scripts', 'package-vsix.sh'), 'cli', target, t.dir], { cwd: ROOT });
    const version = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
    const tgz = path.join(t.dir, `mlops-cli-${target}-${version}.tgz`);
    assert.ok(existsSync(tgz), `no ${tgz}: ${readdirSync(t.dir).join(', ')}`);

    const prefix = path.join(t.dir, 'prefix');
    // A clean npm environment: no project .npmrc (cwd is the temp folder), scripts allowed as a user's
    // npm would, and a registry that refuses connections, so any download fails the install.
    const env = {
      ...process.env,
      npm_config_ignore_scripts: 'false',
      npm_config_registry: 'http://127.0.0.1:9/',
      npm_config_cache: path.join(t.dir, 'npm-cache'),
      npm_config_userconfig: path.join(t.dir, 'no-npmrc'),
      ONNXRUNTIME_NODE_INSTALL: '',
      ONNXRUNTIME_NODE_INSTALL_CUDA: '',
    };
    await run('npm', ['install', '-g', '--prefix', prefix, '--no-audit', '--no-fund', tgz], { cwd: t.dir, env });
    const bin = path.join(prefix, 'bin', 'mlops');

    const v = await run(bin, ['--version'], { cwd: t.dir });
    assert.equal(v.stdout.trim(), version);

    const installed = path.join(prefix, 'lib', 'node_modules', 'mlops-cli');
    const files = readdirSync(path.join(installed, 'dist')).sort();
    assert.deepEqual(
      files.filter((f) => !/Worker\.js$/.test(f)),
      ['cli.js', 'sql-wasm.wasm'],
    );
    // onnxruntime-node came from the tarball with only this platform's binary, and loads.
    const ort = path.join(installed, 'node_modules', 'onnxruntime-node');
    assert.deepEqual(readdirSync(path.join(ort, 'bin', 'napi-v6')), [process.platform]);
    await run(process.execPath, ['-e', `require(${JSON.stringify(ort)}).InferenceSession`], { cwd: t.dir });

    const model = writeModel(t.dir, 'm.onnx', { seed: 7 });
    const reg = path.join(t.dir, 'reg');
    const push = await run(bin, ['push', model, '--model', 'churn', '--registry', reg, '--json'], { cwd: t.dir });
    assert.equal((JSON.parse(push.stdout) as { version: number }).version, 1);
    const list = await run(bin, ['versions', 'churn', '--registry', reg], { cwd: t.dir });
    assert.match(list.stdout, /^v1\s/m);
  });
});
