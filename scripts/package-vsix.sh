#!/usr/bin/env bash
# `npm run package [-- <target>]`: a production build, then for that target (default linux-x64):
#  - mlops-studio-<target>-<version>.vsix, holding only what runs (.vscodeignore), with onnxruntime's
#    native binaries for that target only (vsce works offline);
#  - mlops-cli-<target>-<version>.tgz, the `mlops` CLI for CI runners and terminals:
#    `npm install -g ./mlops-cli-<target>-<version>.tgz` (works offline, needs no flag).
# `bash scripts/package-vsix.sh cli [<target>] [<out-dir>]` makes only the CLI tarball from the current
# dist/ (the install test uses it).
set -euo pipefail
cd "$(dirname "$0")/.."

only_cli=0
if [ "${1:-}" = cli ]; then
  only_cli=1
  shift
fi
target="${1:-linux-x64}"
case "$target" in
  linux-x64 | linux-arm64 | darwin-x64 | darwin-arm64 | win32-x64 | win32-arm64) ;;
  *) echo "package-vsix: unsupported target \"$target\" (linux-x64, linux-arm64, darwin-x64, darwin-arm64, win32-x64, win32-arm64)" >&2; exit 2 ;;
esac
platform="${target%-*}"
arch="${target#*-}"

version="$(node -p 'require("./package.json").version')"
stage="$(mktemp -d)"
ignore="$stage/vscodeignore"
trap 'rm -rf "$stage"' EXIT

# The CLI package: the bundled CLI and what it loads at run time (sql.js's wasm, the worker bundles), and
# onnxruntime-node for the commands that run models. onnxruntime-node is bundled inside the tarball,
# with only the target's binaries and without its postinstall script: npm runs a bundled dependency's
# install script (checked with npm 11), and that script downloads CUDA from NuGet, which fails offline
# and makes npm roll the whole install back. Everything else the CLI uses is inside dist/cli.js.
package_cli() {
  local out="$1" pkg="$stage/cli/package" ort=node_modules/onnxruntime-node
  mkdir -p "$pkg/dist" "$pkg/node_modules/onnxruntime-node/bin/napi-v6/$platform" "$out"
  cp dist/cli.js dist/sql-wasm.wasm "$pkg/dist/"
  for w in dist/*Worker.js; do [ -e "$w" ] && cp "$w" "$pkg/dist/"; done
  cp -r "$ort/dist" "$ort/README.md" "$pkg/node_modules/onnxruntime-node/"
  rm -f "$pkg"/node_modules/onnxruntime-node/dist/*.map
  if [ -d "$ort/bin/napi-v6/$platform/$arch" ]; then
    cp -r "$ort/bin/napi-v6/$platform/$arch" "$pkg/node_modules/onnxruntime-node/bin/napi-v6/$platform/"
  else
    echo "package-vsix: onnxruntime-node $(node -p "require('./$ort/package.json').version") has no binary for $target: the CLI's model-running commands will not work there" >&2
  fi
  cp -r node_modules/onnxruntime-common "$pkg/node_modules/"
  rm -f "$pkg"/node_modules/onnxruntime-common/dist/*/*.map
  [ -f LICENSE ] && cp LICENSE "$pkg/"
  node - "$pkg" "$target" <<'NODE'
const fs = require('node:fs');
const path = require('node:path');
const [pkgDir, target] = process.argv.slice(2);
const root = require(path.resolve('package.json'));
const ortFile = path.join(pkgDir, 'node_modules/onnxruntime-node/package.json');
const ort = require(path.resolve('node_modules/onnxruntime-node/package.json'));
// The vendored copy keeps what runs: no install scripts, no install-only dependencies.
const { scripts, devDependencies, dependencies, ...ortKept } = ort;
fs.writeFileSync(ortFile, JSON.stringify({ ...ortKept, dependencies: { 'onnxruntime-common': dependencies['onnxruntime-common'] } }, null, 2) + '\n');
fs.writeFileSync(
  path.join(pkgDir, 'package.json'),
  JSON.stringify(
    {
      name: 'mlops-cli',
      version: root.version,
      description: `The mlops command-line tool of MLOps Studio (${target}): version, promote, roll back, verify ONNX models; data drift.`,
      license: root.license,
      bin: { mlops: 'dist/cli.js' },
      engines: { node: root.engines.node },
      os: [target.split('-')[0]],
      cpu: [target.split('-')[1]],
      dependencies: { 'onnxruntime-node': ort.version, 'onnxruntime-common': ort.dependencies['onnxruntime-common'] },
      bundleDependencies: ['onnxruntime-node', 'onnxruntime-common'],
    },
    null,
    2,
  ) + '\n',
);
fs.writeFileSync(
  path.join(pkgDir, 'README.md'),
  `# mlops ${root.version}\n\nThe MLOps Studio command-line tool. Run \`mlops --help\`.\n`,
);
NODE
  local tgz
  tgz="$(cd "$pkg" && npm pack --silent --offline --pack-destination "$stage/cli")"
  mv "$stage/cli/$tgz" "$out/mlops-cli-$target-$version.tgz"
  echo "$out/mlops-cli-$target-$version.tgz: $(du -h "$out/mlops-cli-$target-$version.tgz" | cut -f1)"
}

if [ "$only_cli" = 1 ]; then
  package_cli "${2:-.}"
  exit 0
fi

node esbuild.mjs --production
# Production builds carry no source maps; remove the ones a dev build left.
rm -f dist/*.map dist/webview/*.map

# The developer README.md and its screenshots stay out: the package carries the user README (below).
sed -e "s#napi-v6/linux/x64/#napi-v6/$platform/$arch/#" -e '/^!README\.md$/d' -e '/^!media\/screenshots\//d' \
  .vscodeignore > "$ignore"

out="mlops-studio-$target-$version.vsix"
# The Extensions view shows a user README (docs/marketplace/README.md: what it does, commands, settings),
# not the developer one; its details page loads images from https only and there is no public repository
# URL yet, so that README has no images (vsce refuses any that are not https).
npx vsce package --target "$target" --ignoreFile "$ignore" --out "$out" --readme-path docs/marketplace/README.md \
  --allow-missing-repository --skip-license --no-rewrite-relative-links "${@:2}"
echo "$out: $(du -h "$out" | cut -f1)"
package_cli .
