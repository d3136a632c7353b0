#!/usr/bin/env bash
# Another TCP implementation as a peer: gVisor's netstack, lwIP, libslirp (slirp4netns) or passt
# (pasta), reachable from one namespace, PEER_NS, where the peer that talks to it runs (the
# conformance runner's scripted peer, or our TcpClient and TcpServer).
#
#   stack.sh STACK up                  make its links (and start slirp4netns or pasta); prints
#                                      "KEY VALUE" lines: version, server (its address),
#                                      server-peer (the peer's address on that link), client (the
#                                      address its connections come from), client-peer (the peer's
#                                      address they go to)
#   stack.sh STACK servers ECHO NO_ECHO CLOSE     the three conformance listeners; runs until killed
#   stack.sh STACK sink|source PORT FILE          one transfer as the server
#   stack.sh STACK client PORT MESSAGE            connect to the peer's PORT (at client-peer), send
#                                                 MESSAGE, read the reply, close
#   stack.sh STACK upload|download PORT FILE      one transfer as the client
#   stack.sh STACK alive               exit 0 when what up started still runs (slirp4netns, pasta)
#   stack.sh STACK down                remove everything up made
#
# Environment: PEER_NS (required), TAG (names devices and namespaces; default: the caller's pid,
# so parallel runs never collide), STACKS_BIN (where netstack and lwip-tcp were built, default
# build/stacks), CLIENT_PORTS (passt only: the peer ports its client role will connect to, comma-
# separated; pasta forwards a fixed list of ports, given when it starts).
#
# Where each stack lives:
#   gvisor  netstack on a tap in PEER_NS: servers at 198.18.2.2 (peer 198.18.2.1), clients from a
#           second tap at 198.18.12.2 (peer 198.18.12.1): a tap has one owner, and the servers
#           keep theirs while a client runs
#   lwip    the same with lwip-tcp: 198.18.3.2 (peer .3.1), clients from 198.18.13.2 (peer .13.1)
#   slirp   slirp4netns in namespace slh-TAG, its tap in PEER_NS at 10.0.2.100: the peer of
#           10.0.2.2 is libslirp's TCP, which relays to the kernel's listeners on 127.0.0.1 in
#           slh-TAG; as a client, libslirp connects from 10.0.2.2 when a kernel program in slh-TAG
#           connects to a port forwarded by slirp4netns's API (add_hostfwd)
#   passt   pasta in namespace pah-TAG (whose only link, 198.18.5.1, is its template), its tap in
#           PEER_NS at 198.18.5.2: the peer of 198.18.5.1 is passt's TCP, which maps that gateway
#           to 127.0.0.1 in pah-TAG; as a client, pasta forwards CLIENT_PORTS from 198.18.5.1 in
#           pah-TAG to the peer (a connection from 127.0.0.1 would be spliced between sockets, not
#           carried by passt's TCP)
set -u
STACK=${1:?usage: stack.sh STACK COMMAND [ARGS...]}
COMMAND=${2:?usage: stack.sh STACK COMMAND [ARGS...]}
shift 2
: "${PEER_NS:?PEER_NS must name the network namespace of the peer}"
TAG=${TAG:-$PPID}
HERE=$(cd "$(dirname "$0")" && pwd)
STACKS_BIN=${STACKS_BIN:-$HERE/../../build/stacks}
STATE=/run/tcp-by-hand-stacks/$STACK-$TAG   # pids and sockets of what "up" started
NETSTACK=$STACKS_BIN/netstack
LWIP=$STACKS_BIN/lwip-tcp

in_peer() { ip netns exec "$PEER_NS" "$@"; }
package_version() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || echo unknown; }

# make_tap NAME PEER_ADDRESS/N: a persistent tap in PEER_NS, the peer's side addressed and up.
make_tap() {
  in_peer ip tuntap add dev "$1" mode tap || return 1
  in_peer ip addr add "$2" dev "$1" && in_peer ip link set "$1" up
}

# wait_for FILE TEXT SECONDS
wait_for() {
  local i
  for ((i = 0; i < $3 * 20; i++)); do grep -q -- "$2" "$1" 2>/dev/null && return 0; sleep 0.05; done
  echo "stack.sh: no '$2' in $1 after $3 s" >&2; cat "$1" >&2; return 1
}

# ------------------------------------------------------------------ gVisor and lwIP: a tap each way

tap_stack_up() {  # PREFIX SERVER_NET CLIENT_NET VERSION
  make_tap "$1$TAG" "$2.1/24" && make_tap "$1c$TAG" "$3.1/24" || return 1
  printf 'version %s\nserver %s.2\nserver-peer %s.1\nclient %s.2\nclient-peer %s.1\n' "$4" "$2" "$2" "$3" "$3"
}

tap_stack_down() {  # PREFIX
  in_peer ip link del "$1$TAG" 2>/dev/null
  in_peer ip link del "$1c$TAG" 2>/dev/null
  return 0
}

tap_stack_run() {  # PROGRAM PREFIX SERVER_NET CLIENT_NET MODE ARGS...
  local program=$1 prefix=$2 snet=$3 cnet=$4 mode=$5; shift 5
  case "$mode" in
    servers|sink|source) exec ip netns exec "$PEER_NS" $program -tap "$prefix$TAG" -addr "$snet.2/24" "$mode" "$@" ;;
    client|upload|download) exec ip netns exec "$PEER_NS" $program -tap "${prefix}c$TAG" -addr "$cnet.2/24" "$mode" "$cnet.1" "$@" ;;
  esac
}

gvisor() {
  case "$COMMAND" in
    up) tap_stack_up gv 198.18.2 198.18.12 "gVisor netstack $(package_version golang-gvisor-gvisor-dev), SACK on" ;;
    down) tap_stack_down gv ;;
    *) tap_stack_run "$NETSTACK -stack gvisor" gv 198.18.2 198.18.12 "$COMMAND" "$@" ;;
  esac
}

lwip() {
  case "$COMMAND" in
    up) tap_stack_up lw 198.18.3 198.18.13 "lwIP $(package_version liblwip-dev), sockets API" ;;
    down) tap_stack_down lw ;;
    *) tap_stack_run "$LWIP" lw 198.18.3 198.18.13 "$COMMAND" "$@" ;;
  esac
}

# ------------------------------------------------------------------ libslirp, through slirp4netns

SLIRP_NS=slh-$TAG

slirp() {
  case "$COMMAND" in
    up)
      mkdir -p "$STATE" && ip netns add "$SLIRP_NS" && ip -n "$SLIRP_NS" link set lo up || return 1
      ip netns exec "$SLIRP_NS" slirp4netns --netns-type=path --api-socket "$STATE/api" \
          "/var/run/netns/$PEER_NS" "sl$TAG" >"$STATE/slirp4netns.log" 2>&1 &
      echo $! >"$STATE/pid"
      wait_for "$STATE/slirp4netns.log" "sent tapfd" 10 || return 1
      # No --configure: the peer's namespace gets an address, but no default route through slirp.
      in_peer ip addr add 10.0.2.100/24 dev "sl$TAG" && in_peer ip link set "sl$TAG" up || return 1
      local version; version=$(slirp4netns --version | sed -n 's/^libslirp: //p')
      printf 'version libslirp %s, slirp4netns %s\nserver 10.0.2.2\nserver-peer 10.0.2.100\nclient 10.0.2.2\nclient-peer 10.0.2.100\n' \
          "$version" "$(package_version slirp4netns)" ;;
    down)
      [ -f "$STATE/pid" ] && kill "$(cat "$STATE/pid")" 2>/dev/null
      in_peer ip link del "sl$TAG" 2>/dev/null
      ip netns del "$SLIRP_NS" 2>/dev/null
      rm -rf "$STATE"; return 0 ;;
    servers|sink|source) exec ip netns exec "$SLIRP_NS" "$NETSTACK" -stack kernel "$COMMAND" "$@" ;;
    client|upload|download)
      # A kernel program connects to a forwarded port on 127.0.0.1; libslirp's TCP then opens the
      # connection to the peer (10.0.2.100:PORT), from 10.0.2.2. One forward per peer port.
      local port=$1; shift
      local host_port=$((port + 10000))
      ip netns exec "$SLIRP_NS" python3 - "$STATE/api" "$host_port" "$port" <<'EOF' || return 1
import json, socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(json.dumps({"execute": "add_hostfwd", "arguments": {"proto": "tcp", "host_addr": "127.0.0.1",
          "host_port": int(sys.argv[2]), "guest_port": int(sys.argv[3])}}).encode())
answer = s.recv(4096).decode()
if "error" in answer and "already" not in answer:
    sys.exit("slirp4netns add_hostfwd: " + answer)
EOF
      exec ip netns exec "$SLIRP_NS" "$NETSTACK" -stack kernel "$COMMAND" 127.0.0.1 "$host_port" "$@" ;;
  esac
}

# ------------------------------------------------------------------ passt, through pasta

PASTA_NS=pah-$TAG

passt() {
  case "$COMMAND" in
    up)
      mkdir -p "$STATE" && ip netns add "$PASTA_NS" && ip -n "$PASTA_NS" link set lo up || return 1
      # pasta copies its addresses and routes from a "template" link with a default route; this
      # namespace has no other link, so a veth pair with nothing behind it serves.
      ip -n "$PASTA_NS" link add "pt$TAG" type veth peer name "ptx$TAG" || return 1
      ip -n "$PASTA_NS" addr add 198.18.5.1/24 dev "pt$TAG"
      ip -n "$PASTA_NS" link set "pt$TAG" up && ip -n "$PASTA_NS" link set "ptx$TAG" up
      ip -n "$PASTA_NS" route add default via 198.18.5.254
      # --runas 0: as root pasta would drop to "nobody", who may not join the namespace. Not -d:
      # this version crashes (SIGSEGV) printing its debug line for a new connection.
      ip netns exec "$PASTA_NS" pasta --runas 0 -f -q --netns "/var/run/netns/$PEER_NS" -I "pa$TAG" \
          -a 198.18.5.2 -n 24 -g 198.18.5.1 -m 1500 -4 -t "${CLIENT_PORTS:-none}" -u none -T none -U none \
          --no-dhcp --no-ndp --no-dhcpv6 --no-ra >"$STATE/pasta.log" 2>&1 &
      echo $! >"$STATE/pid"
      local i
      for ((i = 0; i < 100; i++)); do in_peer ip link show "pa$TAG" >/dev/null 2>&1 && break; sleep 0.05; done
      in_peer ip addr add 198.18.5.2/24 dev "pa$TAG" && in_peer ip link set "pa$TAG" up || {
        cat "$STATE/pasta.log" >&2; return 1; }
      printf 'version passt %s, as pasta\nserver 198.18.5.1\nserver-peer 198.18.5.2\nclient 198.18.5.1\nclient-peer 198.18.5.2\n' \
          "$(package_version passt)" ;;
    down)
      [ -f "$STATE/pid" ] && kill "$(cat "$STATE/pid")" 2>/dev/null
      in_peer ip link del "pa$TAG" 2>/dev/null
      ip netns del "$PASTA_NS" 2>/dev/null
      rm -rf "$STATE"; return 0 ;;
    servers|sink|source) exec ip netns exec "$PASTA_NS" "$NETSTACK" -stack kernel "$COMMAND" "$@" ;;
    client|upload|download)
      local port=$1; shift
      exec ip netns exec "$PASTA_NS" "$NETSTACK" -stack kernel "$COMMAND" 198.18.5.1 "$port" "$@" ;;
  esac
}

# The helper process that up started (slirp4netns, pasta) still runs: a crash shows here.
# A crashed helper may linger as a zombie until its parent reaps it: state Z counts as dead.
helper_alive() {
  [ -f "$STATE/pid" ] || return 0
  local stat; stat=$(cat "/proc/$(cat "$STATE/pid")/stat" 2>/dev/null) || return 1
  [[ "$stat" != *") Z "* ]]
}

case "$STACK:$COMMAND" in
  *:alive) helper_alive ;;
  gvisor:*|lwip:*|slirp:*|passt:*) "$STACK" "$@" ;;
  *) echo "stack.sh: unknown stack '$STACK' (gvisor, lwip, slirp, passt)" >&2; exit 2 ;;
esac
