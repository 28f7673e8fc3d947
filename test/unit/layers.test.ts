import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { ESLint } from 'eslint';

const ROOT = path.resolve(__dirname, '..', '..', '..');

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const n of readdirSync(dir)) {
    const p = path.join(dir, n);
    if (statSync(p).isDirectory()) out.push(...tsFiles(p));
    else if (p.endsWith('.ts')) out.push(p);
  }
  return out;
}

describe('layers (DESIGN.md): src/core stands alone', function () {
  this.timeout(60_000);

  it('the lint rule rejects vscode, extension and cli imports in src/core and src/shared', async () => {
    const eslint = new ESLint({ cwd: ROOT });
    const cases: [string, string][] = [
      ['src/core/registry/bad.ts', "import * as vscode from 'vscode';\nexport const x = vscode;\n"],
      [
        'src/core/registry/bad2.ts',
        "import { activate } from '../../extension/extension';\nexport const x = activate;\n",
      ],
      ['src/core/bad3.ts', "import { runCli } from '../cli/cli';\nexport const x = runCli;\n"],
      ['src/shared/bad4.ts', "import type { Uri } from 'vscode';\nexport type X = Uri;\n"],
    ];
    for (const [filePath, code] of cases) {
      const [res] = await eslint.lintText(code, { filePath: path.join(ROOT, filePath) });
      assert.ok(
        res.messages.some((m) => m.ruleId === 'no-restricted-imports'),
        `${filePath} must be rejected`,
      );
    }
    const [ok] = await eslint.lintText("import { promises } from 'node:fs';\nexport const x = promises;\n", {
      filePath: path.join(ROOT, 'src/core/ok.ts'),
    });
    assert.equal(ok.messages.filter((m) => m.ruleId === 'no-restricted-imports').length, 0);
  });

  it('no file under src/core imports vscode, src/extension or src/cli', () => {
    const offenders = tsFiles(path.join(ROOT, 'src', 'core')).filter((f) =>
      /from\s+['"](vscode|(\.\.\/)+(extension|cli)(\/[^'"]*)?)['"]|require\(['"]vscode['"]\)/.test(
        readFileSync(f, 'utf8'),
      ),
    );
    assert.deepEqual(offenders, []);
  });

  it("the model's vocabulary sits below registry/, onnx/ and serving/: model/ imports no other layer, onnx/ no registry/ or serving/", () => {
    const importsOf = (dir: string) =>
      tsFiles(path.join(ROOT, 'src', 'core', dir)).flatMap((f) =>
        [...readFileSync(f, 'utf8').matchAll(/from\s+['"]([^'"]+)['"]/g)].map((m) => ({
          file: path.relative(ROOT, f),
          target: path.relative(path.join(ROOT, 'src', 'core'), path.resolve(path.dirname(f), m[1])),
          relative: m[1].startsWith('.'),
        })),
      );
    const modelOut = importsOf('model').filter((i) => i.relative && !i.target.startsWith('model'));
    assert.deepEqual(modelOut, [], 'src/core/model imports nothing from the layers above it');
    const onnxUp = importsOf('onnx').filter(
      (i) => i.relative && /^(registry|serving|monitor|optimize)\b/.test(i.target),
    );
    assert.deepEqual(onnxUp, [], 'src/core/onnx only rewrites and reads graphs');
  });
});
