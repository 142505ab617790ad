#!/usr/bin/env bash
# Installs redis-server (Debian's package, as root) for the counter-store tests, once. `npm test` runs this
# before the integration tests; the tests start their own servers on free ports and stop them.
set -euo pipefail
command -v redis-server >/dev/null && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "setup-redis: redis-server is missing; run as root: apt-get install -y redis-server" >&2
  exit 1
fi
echo "setup-redis: installing redis-server with apt-get"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
# Debian's package may start a server of its own on 6379; the tests never use it.
