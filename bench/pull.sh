#!/usr/bin/env bash
# Pull of a 5-layer image of about 100 MB (random content, so gzip gains nothing) from a registry on loopback
# (Debian's docker-registry, seeded with skopeo), berth's engine beside dockerd, each from a cold store (the image
# and its layers removed before the run), one run each. Called by bench/run.sh; results in bench/results/pull.md.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive
need() { command -v "$1" >/dev/null || { apt-get update -qq && apt-get install -y -qq "$2" >/dev/null; }; }
need docker-registry docker-registry
need skopeo skopeo
need hyperfine hyperfine

work=$(mktemp -d /tmp/berth-bench-pull-XXXXXX)
registry_pid=
engine_pid=
port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
image="127.0.0.1:$port/bench/pull:v1"
berth_docker() { docker -H "unix://$work/engine.sock" "$@"; }
cleanup() {
  docker rmi -f "$image" >/dev/null 2>&1 || true
  [ -n "$engine_pid" ] && { kill "$engine_pid" 2>/dev/null || true; wait "$engine_pid" 2>/dev/null || true; }
  [ -n "$registry_pid" ] && { kill "$registry_pid" 2>/dev/null || true; wait "$registry_pid" 2>/dev/null || true; }
  rm -rf "$work"
}
trap cleanup EXIT

cat >"$work/registry.yml" <<EOF
version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $work/registry
http:
  addr: 127.0.0.1:$port
EOF
docker-registry serve "$work/registry.yml" 2>"$work/registry.log" &
registry_pid=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/v2/" >/dev/null && break; sleep 0.1; done

node bench/gen-image.mjs "$work/image.tar" bench/pull:v1 5 $((20 * 1000 * 1000))
skopeo copy --quiet --dest-tls-verify=false "docker-archive:$work/image.tar" "docker://$image"
rm -f "$work/image.tar"

node bin/berth.js engine --root "$work/root" --socket "$work/engine.sock" 2>"$work/engine.log" &
engine_pid=$!
for _ in $(seq 1 100); do [ -S "$work/engine.sock" ] && break; sleep 0.1; done

mkdir -p bench/results
# rmi before each run removes the image and its layers: both engines start from a cold store.
hyperfine --runs 1 --export-markdown bench/results/pull.md \
  -n "berth's engine: pull 5 layers, 100 MB, loopback registry (cold)" \
  --prepare "docker -H unix://$work/engine.sock rmi -f $image >/dev/null 2>&1 || true" \
  "docker -H unix://$work/engine.sock pull -q $image" \
  -n 'dockerd: pull 5 layers, 100 MB, loopback registry (cold)' \
  --prepare "docker rmi -f $image >/dev/null 2>&1 || true" \
  "docker pull -q $image"
