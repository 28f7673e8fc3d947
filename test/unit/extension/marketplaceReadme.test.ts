import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The README the Extensions view shows (docs/marketplace/README.md, packaged by scripts/package-vsix.sh
 * with --readme-path): images would not load (the details page allows https only and there is no public
 * repository), and every command a user can run from the palette is explained in it.
 */
const ROOT = path.resolve(__dirname, '..', '..', '..', '..');
const readme = readFileSync(path.join(ROOT, 'docs', 'marketplace', 'README.md'), 'utf8');
const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  description: string;
  contributes: {
    commands: { command: string; title: string }[];
    menus: { commandPalette: { command: string; when?: string }[] };
  };
};

describe('the user README packaged for the Extensions view', () => {
  it('has no images and no relative links', () => {
    assert.doesNotMatch(readme, /!\[|<img/i);
    for (const [, target] of readme.matchAll(/\]\(([^)]+)\)/g)) assert.match(target, /^https:\/\//);
  });

  it('names every command the palette offers, and the package script uses it', () => {
    const hidden = new Set(
      pkg.contributes.menus.commandPalette.filter((m) => m.when === 'false').map((m) => m.command),
    );
    for (const c of pkg.contributes.commands) {
      if (!hidden.has(c.command)) assert.ok(readme.includes(c.title), `"${c.title}" is not in the user README`);
    }
    const script = readFileSync(path.join(ROOT, 'scripts', 'package-vsix.sh'), 'utf8');
    assert.match(script, /--readme-path docs\/marketplace\/README\.md/);
  });

  it('promises only what is built: each capability the description names has its core module', () => {
    const built: [RegExp, string][] = [
      [/\bserv(e|ing)\b/i, 'src/core/serving/server'],
      [/\bload-test/i, 'src/core/serving/loadtest'],
      [/\bquantiz/i, 'src/core/onnx/quantize'],
      [/\bdrift\b/i, 'src/core/drift'],
      [/\bmonitor/i, 'src/core/monitor'],
    ];
    for (const [word, dir] of built) {
      if (word.test(pkg.description)) assert.ok(existsSync(path.join(ROOT, dir)), `"${word}" promised, ${dir} missing`);
    }
    assert.match(pkg.description, /\bserve\b/, 'serving is built: the description says so');
  });
});
