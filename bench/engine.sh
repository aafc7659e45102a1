#!/usr/bin/env bash
# `docker run --rm IMAGE true` against berth's engine, against dockerd, and bare `runc run` of the same root
# filesystem, in one hyperfine run; then the engines' idle memory. Called by bench/run.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
image=berth-test-busybox:latest
work=$(mktemp -d /tmp/berth-bench-engine-XXXXXX)
engine_pid=
cleanup() {
  if [ -n "$engine_pid" ]; then
    docker -H "unix://$work/engine.sock" ps -aq | xargs -r docker -H "unix://$work/engine.sock" rm -f >/dev/null 2>&1 || true
    kill "$engine_pid" 2>/dev/null || true
    wait "$engine_pid" 2>/dev/null || true
  fi
  grep -o " $work[^ ]*" /proc/self/mountinfo | xargs -r -n1 umount -l 2>/dev/null || true
  # The bare runc runs leave their (empty) parent cgroup behind.
  for dir in /sys/fs/cgroup/*/berth-bench /sys/fs/cgroup/berth-bench; do [ -d "$dir" ] && rmdir "$dir" 2>/dev/null; done
  rm -rf "$work"
}
trap cleanup EXIT

node bin/berth.js engine --root "$work/root" --socket "$work/engine.sock" 2>"$work/engine.log" &
engine_pid=$!
for _ in $(seq 1 100); do [ -S "$work/engine.sock" ] && break; sleep 0.1; done
docker save "$image" | docker -H "unix://$work/engine.sock" load >/dev/null

# The bare runc baseline: the same image's files, and the very OCI config berth's engine generates for
# `--network none` (Docker's defaults: seccomp, masked paths, devices), so that the difference is the engine's own.
mkdir -p "$work/bundle/rootfs"
cid=$(docker create "$image" true)
docker export "$cid" | tar -x -C "$work/bundle/rootfs"
docker rm "$cid" >/dev/null
engine_id=$(docker -H "unix://$work/engine.sock" run -d --network none "$image" sleep 60)
node -e '
  const fs = require("fs");
  const [source, bundle] = process.argv.slice(1);
  const config = JSON.parse(fs.readFileSync(source, "utf8"));
  config.root.path = bundle + "/rootfs";
  config.process.args = ["true"];
  config.linux.cgroupsPath = "/berth-bench/runc";
  config.mounts = config.mounts.filter((mount) => !mount.destination.startsWith("/etc/"));
  fs.writeFileSync(bundle + "/config.json", JSON.stringify(config));
' "$work/root/containers/$engine_id/bundle/config.json" "$work/bundle"
docker -H "unix://$work/engine.sock" rm -f "$engine_id" >/dev/null

mkdir -p bench/results
hyperfine --warmup 3 --runs 20 --export-markdown bench/results/engine.md \
  -n 'docker run --rm (berth engine)' "docker -H unix://$work/engine.sock run --rm --network none $image true" \
  -n 'docker run --rm (dockerd)' "docker run --rm --network none $image true" \
  -n 'runc run (bare)' "runc run --bundle $work/bundle bench-\$\$-\$RANDOM"

rss() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
berth_kb=$(rss "$engine_pid")
dockerd_kb=$(( $(rss "$(pgrep -xo dockerd)") + $(rss "$(pgrep -xo containerd || pgrep -xo docker-containerd || echo $$)") ))
printf '\n| engine | idle RSS |\n|---|---|\n| berth engine | %s MiB |\n| dockerd + containerd | %s MiB |\n' \
  "$((berth_kb / 1024))" "$((dockerd_kb / 1024))" | tee -a bench/results/engine.md
