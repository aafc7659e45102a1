# Shared by the bench scripts that start an engine of their own under a work directory (sourced, not run).

# What an engine under "$1" (its root in "$1/root") leaves on the host once its process is gone: the Linux
# bridges of its networks (its default one included), its nftables table (named, as the engine names it, after a
# hash of its root) and whatever is still mounted under the work directory.
remove_engine_leftovers() {
  local work=$1 record bridge
  nft delete table ip "berth-$(printf %s "$work/root" | sha256sum | cut -c1-10)" 2>/dev/null || true
  for record in "$work"/root/networks/*.json; do
    [ -f "$record" ] || continue
    bridge=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).bridge || "")' "$record")
    [ -n "$bridge" ] && ip link del "$bridge" 2>/dev/null || true
  done
  grep -o " $work[^ ]*" /proc/self/mountinfo | xargs -r -n1 umount -l 2>/dev/null || true
}

# A bundle for bare `runc run` of IMAGE: the image's files (exported through dockerd) and the very OCI config the
# engine on socket "$1" (root "$2") generates for `--network none` (Docker's defaults: seccomp, masked paths,
# devices), running `true`, so that what `runc run BUNDLE` costs beside `docker run` is runc's own share.
#   make_runc_bundle ENGINE_SOCKET ENGINE_ROOT IMAGE BUNDLE
make_runc_bundle() {
  local socket=$1 root=$2 image=$3 bundle=$4 cid engine_id
  mkdir -p "$bundle/rootfs"
  cid=$(docker create "$image" true)
  docker export "$cid" | tar -x -C "$bundle/rootfs"
  docker rm "$cid" >/dev/null
  engine_id=$(docker -H "unix://$socket" run -d --network none "$image" sleep 60)
  node -e '
    const fs = require("fs");
    const [source, bundle] = process.argv.slice(1);
    const config = JSON.parse(fs.readFileSync(source, "utf8"));
    config.root.path = bundle + "/rootfs";
    config.process.args = ["true"];
    config.linux.cgroupsPath = "/berth-bench/runc";
    config.mounts = config.mounts.filter((mount) => !mount.destination.startsWith("/etc/"));
    fs.writeFileSync(bundle + "/config.json", JSON.stringify(config));
  ' "$root/containers/$engine_id/bundle/config.json" "$bundle"
  docker -H "unix://$socket" rm -f "$engine_id" >/dev/null
}

# What bare `runc run` leaves behind: its (empty) parent cgroup.
remove_runc_bench_cgroups() {
  local dir
  for dir in /sys/fs/cgroup/*/berth-bench /sys/fs/cgroup/berth-bench; do [ -d "$dir" ] && rmdir "$dir" 2>/dev/null; done
  return 0
}

# ---- Steps and rows that go on when one fails ------------------------------------------------------------------
# A bench run is long (bench/run.sh: ~25 minutes): one failure (dockerd's stale-endpoint race moby#43286 on a down,
# say) is reported as "failed: <reason>" where its figures would be, and the rest still runs; the run exits non-zero
# at its end.

# failure_reason STATUS STDERR_FILE: why a command failed, in one line fit for a table cell: the last line it wrote
# on stderr, else its exit status.
failure_reason() {
  local line
  line=$(tr -d '\r' <"$2" 2>/dev/null | sed 's/\x1b\[[0-9;]*[A-Za-z]//g' | grep -v '^[[:space:]]*$' | tail -n 1 | tr '|' '/' | cut -c1-200)
  [ "$1" = 124 ] && line="timed out${line:+: $line}" # timeout(1)'s status
  printf '%s\n' "${line:-exit status $1}"
}

# bench_step NAME COMMAND...: one step of a bench run (COMMAND runs with errexit, its stderr shown as it comes).
# When it fails, bench/results/NAME.md gets "<time>: failed: <reason>" and the run goes on; bench_summary reports.
bench_step_names=()
bench_step_results=()
bench_step() {
  local name=$1 errors status reason
  shift
  errors=$(mktemp)
  set +e
  { (set -e; "$@") 2>&1 1>&3 3>&- | tee "$errors" >&2; } 3>&1
  status=${PIPESTATUS[0]}
  set -e
  bench_step_names+=("$name")
  if [ "$status" = 0 ]; then
    bench_step_results+=(ok)
  else
    reason=$(failure_reason "$status" "$errors")
    mkdir -p bench/results
    printf '\n%s: failed: %s\n' "$(date -u +%Y-%m-%dT%H:%MZ)" "$reason" >>"bench/results/$name.md"
    bench_step_results+=("failed: $reason")
    echo "bench step $name failed: $reason (going on with the next)" >&2
  fi
  rm -f "$errors"
}

# bench_summary: every step's result, in bench/results/summary.md; returns non-zero when one failed.
bench_summary() {
  local i failed=0
  mkdir -p bench/results
  {
    printf '%s, load %s\n\n| step | result |\n|---|---|\n' "$(date -u +%Y-%m-%dT%H:%MZ)" "$(cut -d' ' -f1-3 /proc/loadavg)"
    for i in "${!bench_step_names[@]}"; do printf '| %s | %s |\n' "${bench_step_names[$i]}" "${bench_step_results[$i]}"; done
  } | tee bench/results/summary.md
  for i in "${!bench_step_results[@]}"; do [ "${bench_step_results[$i]}" = ok ] || failed=1; done
  return "$failed"
}

# time_row SAMPLES LABEL COMMAND...: one timed run of a table row, appended to SAMPLES as "LABEL<TAB>wall<TAB>cpu"
# (seconds: wall time, the command's user+sys CPU), or "LABEL<TAB>failed<TAB>reason" (its stderr shown then).
# Returns 0 either way: the other rows still run.
time_row() {
  local samples=$1 label=$2 dir status
  shift 2
  dir=$(mktemp -d)
  set +e
  /usr/bin/time -f '%e %U %S' -o "$dir/time" timeout 600 "$@" >/dev/null 2>"$dir/stderr"
  status=$?
  set -e
  if [ "$status" = 0 ]; then
    awk -v label="$label" '{ printf "%s\t%s\t%.2f\n", label, $1, $2 + $3 }' "$dir/time" >>"$samples"
  else
    cat "$dir/stderr" >&2
    echo "row failed: $label" >&2
    printf '%s\tfailed\t%s\n' "$label" "$(failure_reason "$status" "$dir/stderr")" >>"$samples"
  fi
  rm -rf "$dir"
}

# print_rows SAMPLES: the table of time_row's samples, one row per label in first-run order: median and range of
# the wall time, median CPU; a row with failed runs says so ("failed: <reason>", or how many of its runs failed).
# Returns non-zero when any run failed.
print_rows() {
  node -e '
    const text = require("fs").readFileSync(process.argv[1], "utf8").trim();
    const median = (values) => { const s = [...values].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
    const rows = new Map();
    for (const [label, wall, cpu] of text === "" ? [] : text.split("\n").map((line) => line.split("\t"))) {
      if (!rows.has(label)) rows.set(label, { runs: [], failures: [] });
      if (wall === "failed") rows.get(label).failures.push(cpu);
      else rows.get(label).runs.push([Number(wall), Number(cpu)]);
    }
    console.log("| command | wall, median [s] | min–max [s] | CLI CPU (user+sys), median [s] |\n|---|---:|---:|---:|");
    for (const [label, { runs, failures }] of rows) {
      if (runs.length === 0) {
        console.log(`| ${label} | failed: ${failures[0]} | | |`);
        continue;
      }
      const walls = runs.map((run) => run[0]);
      const failed = failures.length > 0 ? ` (${failures.length} of ${runs.length + failures.length} runs failed: ${failures[0]})` : "";
      console.log(`| ${label} | ${median(walls).toFixed(2)}${failed} | ${Math.min(...walls).toFixed(2)}–${Math.max(...walls).toFixed(2)} | ${median(runs.map((run) => run[1])).toFixed(2)} |`);
    }
    process.exitCode = [...rows.values()].some((row) => row.failures.length > 0) ? 1 : 0;
  ' "$1"
}

# A cgroup of this bench run's own, to count the CPU of an engine and of everything it starts (cgroup v1's cpuacct,
# or v2): `bench_cgroup KIND NAME` prints its directory (not created).
bench_cgroup() {
  local base=/sys/fs/cgroup
  [ -d "$base/cpuacct" ] && base=$base/cpuacct
  echo "$base/berth-bench-$1-$$-$2"
}

# The CPU seconds used in a cgroup so far: `bench_cgroup_cpu DIR`.
bench_cgroup_cpu() {
  if [ -f "$1/cpuacct.usage" ]; then awk '{ printf "%.3f", $1 / 1e9 }' "$1/cpuacct.usage"
  else awk '/^usage_usec/ { printf "%.3f", $2 / 1e6 }' "$1/cpu.stat"; fi
}
