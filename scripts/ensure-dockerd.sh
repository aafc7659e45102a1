#!/usr/bin/env bash
# Makes sure a Docker engine answers: installs Debian's docker.io if needed and starts dockerd in the background.
set -euo pipefail

if docker info >/dev/null 2>&1; then
  exit 0
fi
if ! command -v dockerd >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq docker.io >/dev/null
fi
log=${BERTH_DOCKERD_LOG:-/tmp/berth-dockerd.log}
if ! pgrep -x dockerd >/dev/null; then
  # No iptables on these machines: published ports go through docker-proxy.
  nohup dockerd --iptables=false >"$log" 2>&1 &
fi
for _ in $(seq 1 60); do
  if docker info >/dev/null 2>&1; then
    exit 0
  fi
  sleep 1
done
echo "dockerd did not answer within 60s; its log ($log) ends with:" >&2
tail -n 20 "$log" >&2 || true
exit 1
