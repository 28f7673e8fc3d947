#!/usr/bin/env bash
# `npm run package [-- <target>]`: a production build and a platform-specific .vsix (default linux-x64)
# holding only what runs (.vscodeignore), with onnxruntime's native binaries for that target only.
# vsce works offline.
set -euo pipefail
cd "$(dirname "$0")/.."

target="${1:-linux-x64}"
case "$target" in
  linux-x64 | linux-arm64 | darwin-x64 | darwin-arm64 | win32-x64 | win32-arm64) ;;
  *) echo "package-vsix: unsupported target \"$target\" (linux-x64, linux-arm64, darwin-x64, darwin-arm64, win32-x64, win32-arm64)" >&2; exit 2 ;;
esac
platform="${target%-*}"
arch="${target#*-}"

node esbuild.mjs --production
# Production builds carry no source maps; remove the ones a dev build left.
rm -f dist/*.map dist/webview/*.map

ignore="$(mktemp)"
trap 'rm -f "$ignore"' EXIT
# The developer README.md and its screenshots stay out: the package carries the user README (below).
sed -e "s#napi-v6/linux/x64/#napi-v6/$platform/$arch/#" -e '/^!README\.md$/d' -e '/^!media\/screenshots\//d' \
  .vscodeignore > "$ignore"

version="$(node -p 'require("./package.json").version')"
out="mlops-studio-$target-$version.vsix"
# The Extensions view shows a user README (docs/marketplace/README.md: what it does, commands, settings),
# not the developer one; its details page loads images from https only and there is no public repository
# URL yet, so that README has no images (vsce refuses any that are not https).
npx vsce package --target "$target" --ignoreFile "$ignore" --out "$out" --readme-path docs/marketplace/README.md \
  --allow-missing-repository --skip-license --no-rewrite-relative-links "${@:2}"
echo "$out: $(du -h "$out" | cut -f1)"
