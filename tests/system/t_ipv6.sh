# IPv6 (issue 21): the same TCP over IPv6, on loopback (::1) and between two namespaces joined by a
# veth (fd00:198:18::1 and ::2, unique local addresses, RFC 4193), against our own programs and the
# kernel's TCP: the handshake's lines, 20 MB each way with sha256, curl -6 through TcpServer --stdio,
# one server taking both versions on one port, teardown both ways, loss, malformed packets, SYN
# cookies, and a capture that tshark and Ladder.java read. Uses other groups' helpers and tests
# (t_data.sh: make_file, sha, ours_to_kernel, kernel_to_ours; t_teardown.sh's tests, over_ipv6).

SERVER_IP6=fd00:198:18::1
CLIENT_IP6=fd00:198:18::2

# The two namespaces of lib.sh, with an IPv6 address each beside the IPv4 ones ("nodad": usable
# at once, no duplicate address detection to wait for).
ipv6_up() {
  netns_up || return 1
  ip -n "$NS_SERVER" addr add "$SERVER_IP6/64" dev "$SERVER_DEV" nodad || return 1
  ip -n "$NS_CLIENT" addr add "$CLIENT_IP6/64" dev "$CLIENT_DEV" nodad || return 1
  # The neighbour discovery of the first packet takes a moment: ping once.
  in_client ping -6 -c 1 -W 2 "$SERVER_IP6" >/dev/null 2>&1 || true
}

# ---------------------------------------------------------------- loopback

test_ipv6_loopback_handshake_lines() {
  lo_ns_up || return 1
  start_bg "$LOGS/v6lo-server.out" in_lo $RUN TcpServer --bind ::1 --count 1
  local server=$LAST_PID
  wait_for_line "$LOGS/v6lo-server.out" "Listening on" || return 1
  in_lo $RUN TcpClient ::1 >"$LOGS/v6lo-client.out" 2>&1 || { say "client failed"; cat "$LOGS/v6lo-client.out"; return 1; }
  wait_bounded "$server" 60 || { say "server exited with $?"; cat "$LOGS/v6lo-server.out"; return 1; }
  # The README's handshake, word for word, with [::1]:5000 for 127.0.0.1:5000.
  sed 's/127\.0\.0\.1:5000/[::1]:5000/; s/0\.0\.0\.0:5000/[::1]:5000/' sample-logs/handshake-client.log >"$LOGS/v6lo-client.expected"
  sed 's/127\.0\.0\.1:5000/[::1]:5000/; s/0\.0\.0\.0:5000/[::1]:5000/' sample-logs/handshake-server.log >"$LOGS/v6lo-server.expected"
  expect_same "$LOGS/v6lo-client.expected" "$LOGS/v6lo-client.out" || return 1
  expect_same "$LOGS/v6lo-server.expected" "$LOGS/v6lo-server.out" || return 1
  [ -z "$(in_lo nft list tables)" ] || { say "tables left: $(in_lo nft list tables)"; return 1; }
}

# A server without --bind takes both versions on one port, as a kernel listener on :: does.
test_ipv6_one_server_both_versions() {
  lo_ns_up || return 1
  start_bg "$LOGS/v6both-server.out" in_lo $RUN TcpServer --count 3 --verbose
  local server=$LAST_PID
  wait_for_line "$LOGS/v6both-server.out" "Listening on" || return 1
  in_lo $RUN TcpClient 127.0.0.1 --message "over IPv4" >"$LOGS/v6both-c4.out" 2>&1 || { cat "$LOGS/v6both-c4.out"; return 1; }
  in_lo $RUN TcpClient ::1 --message "over IPv6" >"$LOGS/v6both-c6.out" 2>&1 || { cat "$LOGS/v6both-c6.out"; return 1; }
  # and the kernel's client over IPv6
  in_lo python3 -c 'import socket; s = socket.create_connection(("::1", 5000)); s.sendall(b"kernel"); print(s.recv(64)); s.close()' \
    >"$LOGS/v6both-k.out" 2>&1 || { cat "$LOGS/v6both-k.out"; return 1; }
  wait_bounded "$server" 60 || { say "server exited with $?"; cat "$LOGS/v6both-server.out"; return 1; }
  cat "$LOGS/v6both-k.out"
  grep -q "b'kernel'" "$LOGS/v6both-k.out" || return 1
  grep -q 'Received 9 bytes: "over IPv4"' "$LOGS/v6both-c4.out" || return 1
  grep -q 'Received 9 bytes: "over IPv6"' "$LOGS/v6both-c6.out" || return 1
  grep -q 'from 127\.0\.0\.1:' "$LOGS/v6both-server.out" || return 1
  grep -q 'from \[::1\]:' "$LOGS/v6both-server.out" || return 1
  # IPv6's MSS on lo: MTU 65536 - 60
  grep -m1 -- '-> SYN-ACK.*\[::1\]' "$LOGS/v6both-server.out"
  grep -q -- '-> SYN-ACK.*MSS 65476.*to \[::1\]' "$LOGS/v6both-server.out"
}

# ---------------------------------------------------------------- two namespaces

test_ipv6_message_between_namespaces() {
  ipv6_up || return 1
  start_bg "$LOGS/v6msg-server.out" in_server $RUN TcpServer --bind "$SERVER_IP6" --count 1 --verbose
  local server=$LAST_PID
  wait_for_line "$LOGS/v6msg-server.out" "Listening on" || return 1
  in_client $RUN TcpClient "$SERVER_IP6" --message "hello, IPv6" >"$LOGS/v6msg-client.out" 2>&1 || { cat "$LOGS/v6msg-client.out"; return 1; }
  wait_bounded "$server" 60 || { cat "$LOGS/v6msg-server.out"; return 1; }
  cat "$LOGS/v6msg-client.out"
  grep -q "Sending SYN to \[$SERVER_IP6\]:5000" "$LOGS/v6msg-client.out" || return 1
  grep -q 'Received 11 bytes: "hello, IPv6"' "$LOGS/v6msg-client.out" || return 1
  # MSS: the veth's MTU 1500 - 60
  grep -q -- "-> SYN-ACK.*MSS 1440.*to \[$CLIENT_IP6\]" "$LOGS/v6msg-server.out"
}

# Many connections at once over IPv6 (t_hostile.sh's 200, here 100): each log line names its peer
# in brackets, and the server ends with no state left.
test_ipv6_100_of_our_clients_at_once() {
  ipv6_up || return 1
  start_bg "$LOGS/v6many-server.out" in_server $RUN TcpServer --count 100 --msl 0.2
  local server=$LAST_PID
  wait_for_line "$LOGS/v6many-server.out" "Listening on" || return 1
  in_client $RUN TcpClient "$SERVER_IP6" --connections 100 --message "one of a hundred" --msl 0.2 \
    >"$LOGS/v6many-client.out" 2>&1; local status=$?
  tail -n 3 "$LOGS/v6many-client.out"
  [ "$status" -eq 0 ] || { say "client exit $status"; grep -v 'Received\|Sending\|closed\|TIME-WAIT' "$LOGS/v6many-client.out" | head -40; return 1; }
  [ "$(tail -n 1 "$LOGS/v6many-client.out")" = "[Client] 100/100 connections completed" ] || return 1
  wait_bounded "$server" 60 || { say "server exit $?"; return 1; }
  [ "$(grep -c 'Connection closed' "$LOGS/v6many-server.out")" -eq 100 ] || return 1
  grep -q "^\[Server \[$CLIENT_IP6\]:[0-9]*\] Received SYN, sending SYN-ACK$" "$LOGS/v6many-server.out" || {
    say "each line should name its peer, bracketed"; return 1; }
}

# curl -6 through TcpServer --stdio: curl's request comes out, our response goes in.
test_ipv6_curl_through_our_stdio_server() {
  command -v curl >/dev/null || { say "curl is not installed"; return "$SKIP"; }
  ipv6_up || return 1
  local body; body=$(make_file curlbody 1)
  { printf 'HTTP/1.0 200 OK\r\nContent-Length: %d\r\nContent-Type: application/octet-stream\r\n\r\n' "$(stat -c %s "$body")"
    cat "$body"; } >"$BUILD/v6curl-response"
  start_bg "$LOGS/v6curl-server.err" in_server bash -c "$RUN TcpServer --stdio <'$BUILD/v6curl-response' >'$BUILD/v6curl-request'"
  local server=$LAST_PID
  wait_for_line "$LOGS/v6curl-server.err" "Listening on" || return 1
  in_client curl -6 -sS --max-time 30 -g -o "$BUILD/v6curl-got" "http://[$SERVER_IP6]:5000/hello" || { say "curl failed"; return 1; }
  wait_bounded "$server" 30 || { cat "$LOGS/v6curl-server.err"; return 1; }
  cat "$LOGS/v6curl-server.err"
  head -n 2 "$BUILD/v6curl-request"
  grep -q "^GET /hello HTTP/1.1" "$BUILD/v6curl-request" || return 1
  grep -qi "^Host: \[$SERVER_IP6\]:5000" "$BUILD/v6curl-request" || return 1
  [ "$(sha "$body")" = "$(sha "$BUILD/v6curl-got")" ]
}

# The data tests' bodies, with the server's IPv6 address (their helpers read SERVER_IP).
test_ipv6_ours_to_kernel() {
  ipv6_up || return 1
  local SERVER_IP=$SERVER_IP6
  KSTREAM_IPV6=1 ours_to_kernel "$(make_file bulk "$DATA_MB")"
}
test_ipv6_kernel_to_ours() {
  ipv6_up || return 1
  local SERVER_IP=$SERVER_IP6
  kernel_to_ours "$(make_file bulk "$DATA_MB")"
}
test_ipv6_ours_to_ours() {
  ipv6_up || return 1
  local SERVER_IP=$SERVER_IP6
  copy_ours_to_ours "$(make_file bulk "$DATA_MB")"
}

# --ttl and --dscp over IPv6: the hop limit and the traffic class's DSCP of every packet our client
# sends, as tcpdump on the server's host sees them (t_interop.sh's test, for the other version).
test_ipv6_hop_limit_and_traffic_class_reach_the_wire() {
  ipv6_up || return 1
  local pcap=$LOGS/v6ttl-server-side.pcap
  start_bg "$LOGS/v6ttl-tcpdump.out" in_server tcpdump -Z root --immediate-mode -U -i "$SERVER_DEV" -w "$pcap" tcp port 5000
  local capture=$LAST_PID
  wait_for_line "$LOGS/v6ttl-tcpdump.out" "listening on" 10 || return 1
  start_bg "$LOGS/v6ttl-kernel-server.out" in_server env KSTREAM_IPV6=1 $KSTREAM sink 5000
  wait_for_line "$LOGS/v6ttl-kernel-server.out" "listening" || return 1
  in_client $RUN TcpClient "$SERVER_IP6" --send-bytes 3000 --ttl 7 --dscp 46 >"$LOGS/v6ttl-client.out" 2>&1; local status=$?
  sleep 0.3; kill $(process_tree "$capture") 2>/dev/null; wait_bounded "$capture" 10 >/dev/null
  cat "$LOGS/v6ttl-client.out"
  [ "$status" -eq 0 ] || { say "client exit $status"; return 1; }
  expect_hops_and_dscp "$pcap" "ipv6.src==$CLIENT_IP6" ipv6.hlim ipv6.tclass.dscp "hop limit"
}

# ---------------------------------------------------------------- loss, and packets made by hand

# add_loss's rules (t_teardown.sh) for IPv6: a share of TCP packets dropped both ways on the
# client's side of the veth.
add_loss6() {
  local percent=$1
  in_client nft add table netdev loss6 || return 1
  in_client nft add chain netdev loss6 in "{ type filter hook ingress device $CLIENT_DEV priority 0; }"
  in_client nft add chain netdev loss6 out "{ type filter hook egress device $CLIENT_DEV priority 0; }"
  in_client nft add rule netdev loss6 in meta protocol ip6 meta l4proto tcp numgen random mod 100 '<' "$percent" counter drop
  in_client nft add rule netdev loss6 out meta protocol ip6 meta l4proto tcp numgen random mod 100 '<' "$percent" counter drop
}

test_ipv6_one_percent_loss_both_ways() {
  ipv6_up && kernel_segments_unmerged && add_loss6 1 || return 1
  local SERVER_IP=$SERVER_IP6 file; file=$(make_file bulk "$DATA_MB")
  KSTREAM_IPV6=1 timed "v6-loss1-ours_to_kernel" ours_to_kernel "$file" --rto-min 200 || return 1
  timed "v6-loss1-kernel_to_ours" kernel_to_ours "$file" --rto-min 200 || return 1
  in_client nft list table netdev loss6 | grep -o 'counter packets [0-9]*'
  # Both chains dropped something: the loss was real.
  [ "$(in_client nft list table netdev loss6 | grep -c 'counter packets [1-9]')" -eq 2 ]
}

# IPv6 packets made by scapy: a SYN behind hop-by-hop, routing and destination options headers is
# answered; a fragment and a payload length past the packet are dropped, each with its reason in
# --verbose. (An extension chain that runs past the packet hides the port, so nothing says it is
# for us: it is not looked at; PacketsIpv6 checks the parse's reason for it.)
test_ipv6_extension_headers_and_malformed_packets() {
  /usr/bin/python3 -c 'import scapy' 2>/dev/null || { say "python3-scapy is not installed"; return "$SKIP"; }
  ipv6_up || return 1
  start_bg "$LOGS/v6ext-server.out" in_server $RUN TcpServer --bind "$SERVER_IP6" --verbose
  wait_for_line "$LOGS/v6ext-server.out" "Listening on" || return 1
  in_client /usr/bin/python3 - "$CLIENT_IP6" "$SERVER_IP6" "$CLIENT_DEV" >"$LOGS/v6ext-scapy.out" 2>&1 <<'PY' || { cat "$LOGS/v6ext-scapy.out"; return 1; }
import sys, logging
logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
from scapy.all import IPv6, TCP, IPv6ExtHdrHopByHop, IPv6ExtHdrRouting, IPv6ExtHdrDestOpt, IPv6ExtHdrFragment, PadN, send
src, dst, dev = sys.argv[1:4]
syn = TCP(sport=41000, dport=5000, seq=1000, flags="S", options=[("MSS", 1440)])
ext = IPv6(src=src, dst=dst) / IPv6ExtHdrHopByHop() / IPv6ExtHdrRouting(addresses=[], segleft=0) / IPv6ExtHdrDestOpt(options=[PadN(optdata=b"\0" * 4)]) / syn
send(ext, verbose=0)
send(IPv6(src=src, dst=dst) / IPv6ExtHdrFragment(m=1, id=7) / TCP(sport=41001, dport=5000, flags="S"), verbose=0)
long = bytes(IPv6(src=src, dst=dst, plen=200) / TCP(sport=41002, dport=5000, flags="S"))
send(IPv6(long), verbose=0)
PY
  cat "$LOGS/v6ext-scapy.out"
  sleep 0.5
  grep "Dropped packet" "$LOGS/v6ext-server.out"
  grep -- "-> SYN-ACK" "$LOGS/v6ext-server.out"
  grep -q -- "-> SYN-ACK seq=[0-9]* ack=1001 .* to \[$CLIENT_IP6\]:41000" "$LOGS/v6ext-server.out" || return 1
  grep -q "Dropped packet from $CLIENT_IP6: IPv6 fragment header" "$LOGS/v6ext-server.out" || return 1
  grep -q "Dropped packet from $CLIENT_IP6: IPv6 payload length 200 exceeds" "$LOGS/v6ext-server.out"
}

# SYN cookies over IPv6 (t_modern.sh's test, for the other version): with a backlog of 4 filled by
# 20 SYNs from scapy, the kernel's client and ours are each made from their ACK's cookie, which
# hashes both 16-byte addresses.
test_ipv6_syn_cookies() {
  /usr/bin/python3 -c 'import scapy' 2>/dev/null || { say "python3-scapy is not installed"; return "$SKIP"; }
  ipv6_up || return 1
  in_client nft add table inet quiet && in_client nft add chain inet quiet out '{ type filter hook output priority 0; }' \
    && in_client nft add rule inet quiet out 'tcp flags & rst == rst' meta mark != 0x5254 drop || return 1
  start_bg "$LOGS/v6cookie-server.out" in_server $RUN TcpServer --backlog 4 --verbose
  local server=$LAST_PID
  wait_for_line "$LOGS/v6cookie-server.out" "Listening on" || return 1
  in_client /usr/bin/python3 - "$CLIENT_IP6" "$SERVER_IP6" >"$LOGS/v6cookie-flood.out" 2>&1 <<'PY' || { cat "$LOGS/v6cookie-flood.out"; return 1; }
import sys, logging
logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
from scapy.all import IPv6, TCP, send
src, dst = sys.argv[1:3]
send([IPv6(src=src, dst=dst) / TCP(sport=30000 + i, dport=5000, seq=1000 * i, flags="S", options=[("MSS", 1440)]) for i in range(20)], verbose=0)
PY
  local out; out=$(in_client $RUN KernelPeer client "$SERVER_IP6" 5000 "cookie for the kernel" 2>&1); local kstatus=$?
  in_client $RUN TcpClient "$SERVER_IP6" --message "cookie for us" >"$LOGS/v6cookie-client.out" 2>&1; local status=$?
  kill $(process_tree "$server") 2>/dev/null; wait_bounded "$server" 20
  grep "cookie" "$LOGS/v6cookie-server.out" | grep -v "answering with a SYN cookie" | head -10
  say "kernel client: $out"
  [ "$kstatus" -eq 0 ] && [ "$out" = "echo: cookie for the kernel" ] || { say "the kernel client was not served"; return 1; }
  [ "$status" -eq 0 ] || { cat "$LOGS/v6cookie-client.out"; say "our client was not served"; return 1; }
  local cookies made
  cookies=$(grep -c "backlog of 4 full, answering with a SYN cookie" "$LOGS/v6cookie-server.out")
  made=$(grep -c "brings back a valid SYN cookie" "$LOGS/v6cookie-server.out")
  say "SYN-ACKs with a cookie: $cookies; connections made from a cookie: $made"
  [ "$cookies" -ge 16 ] && [ "$made" -eq 2 ]
}

# over_ipv6 TEST: runs another group's test with the server's IPv6 address: in the test's subshell,
# netns_up also gives the namespaces their IPv6 addresses, and SERVER_IP is the IPv6 one.
over_ipv6() {
  eval "$(declare -f netns_up | sed '1s/^netns_up/netns_up_ipv4_only/')"
  local ipv4=$SERVER_IP
  netns_up() { SERVER_IP=$ipv4 netns_up_ipv4_only || return 1
    ip -n "$NS_SERVER" addr add "$SERVER_IP6/64" dev "$SERVER_DEV" nodad && ip -n "$NS_CLIENT" addr add "$CLIENT_IP6/64" dev "$CLIENT_DEV" nodad || return 1
    in_client ping -6 -c 1 -W 2 "$SERVER_IP6" >/dev/null 2>&1 || true; }
  SERVER_IP=$SERVER_IP6 "$@"
}

test_ipv6_teardown_our_client_closes_first() { over_ipv6 test_our_client_closes_first_kernel_server; }
test_ipv6_teardown_kernel_client_closes_first() { over_ipv6 test_kernel_client_closes_first_our_server; }
test_ipv6_teardown_our_server_closes_first() { over_ipv6 test_our_server_closes_first_kernel_client; }
test_ipv6_teardown_data_after_our_fin() { over_ipv6 test_data_after_our_fin_is_taken_without_a_crash; }

# ---------------------------------------------------------------- what others read

# --pcap of an IPv6 connection: tshark finds every segment with good checksums, Ladder.java draws it.
test_ipv6_pcap_read_by_tshark_and_ladder() {
  command -v tshark >/dev/null || { say "tshark is not installed"; return "$SKIP"; }
  ipv6_up || return 1
  local pcap="$BUILD/v6.pcap"
  rm -f "$pcap"
  start_bg "$LOGS/v6pcap-server.out" in_server $RUN TcpServer --count 1
  local server=$LAST_PID
  wait_for_line "$LOGS/v6pcap-server.out" "Listening on" || return 1
  in_client $RUN TcpClient "$SERVER_IP6" --message "seen by tshark" --pcap "$pcap" >"$LOGS/v6pcap-client.out" 2>&1 || {
    cat "$LOGS/v6pcap-client.out"; return 1; }
  wait_bounded "$server" 60 || return 1
  tshark -r "$pcap" -o tcp.check_checksum:TRUE -T fields -e ipv6.src -e ipv6.dst -e tcp.flags.str -e tcp.checksum.status \
    >"$LOGS/v6pcap-tshark.txt" 2>"$LOGS/v6pcap-tshark.err" || { cat "$LOGS/v6pcap-tshark.err"; return 1; }
  cat "$LOGS/v6pcap-tshark.txt"
  local frames good
  frames=$(grep -c . "$LOGS/v6pcap-tshark.txt")
  # Every segment was made by our programs (client and server), none by the kernel: all finished
  # checksums over the IPv6 pseudo-header (tcp.checksum.status 1 is "Good").
  good=$(awk -F'\t' '$1 != "" && $4 == 1' "$LOGS/v6pcap-tshark.txt" | wc -l)
  say "$frames frames, $good with a good TCP checksum (status 1)"
  [ "$frames" -ge 8 ] && [ "$good" -eq "$frames" ] || return 1
  grep -q "^$CLIENT_IP6	$SERVER_IP6	" "$LOGS/v6pcap-tshark.txt" || return 1
  $RUN Ladder "$pcap" >"$LOGS/v6pcap-ladder.txt" 2>&1 || { cat "$LOGS/v6pcap-ladder.txt"; return 1; }
  head -n 12 "$LOGS/v6pcap-ladder.txt"
  grep -q "\[$SERVER_IP6\]:5000" "$LOGS/v6pcap-ladder.txt" && grep -q "SYN" "$LOGS/v6pcap-ladder.txt"
}

run_ipv6_tests() {
  run_test "ipv6: the handshake's lines on ::1, as the README's with [::1]:5000" test_ipv6_loopback_handshake_lines
  run_test "ipv6: a server without --bind takes IPv4 and IPv6 on one port (ours and the kernel's clients)" test_ipv6_one_server_both_versions
  run_test "ipv6: a message between two namespaces (fd00:198:18::/64), MSS 1440 = MTU - 60" test_ipv6_message_between_namespaces
  run_test "ipv6: 100 of our clients at once, each line names its peer as [address]:port" test_ipv6_100_of_our_clients_at_once
  run_test "ipv6: curl -6 gets a response piped into TcpServer --stdio" test_ipv6_curl_through_our_stdio_server
  run_test "ipv6: ${DATA_MB} MB our client -> kernel server, sha256 equal" test_ipv6_ours_to_kernel
  run_test "ipv6: ${DATA_MB} MB kernel client -> our server, sha256 equal" test_ipv6_kernel_to_ours
  run_test "ipv6: ${DATA_MB} MB ours -> ours, sha256 equal" test_ipv6_ours_to_ours
  run_test "ipv6 teardown: our client closes first; the kernel server keeps nothing (ss)" test_ipv6_teardown_our_client_closes_first
  run_test "ipv6 teardown: kernel client closes first; our server closes passively; kernel in TIME-WAIT" test_ipv6_teardown_kernel_client_closes_first
  run_test "ipv6 teardown: our server closes first (--close-after-reply); logs equal sample-logs" test_ipv6_teardown_our_server_closes_first
  run_test "ipv6 teardown: data after our FIN (half-close) is taken, not answered, no crash" test_ipv6_teardown_data_after_our_fin
  run_test "ipv6: --ttl 7 --dscp 46 are the hop limit and traffic class of every packet our client sends" test_ipv6_hop_limit_and_traffic_class_reach_the_wire
  run_test "ipv6: 1% loss each way, ours -> kernel and kernel -> ours: intact" test_ipv6_one_percent_loss_both_ways
  run_test "ipv6: a SYN behind extension headers is answered; a fragment and a payload length past the packet are dropped with reasons" test_ipv6_extension_headers_and_malformed_packets
  run_test "ipv6: SYN cookies: a full backlog answers with cookies over both addresses; the kernel's client and ours are made from them" test_ipv6_syn_cookies
  # Every conformance scenario over IPv6, against ours and the kernel (about a minute; the other
  # stacks are IPv4 only): one PASS or FAIL line per scenario (conformance-ipv6/NAME), then the table.
  say "-- the conformance scenarios over IPv6 (tests/conformance, --ip 6): ours and the kernel"
  CONFORMANCE_IP=6 CONFORMANCE_TARGETS=ours,kernel run_conformance_tests
  run_test "ipv6: --pcap of IPv6 read by tshark (checksums good) and Ladder.java" test_ipv6_pcap_read_by_tshark_and_ladder
}
