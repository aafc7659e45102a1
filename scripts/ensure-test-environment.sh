#!/usr/bin/env bash
# What `npm test` needs, installed when missing (system packages as root, from Debian's) and started: a
# dockerd for the scenario tests; busybox-static for the test images; runc, gcc, procps, tini, iproute2 and nftables
# (iptables for the engine's fallback) for berth's engine; docker-compose (v1), a client nobody here wrote, to drive
# it; docker-registry to push to and pull from, skopeo to seed it without any engine, apache2-utils (htpasswd) and
# openssl for its auth; tmux, a terminal of a chosen size for the progress display's tests; GNU time, which the
# bench's timed rows use (bench/lib.sh, tested by test/e2e/bench-rows.test.ts).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

missing=()
for package in docker.io busybox-static runc gcc procps tini iproute2 nftables iptables docker-compose docker-registry skopeo apache2-utils openssl tmux time; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "the tests need these Debian packages: ${missing[*]} (run as root to have them installed)" >&2
    exit 1
  fi
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi
bash "$(dirname "$0")/ensure-dockerd.sh"
# And the project's own dependencies, when this is a fresh clone.
[ -d node_modules ] || npm ci --no-audit --no-fund
