#!/usr/bin/env bash
# The README's quick start: install what is missing, start a local dockerd if none answers, build berth, and bring
# up examples/hello with it. `node bin/berth.js -f examples/hello/compose.yaml down` takes it away again.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive
if ! command -v busybox >/dev/null 2>&1 || ! busybox --list >/dev/null 2>&1; then
  apt-get update -qq && apt-get install -y -qq busybox-static >/dev/null
fi
bash scripts/ensure-dockerd.sh
[ -d node_modules ] || npm ci --no-audit --no-fund
npm run build >/dev/null
# The example's image is busybox-static and a page: the binary comes from the machine, not from a registry.
cp "$(command -v busybox)" examples/hello/web/busybox
node bin/berth.js -f examples/hello/compose.yaml up --wait
node bin/berth.js -f examples/hello/compose.yaml ps -a
node bin/berth.js -f examples/hello/compose.yaml logs client
