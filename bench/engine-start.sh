#!/usr/bin/env bash
# berth's engine start path in one hyperfine run: `docker run --rm --network none` (one container at the API: create,
# attach, wait, start, removal) beside bare `runc run` of the same bundle, `docker start` of a created container on a
# user-defined network (the engine's network setup, its monitor, runc), and `docker run --rm` on that network; the
# start request alone
# (bench/start-latency.mjs, engines in turns); then the processes one start spawns (strace) and the engine's
# start-up to its first /_ping with its CPU time and RSS.
# `bash bench/engine-start.sh OTHER_DIR` runs the same rows on a second build (a checkout with bin/, dist/ and
# package.json, built) beside this one, for before/after figures in one run. Results in bench/results/engine-start.md.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
image=berth-test-busybox:latest
runs=${BENCH_RUNS:-20}
builds=("$PWD")
[ $# -ge 1 ] && builds+=("$(realpath "$1")")
work=$(mktemp -d /tmp/berth-bench-start-XXXXXX)
pids=()
cleanup() {
  local i
  for i in "${!pids[@]}"; do
    docker -H "unix://$work/$i/engine.sock" rm -f bench-start >/dev/null 2>&1 || true
    docker -H "unix://$work/$i/engine.sock" network rm bench-start >/dev/null 2>&1 || true
    kill "${pids[$i]}" 2>/dev/null || true
    for _ in $(seq 1 200); do kill -0 "${pids[$i]}" 2>/dev/null || break; sleep 0.05; done
    remove_engine_leftovers "$work/$i"
  done
  remove_runc_bench_cgroups
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p bench/results

commands=()
for i in "${!builds[@]}"; do
  build=${builds[$i]}
  mkdir -p "$work/$i"
  node "$build/bin/berth.js" engine --root "$work/$i/root" --socket "$work/$i/engine.sock" 2>"$work/$i/engine.log" &
  pids[$i]=$!
  docker_i="timeout 60 docker -H unix://$work/$i/engine.sock"
  for _ in $(seq 1 300); do $docker_i version >/dev/null 2>&1 && break; sleep 0.1; done
  docker save "$image" | $docker_i load >/dev/null
  $docker_i network create bench-start >/dev/null
  label=$([ "$i" = 0 ] && echo this || echo "$build")
  if [ "$i" = 0 ]; then
    make_runc_bundle "$work/$i/engine.sock" "$work/$i/root" "$image" "$work/bundle"
    commands+=(-n 'runc run (bare, the same bundle)' --prepare 'true' "runc run --bundle $work/bundle bench-\$\$-\$RANDOM")
  fi
  commands+=(-n "docker run --rm --network none true ($label)" --prepare 'true' "$docker_i run --rm --network none $image true")
  commands+=(-n "docker start, user network ($label)" --prepare "$docker_i rm -f bench-start >/dev/null 2>&1; $docker_i create --name bench-start --network bench-start $image sleep 60 >/dev/null" "$docker_i start bench-start")
  commands+=(-n "docker run --rm true, user network ($label)" --prepare 'true' "$docker_i run --rm --network bench-start $image true")
done
hyperfine --warmup 2 --runs "$runs" --export-markdown bench/results/engine-start.md "${commands[@]}" >/dev/null

# The start request alone, the engines taken in turns (steadier than hyperfine's back-to-back runs on a busy machine).
sockets=()
for i in "${!builds[@]}"; do sockets+=("$work/$i/engine.sock"); done
printf '\n' >> bench/results/engine-start.md
node bench/start-latency.mjs "$image" bench-start "$runs" "${sockets[@]}" | tee -a bench/results/engine-start.md

# What one start spawns, by program (strace on the engine, all threads and children).
for i in "${!builds[@]}"; do
  docker_i="timeout 60 docker -H unix://$work/$i/engine.sock"
  $docker_i rm -f bench-start >/dev/null 2>&1 || true
  $docker_i create --name bench-start --network bench-start "$image" sleep 60 >/dev/null
  timeout 60 strace -f -qq -e trace=execve -e signal=none -o "$work/$i/strace" -p "${pids[$i]}" &
  tracer=$!
  sleep 1
  $docker_i start bench-start >/dev/null
  sleep 0.5
  kill "$tracer" 2>/dev/null || true
  wait "$tracer" 2>/dev/null || true
  spawned=$(grep -E 'execve\(.*\) = 0' "$work/$i/strace" | sed -E 's/.*execve\("([^"]*)".*/\1/' | xargs -rn1 basename | sort | uniq -c | awk '{printf "%s %s, ", $1, $2}')
  printf '\nprocesses one start spawns (%s): %s\n' "$([ "$i" = 0 ] && echo this || echo "${builds[$i]}")" "${spawned%, }" | tee -a bench/results/engine-start.md
  $docker_i rm -f bench-start >/dev/null
done

# The engine's start-up on the same root (its engine stopped first): spawn to the first answered /_ping, the
# engine's CPU time by then, its idle RSS; 5 runs each.
for i in "${!builds[@]}"; do
  docker -H "unix://$work/$i/engine.sock" network rm bench-start >/dev/null 2>&1 || true
  kill "${pids[$i]}" 2>/dev/null || true
  for _ in $(seq 1 200); do kill -0 "${pids[$i]}" 2>/dev/null || break; sleep 0.05; done
  printf '\nengine start-up (%s): ' "$([ "$i" = 0 ] && echo this || echo "${builds[$i]}")" | tee -a bench/results/engine-start.md
  node bench/engine-startup.mjs "${builds[$i]}/bin/berth.js" "$work/$i/root" "${BENCH_STARTUP_RUNS:-5}" | tee -a bench/results/engine-start.md
done
