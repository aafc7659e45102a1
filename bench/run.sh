#!/usr/bin/env bash
# berth beside docker-compose 1.x, in one run: start-up and loading on a generated 200-service project, then a
# 10-service chained stack on the local dockerd (cold up + down, and a no-op up). Results in bench/results/.
# Each step is one bench_step (bench/lib.sh): a step that fails says "failed: <reason>" in its results file and in
# bench/results/summary.md, the others still run, and the run exits non-zero at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
export DEBIAN_FRONTEND=noninteractive
need() { command -v "$1" >/dev/null || { apt-get update -qq && apt-get install -y -qq "$2" >/dev/null; }; }
need hyperfine hyperfine
need docker-compose docker-compose
need busybox busybox-static
need runc runc
need /usr/bin/time time
bash scripts/ensure-dockerd.sh

work=$(mktemp -d /tmp/berth-bench-XXXXXX)
trap 'docker-compose -p benchdc -f "$work/stack/compose.yaml" down -v >/dev/null 2>&1 || true; node bin/berth.js -p benchb -f "$work/stack/compose.yaml" down -v >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
mkdir -p bench/results

# The image both tools run: busybox-static, built once.
if ! docker image inspect berth-test-busybox:latest >/dev/null 2>&1; then
  mkdir -p "$work/image" && cp fixtures/images/busybox/Dockerfile "$work/image/" && cp "$(command -v busybox)" "$work/image/busybox"
  docker build -q -t berth-test-busybox:latest "$work/image" >/dev/null
fi

model_rows() {
  node bench/gen-project.mjs "$work/model" 200
  hyperfine --warmup 3 --runs 20 --export-markdown bench/results/model.md \
    -n 'node -e 0' 'node -e 0' \
    -n 'berth --version' 'node bin/berth.js --version' \
    -n 'berth config -q (200 services)' "node bin/berth.js -p bench -f $work/model/compose.yaml config -q" \
    -n 'berth config -q (200 services, no load cache)' "BERTH_CACHE_DIR= node bin/berth.js -p bench -f $work/model/compose.yaml config -q" \
    -n 'berth config (200 services)' "node bin/berth.js -p bench -f $work/model/compose.yaml config" \
    -n 'docker-compose config -q (200 services)' "docker-compose -p bench -f $work/model/compose.yaml config -q"
}
bench_step model model_rows

node bench/gen-stack.mjs "$work/stack" 10
stack="$work/stack/compose.yaml"
bench_step stack hyperfine --runs 5 --export-markdown bench/results/stack.md \
  -n 'berth up -d + down (10 services, cold)' "node bin/berth.js --progress quiet -p benchb -f $stack up -d && node bin/berth.js --progress quiet -p benchb -f $stack down -v" \
  -n 'docker-compose up -d + down (10 services, cold)' "docker-compose -p benchdc -f $stack up -d 2>/dev/null && docker-compose -p benchdc -f $stack down -v 2>/dev/null"

noop_rows() {
  node bin/berth.js --progress quiet -p benchb -f "$stack" up -d
  docker-compose -p benchdc -f "$stack" up -d >/dev/null 2>&1
  hyperfine --warmup 2 --runs 10 --export-markdown bench/results/noop.md \
    -n 'berth up -d (no-op, 10 services)' "node bin/berth.js --progress quiet -p benchb -f $stack up -d" \
    -n 'docker-compose up -d (no-op, 10 services)' "docker-compose -p benchdc -f $stack up -d"
}
bench_step noop noop_rows

# The same chain's up -d and down -v timed apart, on both engines, beside docker-compose (interleaved rounds), and
# the issue's `up -d --scale w=100` + `down` row on both engines (SCALE=0 leaves it out). A row that fails says so
# in its table; the others are still timed.
bench_step stack-phases env RUNS="${STACK_RUNS:-3}" SCALE="${SCALE:-100}" SCALE_DOCKERD="${SCALE_DOCKERD:-1}" bash bench/stack-phases.sh

# The CLI's fixed cost beside bare node: --version, --help, config -q and a no-op up on dockerd.
bench_step cli-startup bash bench/cli-startup.sh

# berth's own engine beside dockerd and bare runc.
bench_step engine bash bench/engine.sh
bench_step pull bash bench/pull.sh

# A 500 MB build context: berth build on both engines beside docker build on dockerd, time and peak RSS.
bench_step build-context bash bench/build-context.sh

# berth starting its own engine (no Docker): time to the first answer, beside the engine already running.
bench_step engine-autostart bash bench/engine-autostart.sh

# berth's engine's start path (start, run --rm, processes per start) and its own start-up (first /_ping, CPU, RSS).
bench_step engine-start bash bench/engine-start.sh

bench_summary
