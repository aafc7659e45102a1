#!/usr/bin/env bash
# The README's quick start: install what is missing, build berth, and bring up examples/hello with it. With no
# Docker engine on the machine, berth starts its own (the embedded default, at /run/berth/engine.sock); with one, it
# uses that. `node bin/berth.js -f examples/hello/compose.yaml down` takes the example away again.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive
# busybox-static for the example's programs (mounted into its containers); runc, gcc (the engine's small C helpers), iproute2 and tini for berth's engine.
missing=()
for package in busybox-static runc gcc iproute2 tini; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null
fi
[ -d node_modules ] || npm ci --no-audit --no-fund
npm run build >/dev/null
node bin/berth.js -f examples/hello/compose.yaml up --wait
node bin/berth.js -f examples/hello/compose.yaml ps -a
sleep 6
node bin/berth.js -f examples/hello/compose.yaml logs client
