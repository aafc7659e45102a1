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
