#!/usr/bin/env bash
# The demo: a TCP server and client made by hand over raw sockets, on 127.0.0.1:5000. The client
# opens a connection (the 3-way handshake), sends a message, gets its echo back, and closes; both
# sides' logs appear as they happen.
#   sudo ./demo.sh              the demo
#   sudo ./demo.sh --verbose    the same, with every packet's fields and every state change
#   sudo ./demo.sh --ladder     the same, then the whole exchange as a ladder diagram, drawn by
#                               Ladder.java from the client's capture (--pcap)
# Other options go to both programs (see ./jbang TcpServer.java --help).
set -u
cd "$(dirname "$0")"

if [ "$(id -u)" -ne 0 ]; then
  echo "The demo opens raw sockets and adds a firewall rule: run it as root (sudo ./demo.sh)." >&2
  exit 1
fi
if ! command -v nft >/dev/null; then
  echo "Installing nftables with apt-get (it keeps the kernel's own TCP from answering our peers)..."
  DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q nftables >/dev/null \
    || { echo "apt-get could not install nftables" >&2; exit 1; }
fi

# --ladder is the demo's own option; the others go to both programs.
ladder=""
options=()
for arg in "$@"; do
  if [ "$arg" = --ladder ]; then ladder=yes; else options+=("$arg"); fi
done

echo "Building (the first run fetches JBang and jnr-posix from Maven Central)..."
log=$(mktemp /tmp/tbh-demo.XXXXXX)
capture=$(mktemp /tmp/tbh-demo-client.XXXXXX.pcap)
trap 'rm -f "$log" "$capture"; [ -n "${server:-}" ] && kill "$server" 2>/dev/null' EXIT
if ! { ./jbang build TcpServer.java && ./jbang build TcpClient.java && { [ -z "$ladder" ] || ./jbang build Ladder.java; }; } >"$log" 2>&1; then
  cat "$log"; echo "build failed" >&2; exit 1
fi
echo

# The server's output goes to the screen and, for the line we wait for, to a file; $! is the
# server's own process, not tee's.
./jbang TcpServer.java --count 1 "${options[@]}" > >(tee "$log") 2>&1 &
server=$!
for _ in $(seq 1 1200); do grep -q "Listening on\|Error" "$log" && break; sleep 0.05; done
grep -q "Listening on" "$log" || exit 1   # the EXIT trap stops the server

client_capture=()
[ -n "$ladder" ] && client_capture=(--pcap "$capture")
./jbang TcpClient.java 127.0.0.1 --message "Hello, TCP!" "${client_capture[@]}" "${options[@]}"
status=$?
if [ "$status" -eq 0 ]; then
  wait "$server"   # it ends by itself once the connection closed (--count 1)
  server=""
fi
if [ -n "$ladder" ]; then
  # every packet the client sent and received, as its capture holds them: the client on the left
  echo
  echo "The whole exchange, as the client's capture holds it (./jbang Ladder.java CAPTURE):"
  echo
  ./jbang Ladder.java "$capture" || status=1
fi
exit "$status"
