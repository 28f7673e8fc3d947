import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { runCli } from '../../../src/cli/cli';
import { FIXTURES, REPO, tempFiles } from './fixtures';

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(args, {
    stdout: (s) => (out += s + '\n'),
    stderr: (s) => (err += s + '\n'),
    env: {},
    cwd: FIXTURES,
  });
  return { code, out, err };
}

describe('mlops drift (CLI)', () => {
  it('prints the verdict table; --fail-on-drift exits 3 on drift and 0 without', async () => {
    const base = ['drift', '--reference', 'small_reference.csv', '--current', 'small_current.csv'];
    const plain = await cli(base);
    assert.equal(plain.code, 0);
    assert.match(plain.out, /No dataset drift: 4 of 9 features drifted/);
    assert.match(plain.out, /^age\s+numeric\s+Kolmogorov–Smirnov\s+4\.30e-9\s+p ≤ 0\.05\s+DRIFT/m);
    assert.equal((await cli([...base, '--fail-on-drift'])).code, 0, 'no dataset drift: exit 0');
    assert.equal((await cli([...base, '--fail-on-drift', '--drift-share', '0.4'])).code, 3, 'dataset drift: exit 3');
    assert.equal(
      (
        await cli([
          'drift',
          '--reference',
          'small_reference.csv',
          '--current',
          'small_reference.csv',
          '--fail-on-drift',
        ])
      ).code,
      0,
    );
  });

  it('json, md and a self-contained html report; --out writes the file', async () => {
    const t = tempFiles({});
    try {
      const j = await cli(['drift', '--reference', 'large_reference.csv', '--current', 'large_current.csv', '--json']);
      assert.equal(JSON.parse(j.out).features.length, 9);
      assert.equal(j.out.trimEnd().split('\n').length, 1, '--json is one line when piped, as in every command');
      const md = await cli([
        'drift',
        '--reference',
        'large_reference.csv',
        '--current',
        'large_current.csv',
        '--format',
        'md',
      ]);
      assert.match(md.out, /^\| age \| numeric \| Wasserstein \(normed\) \| 0\.508 \| ≥ 0\.1 \| \*\*drift\*\*/m);
      const out = path.join(t.dir, 'r.html');
      const h = await cli([
        'drift',
        '--reference',
        'large_reference.csv',
        '--current',
        'large_current.csv',
        '--format',
        'html',
        '--out',
        out,
        '--timestamp',
        'event_time',
        '--window',
        '1w',
      ]);
      assert.equal(h.code, 0);
      const html = readFileSync(out, 'utf8');
      assert.match(html, /^<!DOCTYPE html>/);
      assert.doesNotMatch(html, /<script|src="http|href="http/, 'no script, no remote content');
      assert.match(html, /<svg/);
    } finally {
      t.cleanup();
    }
  });

  it('usage errors (a missing or unparsable flag) exit 2, a bad config file 1, each with a sentence', async () => {
    const missing = await cli(['drift', '--reference', 'small_reference.csv']);
    assert.equal(missing.code, 2);
    assert.match(missing.err, /--reference and --current are required/);
    const bad = await cli([
      'drift',
      '--reference',
      'small_reference.csv',
      '--current',
      'small_current.csv',
      '--window',
      'soon',
    ]);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /--window "soon" is neither a duration nor a row count/);
    const yaml = tempFiles({ 'mlops.yaml': 'drift:\n  features:\n    age: {method: ks, threshold: [1}\n' });
    try {
      const y = await cli([
        'drift',
        '--reference',
        'small_reference.csv',
        '--current',
        'small_current.csv',
        '--config',
        yaml.file('mlops.yaml'),
      ]);
      assert.equal(y.code, 1);
      assert.match(y.err, /mlops\.yaml, line 3, column \d+:/);
    } finally {
      yaml.cleanup();
    }
  });

  it('the bundled dist/cli.js exits 3 on drift (as CI and cron call it)', () => {
    const r = spawnSync(
      process.execPath,
      [
        path.join(REPO, 'dist', 'cli.js'),
        'drift',
        '--reference',
        'small_reference.csv',
        '--current',
        'small_current.csv',
        '--fail-on-drift',
        '--drift-share',
        '0.4',
        '--quiet',
      ],
      { cwd: FIXTURES, encoding: 'utf8' },
    );
    assert.equal(r.status, 3, r.stderr);
    assert.match(r.stdout, /Dataset drift detected/);
  });
});
