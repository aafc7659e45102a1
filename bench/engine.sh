#!/usr/bin/env bash
# `docker run --rm IMAGE true` against berth's engine, against dockerd, and bare `runc run` of the same root
# filesystem, in one hyperfine run; the engines' idle memory; then the 10-service stack (cold up -d + down) with
# berth on its engine, berth on dockerd and docker-compose 1.29 on dockerd, and an unchanged rebuild of a
# 10-instruction Dockerfile on both engines, and berth watch's sync and rebuild latency on both. Called by
# bench/run.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
image=berth-test-busybox:latest
work=$(mktemp -d /tmp/berth-bench-engine-XXXXXX)
engine_pid=
cleanup() {
  if [ -n "$engine_pid" ]; then
    DOCKER_HOST="unix://$work/engine.sock" node bin/berth.js -p benche -f "$work/stack/compose.yaml" down -v >/dev/null 2>&1 || true
    node bin/berth.js -p benchd -f "$work/stack/compose.yaml" down -v >/dev/null 2>&1 || true
    docker-compose -p benchc -f "$work/stack/compose.yaml" down -v >/dev/null 2>&1 || true
    docker -H "unix://$work/engine.sock" network ls -q --filter type=custom | xargs -r docker -H "unix://$work/engine.sock" network rm >/dev/null 2>&1 || true
    docker -H "unix://$work/engine.sock" ps -aq | xargs -r docker -H "unix://$work/engine.sock" rm -f >/dev/null 2>&1 || true
    kill "$engine_pid" 2>/dev/null || true
    wait "$engine_pid" 2>/dev/null || true
  fi
  remove_engine_leftovers "$work"
  remove_runc_bench_cgroups
  rm -rf "$work"
}
trap cleanup EXIT

node bin/berth.js engine --root "$work/root" --socket "$work/engine.sock" 2>"$work/engine.log" &
engine_pid=$!
for _ in $(seq 1 100); do [ -S "$work/engine.sock" ] && break; sleep 0.1; done
docker save "$image" | docker -H "unix://$work/engine.sock" load >/dev/null

# The bare runc baseline: the same image's files and the engine's own OCI config (see make_runc_bundle).
make_runc_bundle "$work/engine.sock" "$work/root" "$image" "$work/bundle"

mkdir -p bench/results
hyperfine --warmup 3 --runs 20 --export-markdown bench/results/engine.md \
  -n 'docker run --rm (berth engine)' "docker -H unix://$work/engine.sock run --rm --network none $image true" \
  -n 'docker run --rm (dockerd)' "docker run --rm --network none $image true" \
  -n 'docker run --rm, default bridge network (berth engine)' "docker -H unix://$work/engine.sock run --rm $image true" \
  -n 'docker run --rm, default bridge network (dockerd)' "docker run --rm $image true" \
  -n 'runc run (bare)' "runc run --bundle $work/bundle bench-\$\$-\$RANDOM"

rss() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
berth_kb=$(rss "$engine_pid")
dockerd_kb=$(( $(rss "$(pgrep -xo dockerd)") + $(rss "$(pgrep -xo containerd || pgrep -xo docker-containerd || echo $$)") ))
printf '\n| engine | idle RSS |\n|---|---|\n| berth engine | %s MiB |\n| dockerd + containerd | %s MiB |\n' \
  "$((berth_kb / 1024))" "$((dockerd_kb / 1024))" | tee -a bench/results/engine.md

# A 10-service stack (chained depends_on, a named volume, the default network), cold up -d + down.
node bench/gen-stack.mjs "$work/stack" 10
stack="$work/stack/compose.yaml"
berth_engine="unix://$work/engine.sock"
hyperfine --runs 5 --export-markdown bench/results/engine-stack.md \
  -n "berth on berth's engine: up -d + down (10 services, cold)" "DOCKER_HOST=$berth_engine node bin/berth.js --progress quiet -p benche -f $stack up -d && DOCKER_HOST=$berth_engine node bin/berth.js --progress quiet -p benche -f $stack down -v" \
  -n 'berth on dockerd: up -d + down (10 services, cold)' "node bin/berth.js --progress quiet -p benchd -f $stack up -d && node bin/berth.js --progress quiet -p benchd -f $stack down -v" \
  -n 'docker-compose 1.29 on dockerd: up -d + down (10 services, cold)' "docker-compose -p benchc -f $stack up -d 2>/dev/null && docker-compose -p benchc -f $stack down -v 2>/dev/null"

# The same stack, already up: a no-op up -d on each (nothing to create, start or recreate).
DOCKER_HOST=$berth_engine node bin/berth.js --progress quiet -p benche -f "$stack" up -d
node bin/berth.js --progress quiet -p benchd -f "$stack" up -d
docker-compose -p benchc -f "$stack" up -d >/dev/null 2>&1
hyperfine --warmup 2 --runs 10 --export-markdown bench/results/engine-noop.md \
  -n "berth on berth's engine: up -d (no-op, 10 services)" "DOCKER_HOST=$berth_engine node bin/berth.js --progress quiet -p benche -f $stack up -d" \
  -n 'berth on dockerd: up -d (no-op, 10 services)' "node bin/berth.js --progress quiet -p benchd -f $stack up -d" \
  -n 'docker-compose 1.29 on dockerd: up -d (no-op, 10 services)' "docker-compose -p benchc -f $stack up -d 2>/dev/null"
DOCKER_HOST=$berth_engine node bin/berth.js --progress quiet -p benche -f "$stack" down -v
node bin/berth.js --progress quiet -p benchd -f "$stack" down -v
docker-compose -p benchc -f "$stack" down -v >/dev/null 2>&1

# An unchanged rebuild of a 10-instruction Dockerfile (classic builder on both engines), after one build each.
mkdir -p "$work/build"
printf 'one\n' > "$work/build/one.txt"
cat > "$work/build/Dockerfile" <<DOCKERFILE
FROM $image
ARG NAME=bench
ENV APP=/app
WORKDIR /app
COPY one.txt ./
RUN echo "\$NAME" > name.txt
RUN mkdir -p /app/data
LABEL bench=yes
EXPOSE 8080
USER 0
CMD ["cat", "/app/name.txt"]
DOCKERFILE
DOCKER_BUILDKIT=0 docker -H "$berth_engine" build -q -t bench-rebuild "$work/build" >/dev/null 2>&1
DOCKER_BUILDKIT=0 docker build -q -t bench-rebuild "$work/build" >/dev/null 2>&1
hyperfine --warmup 1 --runs 10 --export-markdown bench/results/rebuild.md \
  -n "unchanged rebuild (berth's engine)" "DOCKER_BUILDKIT=0 docker -H $berth_engine build -q -t bench-rebuild $work/build" \
  -n 'unchanged rebuild (dockerd, classic builder)' "DOCKER_BUILDKIT=0 docker build -q -t bench-rebuild $work/build"
docker rmi bench-rebuild >/dev/null 2>&1 || true

# Watch latency (sync and rebuild, p50/p95 over 20 edits) with berth watch, on both engines.
{
  printf '| measure | p50 [ms] | p95 [ms] | edits |\n|---|---:|---:|---:|\n'
  node bench/watch-latency.mjs dockerd 20
  DOCKER_HOST="$berth_engine" node bench/watch-latency.mjs "berth's engine" 20
} | tee bench/results/watch.md
