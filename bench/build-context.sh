#!/usr/bin/env bash
# A 500 MB build context (one 400 MB file and 1000 files of 100 KB, generated in /tmp and removed after), built from
# `FROM scratch` + one small COPY, so that what is measured is sending the context: `berth build` on dockerd and on
# berth's engine beside `docker build` (classic builder) on dockerd. Wall time (median of BENCH_RUNS, default 3) and
# peak RSS of the client (/usr/bin/time), and berth's engine's peak RSS (VmHWM of a fresh engine).
# Usage: bash bench/build-context.sh [OTHER_BERTH_DIR]  (a second build, e.g. main's, measured in the same run)
# Called by bench/run.sh; results in bench/results/build-context.md.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
other=${1:-}
runs=${BENCH_RUNS:-3}
work=$(mktemp -d /tmp/berth-bench-context-XXXXXX)
engine_pid=
cleanup() {
  docker rmi -f berth-bench-context >/dev/null 2>&1 || true
  if [ -n "$engine_pid" ]; then
    docker -H "unix://$work/engine.sock" rmi -f berth-bench-context >/dev/null 2>&1 || true
    kill "$engine_pid" 2>/dev/null || true
    wait "$engine_pid" 2>/dev/null || true
  fi
  remove_engine_leftovers "$work"
  rm -rf "$work"
}
trap cleanup EXIT

mkdir -p bench/results
context="$work/context"
mkdir -p "$context/small"
head -c $((400 * 1024 * 1024)) /dev/urandom > "$context/big.bin"
for i in $(seq 1 1000); do head -c $((100 * 1024)) /dev/urandom > "$context/small/$i.bin"; done
echo marker > "$context/marker"
printf 'FROM scratch\nCOPY marker /marker\n' > "$context/Dockerfile"
printf 'services:\n  app:\n    build: .\n    image: berth-bench-context\n' > "$context/compose.yaml"

node bin/berth.js engine --root "$work/root" --socket "$work/engine.sock" 2>"$work/engine.log" &
engine_pid=$!
for _ in $(seq 1 100); do [ -S "$work/engine.sock" ] && break; sleep 0.1; done
berth_engine="unix://$work/engine.sock"

# name, then the command (run in $context); prints "name | median s | max RSS MiB".
measure() {
  local name=$1 cmd=$2 times=() rss=0
  for _ in $(seq 1 "$runs"); do
    /usr/bin/time -f '%e %M' -o "$work/time" bash -c "cd $context && $cmd" >/dev/null 2>"$work/err" || { cat "$work/err" >&2; return 1; }
    read -r seconds kb < "$work/time"
    times+=("$seconds")
    [ "$kb" -gt "$rss" ] && rss=$kb
  done
  median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  printf '| %s | %s | %s |\n' "$name" "$median" "$((rss / 1024))"
}

{
  printf '| 500 MB context, FROM scratch + COPY of one small file | median [s] | client peak RSS [MiB] |\n|---|---:|---:|\n'
  measure 'docker build (classic), dockerd' "DOCKER_BUILDKIT=0 docker build -q -t berth-bench-context ."
  for build in "$PWD" $other; do
    tag=$([ "$build" = "$PWD" ] && echo berth || echo "berth($(basename "$build"))")
    measure "$tag build, dockerd" "node $build/bin/berth.js -p benchctx build"
    measure "$tag build, berth's engine" "DOCKER_HOST=$berth_engine node $build/bin/berth.js -p benchctx build"
  done
  printf '\nberth engine peak RSS over these builds (VmHWM): %s MiB\n' "$(( $(awk '/VmHWM/ {print $2}' "/proc/$engine_pid/status") / 1024 ))"
} | tee bench/results/build-context.md
