#!/usr/bin/env bash
# Pull of a 5-layer image of about 100 MB (random content, so gzip gains nothing) from a registry on loopback
# (Debian's docker-registry, seeded with skopeo), berth's engine beside dockerd, each from a cold store (the image
# and its layers removed before each pull). Rounds are interleaved (berth's engine, [the other build's engine],
# dockerd), so that a machine shared with others loads them alike; the figures are medians, and the engines' CPU per
# pull (everything in the engine's cgroup: the engine, and the tar processes berth-spawner starts for it).
#   bash bench/pull.sh [OTHER_BUILD] [ROUNDS]   OTHER_BUILD: another checkout's root, built (npm run build),
#                                               e.g. main's, to compare with; ROUNDS: 3 by default.
# Called by bench/run.sh; results in bench/results/pull.md.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
other_build=${1:-}
rounds=${2:-3}
export DEBIAN_FRONTEND=noninteractive
need() { command -v "$1" >/dev/null || { apt-get update -qq && apt-get install -y -qq "$2" >/dev/null; }; }
need docker-registry docker-registry
need skopeo skopeo

# Each engine runs in a cgroup of its own from its first instruction, so that its CPU figure covers every process it
# starts (tar, through berth-spawner, is not a child the engine waits for).
cgroup_of() { bench_cgroup pull "$1"; }
cgroup_cpu() { bench_cgroup_cpu "$(cgroup_of "$1")"; }

work=$(mktemp -d /tmp/berth-bench-pull-XXXXXX)
registry_pid=
engine_pid=
other_pid=
port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
image="127.0.0.1:$port/bench/pull:v1"
cleanup() {
  docker rmi -f "$image" >/dev/null 2>&1 || true
  for pid in "$engine_pid" "$other_pid" "$registry_pid"; do
    [ -n "$pid" ] && { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; }
  done
  remove_engine_leftovers "$work"
  [ -n "$other_build" ] && remove_engine_leftovers "$work/other"
  for name in berth other; do rmdir "$(cgroup_of "$name")" 2>/dev/null || true; done
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

# An engine of this build, and one of the other, each with its root and socket under a directory of its own.
# (sh puts itself in the cgroup, then becomes the engine: $! is the engine's pid.)
enter_cgroup='echo $$ > "$0/cgroup.procs" && exec "$@"'
mkdir -p "$(cgroup_of berth)"
sh -c "$enter_cgroup" "$(cgroup_of berth)" node bin/berth.js engine --root "$work/root" --socket "$work/engine.sock" 2>"$work/engine.log" &
engine_pid=$!
if [ -n "$other_build" ]; then
  mkdir -p "$work/other"
  mkdir -p "$(cgroup_of other)"
  sh -c "$enter_cgroup" "$(cgroup_of other)" node "$other_build/bin/berth.js" engine --root "$work/other/root" --socket "$work/other/engine.sock" 2>"$work/other/engine.log" &
  other_pid=$!
fi
for _ in $(seq 1 100); do [ -S "$work/engine.sock" ] && { [ -z "$other_build" ] || [ -S "$work/other/engine.sock" ]; } && break; sleep 0.1; done

now() { date +%s.%N; }

# pull_once LABEL HOST [CGROUP]: one cold pull; appends "wall cpu" to $work/LABEL.
pull_once() {
  local label=$1 host=$2 group=${3:-} start cpu_start=0 wall
  docker -H "$host" rmi -f "$image" >/dev/null 2>&1 || true
  [ -n "$group" ] && cpu_start=$(cgroup_cpu "$group")
  start=$(now)
  docker -H "$host" pull -q "$image" >/dev/null
  wall=$(echo "$(now) - $start" | bc)
  echo "$wall $([ -n "$group" ] && echo "$(cgroup_cpu "$group") - $cpu_start" | bc || echo -)" >>"$work/times-$label"
}

for round in $(seq 1 "$rounds"); do
  pull_once berth "unix://$work/engine.sock" berth
  [ -n "$other_build" ] && pull_once other "unix://$work/other/engine.sock" other
  pull_once dockerd unix:///var/run/docker.sock
  echo "round $round: $(tail -qn1 "$work/times-berth" ${other_build:+"$work/times-other"} "$work/times-dockerd" | tr '\n' ' ')" >&2
done
docker rmi -f "$image" >/dev/null 2>&1 || true

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) { printf "-"; exit } m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.2f s", m }'; }
row() { echo "| $1 | $(cut -d' ' -f1 "$work/times-$2" | median) | $(cut -d' ' -f2 "$work/times-$2" | grep -v -- - | median) | $(cut -d' ' -f1 "$work/times-$2" | xargs printf "%.2f ")|"; }
mkdir -p bench/results
dockerd_wall=$(cut -d' ' -f1 "$work/times-dockerd" | median | cut -d' ' -f1)
berth_wall=$(cut -d' ' -f1 "$work/times-berth" | median | cut -d' ' -f1)
{
  echo "Cold pull, 5 layers of 20 MB (random), loopback registry; $rounds interleaved rounds, load $(cut -d' ' -f1 /proc/loadavg) at the end."
  echo
  echo "| engine | wall (median) | engine CPU (median) | wall, each round |"
  echo "|---|---|---|---|"
  row "berth's engine (this build)" berth
  [ -n "$other_build" ] && row "berth's engine ($other_build)" other
  row dockerd dockerd
  echo
  echo "berth's engine / dockerd (medians): $(echo "scale=2; $berth_wall / $dockerd_wall" | bc)x"
} | tee bench/results/pull.md
