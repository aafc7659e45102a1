#!/usr/bin/env bash
# Times berth's start-up and loading on a generated 200-service project, beside docker-compose 1.x on the same files.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v hyperfine >/dev/null || { apt-get update -qq && apt-get install -y -qq hyperfine >/dev/null; }
command -v docker-compose >/dev/null || { apt-get update -qq && apt-get install -y -qq docker-compose >/dev/null; }

project=$(mktemp -d /tmp/berth-bench-XXXXXX)
trap 'rm -rf "$project"' EXIT
node bench/gen-project.mjs "$project" 200
mkdir -p bench/results

hyperfine --warmup 3 --runs 20 --export-markdown bench/results/model.md \
  -n 'berth --version' 'node bin/berth.js --version' \
  -n 'berth config -q (200 services)' "node bin/berth.js -p bench -f $project/compose.yaml config -q" \
  -n 'berth config --services (200 services)' "node bin/berth.js -p bench -f $project/compose.yaml config --services" \
  -n 'docker-compose config -q (200 services)' "docker-compose -p bench -f $project/compose.yaml config -q"
