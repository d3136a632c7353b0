#!/usr/bin/env bash
# Remakes the example captures of docs/ladders/ and their drawings. Needs root (namespaces,
# nftables, raw sockets) and editcap (Debian's wireshark-common, which comes with tshark), which
# cuts the bulk transfer's capture down to its headers.
#
#   sudo docs/ladders/make-examples.sh          captures and drawings
#   docs/ladders/make-examples.sh --drawings    only the drawings, from the committed captures
#
# Everything runs inside network namespaces made here (198.18.0.0/15), removed at the end.
set -u
cd "$(dirname "$0")/../.."
source tests/system/lib.sh
OUT=docs/ladders

# The words above each diagram; the diagram itself is what Ladder prints, and LadderTest checks
# that it still is.
intro() {
  case "$1" in
    handshake-echo) printf '%s\n' "# Handshake, echo, teardown on loopback" "" \
      "Our server's capture (\`TcpServer --count 1 --pcap\`) of our client sending \"Hello, TCP!\" on" \
      "127.0.0.1, in a namespace of its own: what \`./demo.sh\` does." ;;
    client-closes-first) printf '%s\n' "# The client closes first" "" \
      "Our client's capture, between two namespaces (198.18.0.2 to 198.18.0.1) over a veth pair." \
      "The client sends its FIN first; the server answers with FIN-ACK, and the client's last ACK" \
      "puts it in TIME-WAIT." ;;
    server-closes-first) printf '%s\n' "# The server closes first" "" \
      "Our client's capture, as above, with \`TcpServer --close-after-reply\` and" \
      "\`TcpClient --no-close\`: the server's FIN comes right after its reply, the client answers" \
      "with its own FIN, and the server is the one that waits in TIME-WAIT." ;;
    retransmitted-syn) printf '%s\n' "# A retransmitted SYN" "" \
      "Our client's capture, as above, while an nftables rule in the client's namespace dropped" \
      "outgoing SYNs. The capture is written before sending, so it shows the lost SYN; after the" \
      "retransmission timeout (1 s) the client sends it again, and the rule was gone by then." ;;
    sack-recovery) printf '%s\n' "# Two segments lost, repaired with SACK" "" \
      "Our client's capture (\`TcpClient --send-bytes 20000\` to \`TcpServer --discard\`) while an" \
      "nftables rule at the server's door dropped the 8th and 10th packets that came in. The server's" \
      "duplicate ACKs stay at the first hole and carry SACK blocks (\`sack=\`) for what arrived" \
      "beyond it; the client resends the holes, and only them, without waiting for a timeout." ;;
  esac
}

drawings() {
  # a build of our own: test.sh runs may empty build/unit at any time
  local classes; classes=$(mktemp -d)
  javac -d "$classes" Packets.java Icmp.java tcp/Seq.java viz/*.java Ladder.java || exit 1
  local java="java -cp $classes"
  for pcap in "$OUT"/*.pcap; do
    local name; name=$(basename "$pcap" .pcap)
    case "$name" in bulk-transfer-with-loss|cubic-under-loss|reno-under-loss) continue ;; esac  # graphs, not ladders
    { intro "$name"; echo; $java Ladder "$pcap" --mermaid; } >"$OUT/$name.md"
  done
  $java Ladder "$OUT/bulk-transfer-with-loss.pcap" --time-sequence "$OUT/bulk-transfer-with-loss.svg"
  for cc in cubic reno; do $java Ladder "$OUT/$cc-under-loss.pcap" --time-sequence "$OUT/$cc-under-loss.svg"; done
  rm -rf "$classes"
}

# Two losses repaired with SACK: a netdev ingress rule in the server's namespace drops the 8th and
# 10th TCP packets that reach port 5000 (numgen counts the packets the rule sees), so the server
# never sees them; the client's capture, taken as packets leave, has them and the retransmissions.
sack_example() {
  start_bg "$LOGS/ex-sack-server.out" in_server $RUN TcpServer --count 1 --discard
  wait_for_line "$LOGS/ex-sack-server.out" "Listening on" || exit 1
  in_server nft add table netdev tbh_example
  in_server nft add chain netdev tbh_example in "{ type filter hook ingress device $SERVER_DEV priority 0; }"
  in_server nft add rule netdev tbh_example in ip protocol tcp tcp dport 5000 numgen inc mod 1000 '{ 7, 9 }' drop
  in_client $RUN TcpClient $SERVER_IP --send-bytes 20000 --pcap "$OUT/sack-recovery.pcap" || exit 1
  wait_bounded "$LAST_PID" 20
  in_server nft delete table netdev tbh_example
}

if [ "${1:-}" = --drawings ]; then drawings; exit; fi
if [ "${1:-}" = --sack-only ]; then  # remakes only the SACK example (the others keep their captures)
  require_root; build >/dev/null; trap 'cleanup_background; netns_down' EXIT
  netns_up || exit 1; sack_example; cleanup_background; drawings; exit
fi

require_root
build
trap 'cleanup_background; netns_down' EXIT

# our server and client on the loopback of a namespace of their own: the demo's connection
NS_LO=tbh-lo-$$
ip netns add "$NS_LO" && ip -n "$NS_LO" link set lo up
start_bg "$LOGS/ex-lo-server.out" ip netns exec "$NS_LO" $RUN TcpServer --count 1 --pcap "$OUT/handshake-echo.pcap"
wait_for_line "$LOGS/ex-lo-server.out" "Listening on" || exit 1
ip netns exec "$NS_LO" $RUN TcpClient 127.0.0.1 --message "Hello, TCP!" || exit 1
wait_bounded "$LAST_PID" 20

netns_up || exit 1
# the client closes first (the default), then the server closes first (--close-after-reply),
# while the client waits for it (--no-close)
for how in client server; do
  server_opt=""; client_opt=""
  [ "$how" = server ] && server_opt=--close-after-reply && client_opt=--no-close
  start_bg "$LOGS/ex-$how.out" in_server $RUN TcpServer --count 1 $server_opt
  wait_for_line "$LOGS/ex-$how.out" "Listening on" || exit 1
  in_client $RUN TcpClient $SERVER_IP --message "hello" $client_opt --pcap "$OUT/$how-closes-first.pcap" || exit 1
  wait_bounded "$LAST_PID" 20
done

# the client's first SYN is dropped on its way out (the capture, written before sending, still
# has it); the rule goes as soon as the capture holds it, so the SYN retransmitted 1 s later
# (the initial RTO) gets through
start_bg "$LOGS/ex-syn.out" in_server $RUN TcpServer --count 1
wait_for_line "$LOGS/ex-syn.out" "Listening on" || exit 1
in_client nft add table inet tbh_example
in_client nft add chain inet tbh_example out '{ type filter hook output priority 10; }'
in_client nft add rule inet tbh_example out 'tcp flags & (syn|ack) == syn' drop
rm -f "$OUT/retransmitted-syn.pcap"
start_bg "$LOGS/ex-syn-client.out" in_client $RUN TcpClient $SERVER_IP --message "hello" --pcap "$OUT/retransmitted-syn.pcap"
client=$LAST_PID
# 24 bytes of file header, then the SYN's record
for i in $(seq 1 100); do [ "$(stat -c %s "$OUT/retransmitted-syn.pcap" 2>/dev/null || echo 0)" -gt 24 ] && break; sleep 0.05; done
in_client nft delete table inet tbh_example
wait_bounded "$client" 20 || { cat "$LOGS/ex-syn-client.out"; exit 1; }
cat "$LOGS/ex-syn-client.out"

sack_example

# a bulk transfer of ours: 1 MB from our client to our server (--discard), 2 % of what the
# client sends lost on purpose (--loss-sent, seeded, so that a remake loses the same packets).
# The client's capture is written as packets go on the wire, after the fault: a lost segment is
# not in it. editcap keeps the first 64 bytes of each packet (the headers; Ladder counts the data
# by the packets' original lengths), so the capture stays small.
start_bg "$LOGS/ex-bulk-server.out" in_server $RUN TcpServer --count 1 --discard
wait_for_line "$LOGS/ex-bulk-server.out" "Listening on" || exit 1
bulk=$(mktemp /tmp/tbh-bulk.XXXXXX.pcap)
in_client $RUN TcpClient $SERVER_IP --send-bytes 1M --loss-sent 2 --seed 3 --pcap "$bulk" || exit 1
wait_bounded "$LAST_PID" 20
editcap -F pcap -s 64 "$bulk" "$OUT/bulk-transfer-with-loss.pcap" || exit 1
rm -f "$bulk"
cleanup_background
drawings
