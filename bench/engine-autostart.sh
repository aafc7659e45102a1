#!/usr/bin/env bash
# berth's engine started by berth itself (BERTH_ENGINE=embedded, nothing running on its root): `berth ls` that
# has to start the engine first, beside `berth ls` with the engine already running, in one hyperfine run. The
# difference is the auto-start path (src/engine-client/embedded.ts: spawn, the engine's own start-up, the first
# answer to /_ping). Called by bench/run.sh; results in bench/results/engine-autostart.md.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
runs=${BENCH_RUNS:-10}
work=$(mktemp -d /tmp/berth-bench-autostart-XXXXXX)
stop_engine() {
  local pid
  pid=$(cat "$work/root/engine.pid" 2>/dev/null || true)
  [ -n "$pid" ] || return 0
  kill "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 200); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.05; done
  kill -9 "$pid" 2>/dev/null || true
}
cleanup() {
  stop_engine
  remove_engine_leftovers "$work"
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p bench/results
export BERTH_ENGINE=embedded BERTH_ENGINE_ROOT="$work/root" BERTH_ENGINE_SOCKET="$work/engine.sock"
# Once, so that the root exists and the first measured start is not the very first.
node bin/berth.js ls >/dev/null 2>&1
stop_engine
script_dir=$(dirname "$(realpath "$0")")
hyperfine --runs "$runs" --export-markdown bench/results/engine-autostart.md \
  --prepare "bash -c 'pid=\$(cat $work/root/engine.pid 2>/dev/null) && kill \$pid 2>/dev/null; for i in \$(seq 1 200); do [ -n \"\$pid\" ] && kill -0 \$pid 2>/dev/null || exit 0; sleep 0.05; done'" \
  -n "berth ls, starting berth's engine" "node $script_dir/../bin/berth.js ls" >/dev/null
node bin/berth.js ls >/dev/null 2>&1
hyperfine --warmup 2 --runs "$runs" --export-markdown "$work/warm.md" \
  -n "berth ls, berth's engine already running" "node $script_dir/../bin/berth.js ls" >/dev/null
tail -n 1 "$work/warm.md" >> bench/results/engine-autostart.md
cat bench/results/engine-autostart.md
