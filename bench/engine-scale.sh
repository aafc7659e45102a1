#!/usr/bin/env bash
# `up -d --scale w=N` and `down` of one tiny service on berth's ENGINE: this build's engine beside OTHER_BUILD's
# engine (when given), both driven by this build's CLI, rounds interleaved (each engine once per round, in turns), so
# that only the engine differs and the load of the moment weighs on both alike. Besides the wall time of each command:
# the CPU time of the engine and of every process it starts (monitors, runc, ip: the engine runs in a cgroup of its
# own, containers are in theirs), which the rest of the machine's load barely changes; the engine process's own CPU
# time; the most threads seen on the machine (sampled every 0.2 s) and the 1-minute load at the end.
#   SCALE=40 RUNS=2 bash bench/engine-scale.sh [OTHER_BUILD]
# `BERTH_TRACE_REQUESTS=FILE` is passed on (node bench/trace-requests.mjs FILE). Results in bench/results/engine-scale.md.
# Run one scale benchmark at a time on a shared machine: 100 starts at once load 2 cores heavily.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
image=berth-test-busybox:latest
runs=${RUNS:-2}
scale=${SCALE:-40}
other=${1:+$(realpath "$1")}
work=$(mktemp -d /tmp/berth-bench-scale-XXXXXX)
declare -A engine_pids=()
cli="node $PWD/bin/berth.js --progress quiet"
project=$work/project/compose.yaml
sampler=

cleanup() {
  [ -n "$sampler" ] && kill "$sampler" 2>/dev/null || true
  for name in "${!engine_pids[@]}"; do
    DOCKER_HOST="unix://$work/$name/engine.sock" timeout 300 $cli -p bsc -f "$project" down >/dev/null 2>&1 || true
    kill "${engine_pids[$name]}" 2>/dev/null || true
    for _ in $(seq 1 200); do kill -0 "${engine_pids[$name]}" 2>/dev/null || break; sleep 0.05; done
    remove_engine_leftovers "$work/$name"
  done
  for name in "${!engine_pids[@]}"; do rmdir "$(cgroup_of "$name")" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# The cgroup each engine runs in (cgroup v1's cpuacct, or v2), and the CPU time used in it so far, in seconds.
cgroup_of() { bench_cgroup scale "$1"; }
cgroup_cpu() { bench_cgroup_cpu "$(cgroup_of "$1")"; }
mkdir -p bench/results "$work/project"
printf 'services:\n  w:\n    image: %s\n    command: ["sh", "-c", "trap '"'"'exit 0'"'"' TERM; while true; do sleep 1; done & wait"]\n' "$image" > "$project"

# start_engine NAME BUILD: an engine of BUILD under $work/NAME (root, socket, log), the test image loaded into it.
start_engine() {
  local name=$1 build=$2
  mkdir -p "$work/$name" "$(cgroup_of "$name")"
  # In its cgroup from its first instruction, so that everything it starts (its fork server first) is counted.
  sh -c 'echo $$ > "$0/cgroup.procs" && exec "$@"' "$(cgroup_of "$name")" node "$build/bin/berth.js" engine --root "$work/$name/root" --socket "$work/$name/engine.sock" 2>"$work/$name/engine.log" &
  engine_pids[$name]=$!
  for _ in $(seq 1 300); do timeout 10 docker -H "unix://$work/$name/engine.sock" version >/dev/null 2>&1 && break; sleep 0.1; done
  docker save "$image" | timeout 120 docker -H "unix://$work/$name/engine.sock" load >/dev/null
}

builds=("this:$PWD")
[ -n "$other" ] && builds+=("before:$other")
for entry in "${builds[@]}"; do start_engine "${entry%%:*}" "${entry#*:}"; done

# cpu_ticks PID: user+sys clock ticks of the process so far.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
ticks_per_second=$(getconf CLK_TCK)

# time_it LABEL ENGINE COMMAND...: one timed run on ENGINE's socket; appends "LABEL<TAB>wall<TAB>engine and children's
# cpu<TAB>engine cpu<TAB>most threads<TAB>load" to the samples file.
samples="$work/samples.tsv"
time_it() {
  local label=$1 name=$2 before after max_procs group_before
  shift 2
  before=$(cpu_ticks "${engine_pids[$name]}")
  group_before=$(cgroup_cpu "$name")
  # /proc/loadavg's 4th field: runnable / all scheduling entities (threads) on the machine; read without a process.
  ( most=0; while true; do read -r _ _ _ entities _ < /proc/loadavg; n=${entities#*/}; [ "$n" -gt "$most" ] && most=$n && echo "$most" > "$work/max-procs"; sleep 0.2; done ) &
  sampler=$!
  /usr/bin/time -f '%e' -o "$work/time" env DOCKER_HOST="unix://$work/$name/engine.sock" timeout 600 "$@" >/dev/null 2>"$work/stderr" || { cat "$work/stderr" >&2; echo "failed: $label" >&2; exit 1; }
  kill "$sampler" 2>/dev/null || true
  wait "$sampler" 2>/dev/null || true
  sampler=
  after=$(cpu_ticks "${engine_pids[$name]}")
  max_procs=$(cat "$work/max-procs" 2>/dev/null || echo 0)
  rm -f "$work/max-procs"
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$label" "$(cat "$work/time")" "$(awk -v a="$group_before" -v b="$(cgroup_cpu "$name")" 'BEGIN { printf "%.2f", b - a }')" "$(awk -v t=$((after - before)) -v hz="$ticks_per_second" 'BEGIN { printf "%.2f", t / hz }')" "$max_procs" "$(cut -d' ' -f1 /proc/loadavg)" >> "$samples"
}

for round in $(seq 1 "$runs"); do
  for entry in "${builds[@]}"; do
    name=${entry%%:*}
    time_it "engine ($name): up -d --scale w=$scale" "$name" $cli -p bsc -f "$project" up -d --scale "w=$scale"
    time_it "engine ($name): down (w=$scale)" "$name" $cli -p bsc -f "$project" down
  done
done

{
  printf '\n%s, %s rounds interleaved, scale %s, load at the end %s, node -e 0: %s\n\n' "$(date -u +%Y-%m-%dT%H:%MZ)" "$runs" "$scale" "$(cut -d' ' -f1-3 /proc/loadavg)" \
    "$(/usr/bin/time -f '%e s' node -e 0 2>&1)"
  node -e '
    const lines = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n").map((line) => line.split("\t"));
    const median = (values) => { const s = [...values].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
    const rows = new Map();
    for (const [label, ...values] of lines) { if (!rows.has(label)) rows.set(label, []); rows.get(label).push(values.map(Number)); }
    console.log("| command | wall, median [s] | each run [s] | CPU of the engine + monitors + runc, median [s] | engine process CPU, median [s] | most threads | load after |\n|---|---:|---:|---:|---:|---:|---:|");
    for (const [label, runs] of rows) {
      const column = (i) => runs.map((run) => run[i]);
      console.log(`| ${label} | ${median(column(0)).toFixed(2)} | ${column(0).join(", ")} | ${median(column(1)).toFixed(2)} | ${median(column(2)).toFixed(2)} | ${Math.max(...column(3))} | ${column(4).join(", ")} |`);
    }
  ' "$samples"
} | tee -a bench/results/engine-scale.md
