#!/usr/bin/env bash
# The CLI's fixed cost, beside bare node in the same run: `node -e 0`, `berth --version`, `berth --help`,
# `berth config -q` on a 10-service project and on the 200-service one (with its load cache warm, and without one,
# beside docker-compose 1.29's), and a no-op `berth up -d` of the 10-service project on the local dockerd.
# Usage: bash bench/cli-startup.sh [OTHER_BERTH_DIR]  (a second build, e.g. main's, measured in the same run)
# Prints hyperfine's table and each row as a ratio to `node -e 0`; results in bench/results/cli-startup.{md,json}.
set -euo pipefail
cd "$(dirname "$0")/.."
other=${1:-}
runs=${BENCH_RUNS:-15}
work=$(mktemp -d /tmp/berth-bench-cli-XXXXXX)
project="benchcli$$"
trap 'node bin/berth.js -p "$project" -f "$work/compose.yaml" down -v >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
mkdir -p bench/results
node bench/gen-stack.mjs "$work" 10 >/dev/null
stack="$work/compose.yaml"
node bench/gen-project.mjs "$work/model" 200 >/dev/null
model="$work/model/compose.yaml"
node bin/berth.js --progress quiet -p "$project" -f "$stack" up -d

rows=(-n 'node -e 0' 'node -e 0' -n 'docker-compose config -q (200 services)' "docker-compose -p bench -f $model config -q")
for build in . $other; do
  tag=$([ "$build" = . ] && echo berth || echo "berth($(basename "$build"))")
  rows+=(-n "$tag --version" "node $build/bin/berth.js --version"
    -n "$tag --help" "node $build/bin/berth.js --help"
    -n "$tag config -q (10 services)" "node $build/bin/berth.js -p $project -f $stack config -q"
    -n "$tag config -q (200 services)" "node $build/bin/berth.js -p bench -f $model config -q"
    -n "$tag config -q (200 services, no load cache)" "env BERTH_CACHE_DIR= node $build/bin/berth.js -p bench -f $model config -q"
    -n "$tag up -d (no-op, 10 services, dockerd)" "node $build/bin/berth.js --progress quiet -p $project -f $stack up -d")
done
hyperfine -N --warmup 2 --runs "$runs" --export-markdown bench/results/cli-startup.md \
  --export-json bench/results/cli-startup.json "${rows[@]}" >/dev/null
cat bench/results/cli-startup.md
node -e '
  const { results } = JSON.parse(require("fs").readFileSync("bench/results/cli-startup.json", "utf8"));
  const base = results[0].median;
  for (const r of results) console.log(`${(r.median * 1000).toFixed(0).padStart(6)} ms  ${(r.median / base).toFixed(2)}x node -e 0  ${r.command}`);
'
