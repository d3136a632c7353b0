#!/usr/bin/env bash
# bench.sh's GVISOR_BULK hook, filled: gVisor's netstack (tests/stacks, the Debian package's
# source) receives BULK_MB MB from the kernel's TCP (Go's net package, netstack -stack kernel) over
# a tap in NS_CLIENT, and times it from accept to the last byte, as our server and the kernel's
# sink time theirs. Prints mb_per_s=X. A tap, not a veth: netstack reads its frames from a tap
# (tests/stacks/stack.sh makes it and removes it), so the path is of the same kind, not the same.
# Needs: golang-go golang-gvisor-gvisor-dev (tests/stacks/build.sh builds build/stacks/netstack).
set -u
cd "$(dirname "$0")/.."
: "${NS_CLIENT:?}" "${BULK_MB:?}"
BIN=$PWD/build/stacks
[ -x "$BIN/netstack" ] || tests/stacks/build.sh "$BIN" >&2 || { echo "gvisor_bulk: cannot build netstack" >&2; exit 1; }
export PEER_NS=$NS_CLIENT TAG=gvb$$ STACKS_BIN=$BIN
work=$(mktemp -d /tmp/tbh-gvisor.XXXXXX)
sink=""
trap '[ -n "$sink" ] && kill "$sink" 2>/dev/null; tests/stacks/stack.sh gvisor down >/dev/null 2>&1; rm -rf "$work"' EXIT
tests/stacks/stack.sh gvisor up >"$work/up" 2>&1 || { cat "$work/up" >&2; exit 1; }
server=$(awk '$1 == "server" {print $2}' "$work/up")
tests/stacks/stack.sh gvisor sink 7020 /dev/null >"$work/sink" 2>&1 &
sink=$!
for ((i = 0; i < 100; i++)); do grep -q listening "$work/sink" && break; sleep 0.1; done
mkfifo "$work/data"
head -c $((BULK_MB * 1000000)) /dev/zero >"$work/data" &
timeout 600 ip netns exec "$NS_CLIENT" "$BIN/netstack" -stack kernel upload "$server" 7020 "$work/data" >"$work/client" 2>&1 \
  || { cat "$work/client" >&2; exit 1; }
for ((i = 0; i < 100; i++)); do grep -qa 'in [0-9.]* s' "$work/sink" && break; sleep 0.1; done
seconds=$(grep -ao 'in [0-9.]* s' "$work/sink" | tail -n 1 | awk '{print $2}')
received=$(sed -n 's/.*received \([0-9]*\) bytes in.*/\1/p' "$work/sink" | tail -n 1)
[ -n "$seconds" ] && [ "$received" = $((BULK_MB * 1000000)) ] || { echo "gvisor_bulk: received ${received:-nothing}" >&2; cat "$work/sink" >&2; exit 1; }
awk -v mb="$BULK_MB" -v s="$seconds" 'BEGIN { printf "mb_per_s=%.1f\n", mb / s }'
