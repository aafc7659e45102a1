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
