import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..', '..');
/**
 * Bundles only the developer scripts use; everything else in dist/ runs in the extension (the CLI too: Retrain
 * runs `dist/cli.js retrain` as a VS Code task).
 */
const NOT_FOR_THE_EXTENSION = new Set(['demo.js', 'demo-train.js', 'bench.js']);

describe('the .vsix carries what the extension runs', function () {
  this.timeout(120_000);

  it('packages every extension bundle, worker, wasm and webview asset (.vscodeignore is an allowlist)', () => {
    const listed = new Set(
      execFileSync(process.execPath, [path.join(ROOT, 'node_modules', '@vscode', 'vsce', 'vsce'), 'ls'], {
        cwd: ROOT,
        encoding: 'utf8',
      })
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean),
    );
    const dist = readdirSync(path.join(ROOT, 'dist')).filter(
      (f) => /\.(js|wasm)$/.test(f) && !NOT_FOR_THE_EXTENSION.has(f),
    );
    const webview = readdirSync(path.join(ROOT, 'dist', 'webview')).filter((f) => /\.(js|css)$/.test(f));
    const needed = [
      ...dist.map((f) => `dist/${f}`),
      ...webview.map((f) => `dist/webview/${f}`),
      'package.json',
      'README.md',
      'media/icon.png',
      // contributes.yamlValidation and the walkthrough's pages point into media/.
      'media/schemas/mlops.schema.json',
      ...readdirSync(path.join(ROOT, 'media', 'walkthrough')).map((f) => `media/walkthrough/${f}`),
    ];
    assert.ok(needed.includes('dist/driftWorker.js') && needed.includes('dist/extension.js'));
    for (const f of needed) assert.ok(listed.has(f), `${f} is missing from the .vsix`);
    for (const f of listed) {
      assert.ok(!/\.map$|^src\/|^test\/|^out\/|^dist\/(demo|bench)\.js$/.test(f), `${f} should not be in the .vsix`);
    }
    const ortBinaries = [...listed].filter((f) => f.includes('onnxruntime-node/bin/'));
    assert.ok(
      ortBinaries.length > 0 && ortBinaries.every((f) => f.includes('/linux/x64/')),
      'onnxruntime binaries of one platform only',
    );
  });
});
