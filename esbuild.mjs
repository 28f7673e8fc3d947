// One build script, several contexts (CONVENTIONS 15): node bundles for the extension host, the CLI,
// the demo and the benchmarks; webview bundles for the browser. Types are checked separately by tsc.
import * as esbuild from 'esbuild';
import { chmodSync, copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');
const outdir = 'dist';

/** Native and host-provided modules stay outside the bundles (onnxruntime-node loads in the inference worker only). */
const nodeExternal = ['vscode', 'onnxruntime-node'];

// Every entry must exist: a missing one fails the build instead of shipping without it. The workers are
// found at run time beside the bundle that starts them (dist/inferenceWorker.js, dist/driftWorker.js).
const nodeEntries = [
  { in: 'src/extension/extension.ts', out: 'extension' },
  { in: 'src/cli/main.ts', out: 'cli', banner: '#!/usr/bin/env node' },
  { in: 'src/core/serving/runtime/inferenceWorker.ts', out: 'inferenceWorker' },
  { in: 'src/core/drift/driftWorker.ts', out: 'driftWorker' },
  { in: 'scripts/demo.ts', out: 'demo' },
  { in: 'scripts/demo/train.ts', out: 'demo-train' },
  { in: 'bench/run.ts', out: 'bench' },
];

const webviewEntries = [
  { in: 'webview/drift/main.ts', out: 'webview/drift' },
  { in: 'webview/serving/main.ts', out: 'webview/serving' },
  { in: 'webview/monitor/main.ts', out: 'webview/monitor' },
  { in: 'webview/latency/main.ts', out: 'webview/latency' },
].filter((e) => existsSync(e.in));

/** @type {esbuild.BuildOptions[]} */
const configs = nodeEntries.map((e) => ({
  entryPoints: [{ in: e.in, out: e.out }],
  outdir,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: nodeExternal,
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  banner: e.banner ? { js: e.banner } : undefined,
  define: { MLOPS_VERSION: JSON.stringify(require('./package.json').version) }, // `mlops --version`
}));
if (webviewEntries.length > 0) {
  configs.push({
    entryPoints: webviewEntries,
    outdir,
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    sourcemap: !production,
    minify: production,
    logLevel: 'warning',
  });
}

function copyAssets() {
  mkdirSync(outdir, { recursive: true });
  // sql.js loads its wasm next to the bundle (see src/core/registry/embedded/sqlite.ts).
  const wasm = path.join(path.dirname(require.resolve('sql.js')), 'sql-wasm.wasm');
  copyFileSync(wasm, path.join(outdir, 'sql-wasm.wasm'));
  if (existsSync(path.join(outdir, 'cli.js'))) chmodSync(path.join(outdir, 'cli.js'), 0o755);
}

if (watch) {
  const contexts = await Promise.all(configs.map((c) => esbuild.context(c)));
  await Promise.all(contexts.map((c) => c.watch()));
  copyAssets();
  console.log('esbuild: watching');
} else {
  await Promise.all(configs.map((c) => esbuild.build(c)));
  copyAssets();
}
