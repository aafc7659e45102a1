#!/usr/bin/env bash
# Cold `up -d`, a no-op `up -d` right after it, and `down -v` of the 10-service chained stack (bench/gen-stack.mjs),
# timed SEPARATELY, on berth's engine and on dockerd: berth (this build), berth (OTHER_BUILD, when given: before/after in one run) and
# docker-compose 1.29 (dockerd only). Rounds are interleaved (every tool once per round, in turns), so the load of the
# moment weighs on all alike; medians of wall time and of the CLI's user+sys CPU. One engine (this build's) serves
# both berth builds: only the CLI differs between them.
# `SCALE=100 bash bench/stack-phases.sh` adds `up -d --scale w=100` + `down` of a one-service project (berth's engine;
# dockerd too with SCALE_DOCKERD=1). `RUNS=N` rounds (default 5). Results in bench/results/stack-phases.md.
# `BERTH_TRACE_REQUESTS=FILE` is passed on: `node bench/trace-requests.mjs FILE` draws each command's requests.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
image=berth-test-busybox:latest
runs=${RUNS:-5}
scale=${SCALE:-0}
other=${1:+$(realpath "$1")}
work=$(mktemp -d /tmp/berth-bench-phases-XXXXXX)
engine_pid=
sock="unix://$work/engine.sock"
stack="$work/stack/compose.yaml"
scaled="$work/scaled/compose.yaml"
cleanup() {
  for build in "$PWD" ${other:+"$other"}; do
    DOCKER_HOST=$sock timeout 120 node "$build/bin/berth.js" -p phe -f "$stack" down -v >/dev/null 2>&1 || true
    timeout 120 node "$build/bin/berth.js" -p phd -f "$stack" down -v >/dev/null 2>&1 || true
    DOCKER_HOST=$sock timeout 120 node "$build/bin/berth.js" -p phse -f "$scaled" down -v >/dev/null 2>&1 || true
    timeout 300 node "$build/bin/berth.js" -p phsd -f "$scaled" down -v >/dev/null 2>&1 || true
  done
  timeout 120 docker-compose -p phc -f "$stack" down -v >/dev/null 2>&1 || true
  if [ -n "$engine_pid" ]; then
    kill "$engine_pid" 2>/dev/null || true
    for _ in $(seq 1 200); do kill -0 "$engine_pid" 2>/dev/null || break; sleep 0.05; done
  fi
  remove_engine_leftovers "$work"
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p bench/results

node bin/berth.js engine --root "$work/root" --socket "$work/engine.sock" 2>"$work/engine.log" &
engine_pid=$!
for _ in $(seq 1 300); do timeout 10 docker -H "$sock" version >/dev/null 2>&1 && break; sleep 0.1; done
docker save "$image" | timeout 120 docker -H "$sock" load >/dev/null
node bench/gen-stack.mjs "$work/stack" 10
mkdir -p "$work/scaled"
printf 'services:\n  w:\n    image: %s\n    command: ["sh", "-c", "trap '"'"'exit 0'"'"' TERM; while true; do sleep 1; done & wait"]\n' "$image" > "$scaled"

# time_it LABEL COMMAND...: one timed run of a row (bench/lib.sh time_row). A run that fails is "failed: <reason>" in
# the table, the other rows still run, and the script exits non-zero at the end.
samples="$work/samples.tsv"
: >"$samples"
time_it() { time_row "$samples" "$@"; }

builds=("this:$PWD")
[ -n "$other" ] && builds+=("before:$other")
for round in $(seq 1 "$runs"); do
  for entry in "${builds[@]}"; do
    name=${entry%%:*}
    berth="node ${entry#*:}/bin/berth.js --progress quiet"
    time_it "berth ($name), berth's engine: up -d" env DOCKER_HOST="$sock" $berth -p phe -f "$stack" up -d
    time_it "berth ($name), berth's engine: up -d (no-op)" env DOCKER_HOST="$sock" $berth -p phe -f "$stack" up -d
    time_it "berth ($name), berth's engine: down -v" env DOCKER_HOST="$sock" $berth -p phe -f "$stack" down -v
    time_it "berth ($name), dockerd: up -d" $berth -p phd -f "$stack" up -d
    time_it "berth ($name), dockerd: up -d (no-op)" $berth -p phd -f "$stack" up -d
    time_it "berth ($name), dockerd: down -v" $berth -p phd -f "$stack" down -v
  done
  time_it 'docker-compose 1.29, dockerd: up -d' docker-compose -p phc -f "$stack" up -d
  time_it 'docker-compose 1.29, dockerd: up -d (no-op)' docker-compose -p phc -f "$stack" up -d
  time_it 'docker-compose 1.29, dockerd: down -v' docker-compose -p phc -f "$stack" down -v
  if [ "$scale" -gt 0 ]; then
    for entry in "${builds[@]}"; do
      name=${entry%%:*}
      berth="node ${entry#*:}/bin/berth.js --progress quiet"
      time_it "berth ($name), berth's engine: up -d --scale w=$scale" env DOCKER_HOST="$sock" $berth -p phse -f "$scaled" up -d --scale "w=$scale"
      time_it "berth ($name), berth's engine: down (w=$scale)" env DOCKER_HOST="$sock" $berth -p phse -f "$scaled" down
      if [ "${SCALE_DOCKERD:-0}" = 1 ]; then
        time_it "berth ($name), dockerd: up -d --scale w=$scale" $berth -p phsd -f "$scaled" up -d --scale "w=$scale"
        time_it "berth ($name), dockerd: down (w=$scale)" $berth -p phsd -f "$scaled" down
      fi
    done
  fi
done

{
  printf '\n%s, %s rounds interleaved, load %s\n\n' "$(date -u +%Y-%m-%dT%H:%MZ)" "$runs" "$(cut -d' ' -f1-3 /proc/loadavg)"
  print_rows "$samples"
} | tee -a bench/results/stack-phases.md
