#!/usr/bin/env bash
# Captures how the Linux kernel lays out TCP options and uses ECN, for the byte vectors of
# TcpOptionLayoutTest and EcnTest. Not part of the suite (it needs root); run it by hand:
#
#   sudo tests/unit/data/capture-linux-options.sh [OUTDIR]
#
# Two namespaces, 198.18.0.1 (server) and 198.18.0.2 (client), joined by a veth pair, python's
# sockets on both ends. Each case is one connection from the client, with the client's sysctls
# set as the case says (the tcp_* sysctls are per namespace); the server keeps Linux's defaults.
# Writes OUTDIR/<case>.pcap and prints every TCP header with its bytes (tcpdump -x).
set -u
OUT=${1:-/tmp/linux-options-$$}
mkdir -p "$OUT"
S=tbh-opt-s-$$ C=tbh-opt-c-$$ SDEV=tbhos$$ CDEV=tbhoc$$
cleanup() {
  [ -n "${DUMP:-}" ] && kill "$DUMP" 2>/dev/null
  [ -n "${SERVER:-}" ] && kill "$SERVER" 2>/dev/null
  ip netns del "$S" 2>/dev/null; ip netns del "$C" 2>/dev/null
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ip netns add "$S" && ip netns add "$C" || exit 1
ip link add "$SDEV" type veth peer name "$CDEV" || exit 1
ip link set "$SDEV" netns "$S" && ip link set "$CDEV" netns "$C" || exit 1
ip -n "$S" addr add 198.18.0.1/24 dev "$SDEV"
ip -n "$C" addr add 198.18.0.2/24 dev "$CDEV"
for ns in "$S" "$C"; do ip -n "$ns" link set lo up; done
ip -n "$S" link set "$SDEV" up && ip -n "$C" link set "$CDEV" up
# One segment per packet, as on a real wire (see raw-sockets-on-linux.md section 7).
ip netns exec "$C" ethtool -K "$CDEV" tso off gso off gro off >/dev/null 2>&1
ip netns exec "$S" ethtool -K "$SDEV" tso off gso off gro off >/dev/null 2>&1

ip netns exec "$S" python3 -c '
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("198.18.0.1", 5001)); s.listen()
while True:
    c, _ = s.accept()
    while c.recv(65536): pass
    c.close()' &
SERVER=$!
sleep 0.5

client() { # BYTES
  ip netns exec "$C" python3 -c '
import socket, sys
c = socket.create_connection(("198.18.0.1", 5001))
c.sendall(b"x" * int(sys.argv[1])); c.shutdown(socket.SHUT_WR)
while c.recv(65536): pass' "$1"
}

# case NAME BYTES SYSCTL=VALUE... : one connection with the client's sysctls set so
capture() {
  local name=$1 bytes=$2; shift 2
  ip netns exec "$C" sysctl -qw net.ipv4.tcp_timestamps=1 net.ipv4.tcp_sack=1 \
      net.ipv4.tcp_window_scaling=1 net.ipv4.tcp_ecn=2 "$@"
  ip netns exec "$C" tcpdump -i "$CDEV" --immediate-mode -U -s 200 -w "$OUT/$name.pcap" tcp port 5001 2>/dev/null &
  DUMP=$!
  sleep 1
  client "$bytes"
  sleep 0.5
  kill "$DUMP"; wait "$DUMP" 2>/dev/null; DUMP=""
  echo "== $name (client: ${*:-Linux defaults})"
  if [ "$bytes" -gt 100000 ]; then tcpdump -r "$OUT/$name.pcap" -nn -v 2>/dev/null # headers only
  else tcpdump -r "$OUT/$name.pcap" -nn -v -x 2>/dev/null; fi
}

capture defaults 2000
capture no-sack 2000 net.ipv4.tcp_sack=0
capture no-timestamps 2000 net.ipv4.tcp_timestamps=0
capture no-window-scaling 2000 net.ipv4.tcp_window_scaling=0

# SACK blocks beside timestamps: the server's input loses the 3rd, 6th and 9th full-sized data segments.
ip netns exec "$S" nft add table inet tbh_opts_$$
ip netns exec "$S" nft add chain inet tbh_opts_$$ in '{ type filter hook input priority 0; }'
ip netns exec "$S" nft add rule inet tbh_opts_$$ in tcp dport 5001 ip length '>' 1000 numgen inc mod 1000 == '{ 2, 5, 8 }' counter drop
capture sack-blocks 20000
ip netns exec "$S" nft list table inet tbh_opts_$$
ip netns exec "$S" nft delete table inet tbh_opts_$$

# ECN: the client asks for it (tcp_ecn=1); its 21st full-sized data segment is marked CE as it
# arrives at the server (the input hook sees single segments; the client's output hook would see
# whole GSO bursts), so this capture, taken at the client, still shows it as ECT(0).
ip netns exec "$S" nft add table inet tbh_opts_$$
ip netns exec "$S" nft add chain inet tbh_opts_$$ in '{ type filter hook input priority 0; }'
ip netns exec "$S" nft add rule inet tbh_opts_$$ in tcp dport 5001 ip length '>' 1000 numgen inc mod 1000 == 20 counter ip ecn set ce
capture ecn 300000 net.ipv4.tcp_ecn=1
ip netns exec "$S" nft list table inet tbh_opts_$$
echo "pcaps in $OUT"
