#!/bin/bash
# Runs a command inside a throw-away network namespace whose only interface is loopback (no
# packet can leave the machine) and a private mount namespace in which /etc/hosts and
# /etc/resolv.conf are the harness's files (so every resolver asks the loopback dnsmasq).
# Afterwards every process still in the namespace is killed by PID and the namespace deleted.
# The command's exit status is returned.
#
# Usage: sandbox.sh CMD [ARGS...]      (needs root: ip netns, mount)
# Inside, XMPPFED_SANDBOX names the namespace; tests/interop/lib.sh checks it.
set -u
harness=$(cd "$(dirname "$0")" && pwd)
[ $# -gt 0 ] || { echo "usage: sandbox.sh CMD [ARGS...]" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "sandbox: needs root (ip netns, mount --bind)" >&2; exit 1; }

readonly NS_PREFIX=xf-sbx-
ns=$NS_PREFIX$$

# kill_ns NAME: stop every process in the namespace (TERM, then KILL), then delete it.
kill_ns() {
  local name=$1 p i
  for p in $(ip netns pids "$name" 2>/dev/null); do kill "$p" 2>/dev/null; done
  for i in $(seq 20); do
    [ -z "$(ip netns pids "$name" 2>/dev/null)" ] && break
    sleep 0.1
  done
  for p in $(ip netns pids "$name" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
  ip netns del "$name" 2>/dev/null
}

# Namespaces left by a sandbox that was itself killed with SIGKILL: their owner is gone.
for old in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^$NS_PREFIX"); do
  owner=${old#"$NS_PREFIX"}
  kill -0 "$owner" 2>/dev/null || kill_ns "$old"
done

ip netns add "$ns" || exit 1
ip -n "$ns" link set lo up || { kill_ns "$ns"; exit 1; }

# The child runs in the background so that a TERM/INT to this script (e.g. a ctest timeout)
# still reaches the cleanup below instead of waiting for the child.
XMPPFED_SANDBOX=$ns ip netns exec "$ns" unshare --mount --propagation private bash -c '
  mount --bind "$1/dns/hosts" /etc/hosts &&
  mount --bind "$1/dns/resolv.conf" /etc/resolv.conf || exit 125
  shift
  exec "$@"' sandbox "$harness" "$@" &
child=$!
# Seconds the command gets to stop its own processes after this script is told to stop.
readonly STOP_GRACE_S=10
stopping=0
trap 'stopping=1; kill -TERM $child 2>/dev/null' TERM INT HUP
wait $child
rc=$?
if [ $stopping -eq 1 ]; then
  # wait returned at the signal; the command is cleaning up. Past the grace period kill_ns
  # below stops whatever is left, the command included (it is in the namespace too).
  for ((i = 0; i < STOP_GRACE_S * 10; i++)); do
    kill -0 $child 2>/dev/null || break
    sleep 0.1
  done
  rc=143
fi
trap - TERM INT HUP
kill_ns "$ns"
wait $child 2>/dev/null
exit $rc
