# Two hosts in network namespaces, joined by a veth pair with its checksum offload left on, and
# the Linux kernel's own TCP as the peer: our client to a kernel server, a kernel client to our
# server, and ours to ours. tshark reads every capture with checksum validation switched on.

# check_capture PCAP OUR_ADDRESS: every packet we sent has good IP and TCP checksums, tshark's
# TCP analysis finds nothing to warn about, and the connection opens SYN, SYN-ACK, ACK, then data.
check_capture() {
  local pcap=$1 ours=$2 out
  say "tshark's view of $pcap:"
  tshark -r "$pcap" -o tcp.check_checksum:TRUE -o ip.check_checksum:TRUE 2>/dev/null | sed 's/^/    /'
  local sent bad
  # each query must succeed: a filter tshark refuses prints nothing, which is not "clean"
  local err=$LOGS/tshark.err
  sent=$(tshark -r "$pcap" -Y "ip.src==$ours" 2>"$err") || { cat "$err"; return 1; }
  sent=$(printf '%s\n' "$sent" | grep -c .)
  bad=$(tshark -r "$pcap" -o tcp.check_checksum:TRUE -o ip.check_checksum:TRUE \
        -Y "ip.src==$ours && !(tcp.checksum.status==1 && ip.checksum.status==1)" 2>"$err") || { cat "$err"; return 1; }
  [ "$sent" -gt 0 ] || { say "no packets of ours in the capture"; return 1; }
  [ -z "$bad" ] || { say "packets of ours with checksums tshark does not call good:"; say "$bad"; return 1; }
  say "checksums: all $sent packets sent by $ours are good"
  out=$(tshark -r "$pcap" -Y 'tcp.analysis.flags && !tcp.analysis.window_update' 2>"$err") || { cat "$err"; return 1; }
  [ -z "$out" ] || { say "tcp.analysis warnings:"; say "$out"; return 1; }
  local flags
  flags=$(tshark -r "$pcap" -T fields -e tcp.flags 2>"$err") || { cat "$err"; return 1; }
  # ECE and CWR (RFC 3168's negotiation in the SYN and SYN-ACK) left out: checked in t_modern.sh
  flags=$(for f in $(printf '%s\n' "$flags" | head -n 4); do printf '0x%04x\n' $((f & 0x3f)); done | paste -sd' ')
  say "first four flags, without ECE and CWR: $flags"
  [ "$flags" = "0x0002 0x0012 0x0010 0x0018" ] || { say "expected SYN, SYN-ACK, ACK, PSH-ACK"; return 1; }
}

test_our_client_to_kernel_server() {
  netns_up || return 1
  start_bg "$LOGS/i1-kernel-server.out" in_server $RUN KernelPeer echo-server 5000
  wait_for_line "$LOGS/i1-kernel-server.out" "listening" || return 1
  in_client $RUN TcpClient $SERVER_IP --message "hello, kernel" --verbose --pcap "$LOGS/i1-client.pcap" \
    >"$LOGS/i1-client.out" 2>&1; local status=$?
  cat "$LOGS/i1-client.out"; cat "$LOGS/i1-kernel-server.out"
  [ "$status" -eq 0 ] || { say "client exit $status"; return 1; }
  grep -q "^\[Client\] Received SYN-ACK, sending ACK$" "$LOGS/i1-client.out" || return 1
  grep -q '^\[Client\] Received 13 bytes: "hello, kernel"$' "$LOGS/i1-client.out" || return 1
  grep -q "^accepted $CLIENT_IP:" "$LOGS/i1-kernel-server.out" || { say "the kernel's accept() did not return"; return 1; }
  # the kernel's SYN-ACK came with an unfinished checksum (offload), and we knew it
  grep -q "<- SYN-ACK\(-ECE\)\? .*(checksum left to offload)" "$LOGS/i1-client.out" || return 1
  grep -q -- "-> SYN\(-ECE-CWR\)\? .*opts=\[MSS 1460,SACK_PERM,TS [0-9]*/0,NOP,WS [0-9]*\]" "$LOGS/i1-client.out" || { say "MSS should follow the veth's MTU 1500"; return 1; }
  check_capture "$LOGS/i1-client.pcap" $CLIENT_IP
}

test_kernel_client_to_our_server() {
  netns_up || return 1
  start_bg "$LOGS/i2-server.out" in_server $RUN TcpServer --count 1 --verbose --pcap "$LOGS/i2-server.pcap"
  local server=$LAST_PID
  wait_for_line "$LOGS/i2-server.out" "Listening on" || return 1
  local out; out=$(in_client $RUN KernelPeer client $SERVER_IP 5000 "hello, hand-made server" 2>&1); local status=$?
  say "kernel client: $out"
  wait_bounded "$server" 60; local sstatus=$?
  cat "$LOGS/i2-server.out"
  [ "$status" -eq 0 ] && [ "$out" = "echo: hello, hand-made server" ] || return 1
  [ "$sstatus" -eq 0 ] || { say "server exit $sstatus"; return 1; }
  grep -q "^\[Server\] Received ACK, handshake completed$" "$LOGS/i2-server.out" || return 1
  # the kernel's SYN has options we do not use: parsed and ignored
  grep -q "<- SYN .*opts=\[MSS 1460,SACK_PERM,TS N*[0-9]*/0,NOP,WS [0-9]*\]" "$LOGS/i2-server.out" || {
    say "expected the kernel's SYN options to be parsed"; return 1; }
  check_capture_server "$LOGS/i2-server.pcap"
}

# Seen from the server, the first four packets are the client's SYN, our SYN-ACK, the client's ACK
# and the client's data.
check_capture_server() { check_capture "$1" $SERVER_IP; }

test_our_client_to_our_server_across_hosts() {
  netns_up || return 1
  start_bg "$LOGS/i3-server.out" in_server $RUN TcpServer --count 1 --verbose --pcap "$LOGS/i3-server.pcap"
  local server=$LAST_PID
  wait_for_line "$LOGS/i3-server.out" "Listening on" || return 1
  in_client $RUN TcpClient $SERVER_IP --message "ours to ours" --verbose --pcap "$LOGS/i3-client.pcap" \
    >"$LOGS/i3-client.out" 2>&1; local status=$?
  wait_bounded "$server" 60; local sstatus=$?
  cat "$LOGS/i3-client.out" "$LOGS/i3-server.out"
  [ "$status" -eq 0 ] && [ "$sstatus" -eq 0 ] || { say "exit codes client $status server $sstatus"; return 1; }
  grep -q '^\[Client\] Received 12 bytes: "ours to ours"$' "$LOGS/i3-client.out" || return 1
  check_capture "$LOGS/i3-client.pcap" $CLIENT_IP && check_capture "$LOGS/i3-server.pcap" $SERVER_IP
}

# RFC 9293 MUST-49 (a configurable TTL) and MUST-48 (the application sets the DS field): what
# arrives at the kernel's host, captured there, carries the TTL and DSCP our client was given.
test_ttl_and_dscp_reach_the_wire() {
  netns_up || return 1
  local pcap=$LOGS/i4-server-side.pcap
  start_bg "$LOGS/i4-tcpdump.out" in_server tcpdump -Z root --immediate-mode -U -i "$SERVER_DEV" -w "$pcap" tcp port 5000
  local capture=$LAST_PID
  wait_for_line "$LOGS/i4-tcpdump.out" "listening on" 10 || return 1
  start_bg "$LOGS/i4-kernel-server.out" in_server $RUN KernelPeer echo-server 5000
  wait_for_line "$LOGS/i4-kernel-server.out" "listening" || return 1
  in_client $RUN TcpClient $SERVER_IP --message "ttl and dscp" --ttl 7 --dscp 46 >"$LOGS/i4-client.out" 2>&1; local status=$?
  sleep 0.3; kill $(process_tree "$capture") 2>/dev/null; wait_bounded "$capture" 10 >/dev/null
  cat "$LOGS/i4-client.out"
  [ "$status" -eq 0 ] || { say "client exit $status"; return 1; }
  expect_hops_and_dscp "$pcap" "ip.src==$CLIENT_IP" ip.ttl ip.dsfield.dscp TTL
}

run_interop_tests() {
  run_test "two hosts: our client -> kernel server: handshake, echo, close; tshark finds nothing wrong" test_our_client_to_kernel_server
  run_test "two hosts: kernel client -> our server: handshake, echo, close; tshark finds nothing wrong" test_kernel_client_to_our_server
  run_test "two hosts: our client -> our server; both captures clean in tshark" test_our_client_to_our_server_across_hosts
  run_test "two hosts: --ttl 7 --dscp 46 are on every packet our client sends (MUST-48, MUST-49)" test_ttl_and_dscp_reach_the_wire
}
