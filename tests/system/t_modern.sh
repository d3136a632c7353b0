# A modern TCP against the Linux kernel (issue 19): RFC 7323 timestamps, TIME-WAIT reopened by a
# newer SYN, keep-alive, SYN cookies. Two namespaces joined by a veth pair (lib.sh's netns_up);
# tshark reads the captures. Short: the whole group takes well under two minutes.

# check_timestamps PCAP: every segment carries TSval and TSecr (both sides); a SYN's TSecr is 0;
# every other TSecr is a TSval the other side sent before it, and echoes never go back (RFC 7323
# 4.3's TS.Recent moves forward only). Prints what it found.
check_timestamps() {
  local pcap=$1 err=$LOGS/tshark.err fields
  fields=$(tshark -r "$pcap" -T fields -E separator=' ' -e ip.src -e tcp.flags.syn -e tcp.flags.reset \
      -e tcp.options.timestamp.tsval -e tcp.options.timestamp.tsecr 2>"$err") || { cat "$err"; return 1; }
  printf '%s\n' "$fields" | awk '
    { src = $1; syn = $2; rst = $3; val = $4; ecr = $5; n++
      if (rst == "1" || rst == "True") next
      if (val == "") { print "no timestamps in packet " n ": " $0; bad++; next }
      if ((syn == "1" || syn == "True") && n == 1 && ecr != 0) { print "SYN with TSecr " ecr; bad++ }
      sent[src, val] = 1
      if (n > 1 && ecr != 0) {
        ok = 0; for (k in sent) { split(k, p, SUBSEP); if (p[1] != src && p[2] == ecr) ok = 1 }
        if (!ok) { print "packet " n " from " src " echoes TSecr " ecr ", which the other side never sent"; bad++ }
        if ((src in last) && ecr - last[src] < 0 && last[src] - ecr < 2147483648) { print "packet " n ": TSecr went back " last[src] " -> " ecr; bad++ }
        last[src] = ecr; echoes++
      }
    }
    END { printf "  %d packets, %d echoes checked, %d problems\n", n, echoes, bad; exit bad > 0 || n < 6 }'
}

test_modern_timestamps_our_client_kernel_server() {
  netns_up || return 1
  start_bg "$LOGS/m1-kernel.out" in_server $RUN KernelPeer echo-server 5000
  wait_for_line "$LOGS/m1-kernel.out" "listening" || return 1
  in_client $RUN TcpClient $SERVER_IP --message "timestamps, please" --verbose --pcap "$LOGS/m1.pcap" \
    >"$LOGS/m1-client.out" 2>&1; local status=$?
  cat "$LOGS/m1-client.out"
  [ "$status" -eq 0 ] || { say "client exit $status"; return 1; }
  grep -q -- "-> SYN .*opts=\[MSS 1460,SACK_PERM,TS [0-9]*/0,NOP,WS [0-9]*\]" "$LOGS/m1-client.out" || { say "our SYN: Linux's layout"; return 1; }
  grep -q -- "<- SYN-ACK .*opts=\[MSS 1460,SACK_PERM,TS [0-9]*/[1-9][0-9]*,NOP,WS [0-9]*\]" "$LOGS/m1-client.out" || { say "the kernel's SYN-ACK echoes"; return 1; }
  tshark -r "$LOGS/m1.pcap" 2>/dev/null | sed 's/^/    /'
  check_timestamps "$LOGS/m1.pcap"
}

test_modern_timestamps_kernel_client_our_server() {
  netns_up || return 1
  start_bg "$LOGS/m2-server.out" in_server $RUN TcpServer --count 1 --verbose --pcap "$LOGS/m2.pcap"
  local server=$LAST_PID
  wait_for_line "$LOGS/m2-server.out" "Listening on" || return 1
  local out; out=$(in_client $RUN KernelPeer client $SERVER_IP 5000 "stamped both ways" 2>&1); local status=$?
  wait_bounded "$server" 60; local sstatus=$?
  cat "$LOGS/m2-server.out"
  [ "$status" -eq 0 ] && [ "$out" = "echo: stamped both ways" ] || { say "kernel client: $out"; return 1; }
  [ "$sstatus" -eq 0 ] || { say "server exit $sstatus"; return 1; }
  grep -q -- "-> SYN-ACK .*opts=\[MSS 1460,SACK_PERM,TS [0-9]*/[1-9][0-9]*,NOP,WS [0-9]*\]" "$LOGS/m2-server.out" || { say "our SYN-ACK: Linux's layout, echoing"; return 1; }
  check_timestamps "$LOGS/m2.pcap"
}

test_modern_no_timestamps() {
  netns_up || return 1
  start_bg "$LOGS/m3-kernel.out" in_server $RUN KernelPeer echo-server 5000
  wait_for_line "$LOGS/m3-kernel.out" "listening" || return 1
  in_client $RUN TcpClient $SERVER_IP --message "no stamps" --no-timestamps --verbose --pcap "$LOGS/m3.pcap" \
    >"$LOGS/m3-client.out" 2>&1; local status=$?
  cat "$LOGS/m3-client.out"
  [ "$status" -eq 0 ] || { say "client exit $status"; return 1; }
  local stamped
  stamped=$(tshark -r "$LOGS/m3.pcap" -Y tcp.options.timestamp.tsval 2>/dev/null | grep -c .)
  [ "$stamped" -eq 0 ] || { say "$stamped packets carry timestamps"; return 1; }
  say "no packet carries timestamps, either way"
}

# Keep-alive against the kernel: our client, --keepalive 2,1,3, idles after its echo; the kernel
# answers the probes; then an nftables rule in the server's namespace makes the kernel vanish, and
# our client must end with the one-line reason and a non-zero exit.
test_modern_keepalive_peer_vanishes() {
  netns_up || return 1
  start_bg "$LOGS/m4-kernel.out" in_server $RUN KernelPeer echo-server 5000
  wait_for_line "$LOGS/m4-kernel.out" "listening" || return 1
  start_bg "$LOGS/m4-client.out" in_client $RUN TcpClient $SERVER_IP --message "still there?" --no-close \
    --keepalive 2,1,3 --verbose --pcap "$LOGS/m4.pcap"
  local client=$LAST_PID
  wait_for_line "$LOGS/m4-client.out" 'Received 12 bytes' || return 1
  wait_for_line "$LOGS/m4-client.out" 'Sending keep-alive probe' || return 1
  sleep 1.5  # the kernel answers the first probe
  in_server nft add table inet tbh_vanish && in_server nft add chain inet tbh_vanish in '{ type filter hook input priority 0; }' \
    && in_server nft add rule inet tbh_vanish in tcp dport 5000 drop || return 1
  wait_bounded "$client" 30; local status=$?
  in_server nft delete table inet tbh_vanish
  cat "$LOGS/m4-client.out"
  [ "$status" -ne 0 ] || { say "the client should exit non-zero"; return 1; }
  grep -q "Connection given up: keep-alive: peer did not answer 3 probes" "$LOGS/m4-client.out" || { say "no one-line reason"; return 1; }
  local probes answered
  probes=$(grep -c "Sending keep-alive probe" "$LOGS/m4-client.out")
  answered=$(tshark -r "$LOGS/m4.pcap" -Y "ip.src==$SERVER_IP && tcp.analysis.keep_alive_ack" 2>/dev/null | grep -c .)
  say "probes sent: $probes; kernel answers tshark calls keep-alive ACKs: $answered"
  [ "$probes" -ge 4 ] && [ "$answered" -ge 1 ] || return 1
  local kinds; kinds=$(tshark -r "$LOGS/m4.pcap" -Y "ip.src==$CLIENT_IP && tcp.analysis.keep_alive" 2>/dev/null | grep -c .)
  say "tshark recognises $kinds of our probes as keep-alives"
  [ "$kinds" -ge 4 ] || return 1
}

# SYN cookies (RFC 4987): our server with a backlog of 4; 20 SYNs nobody completes fill it (the
# flooding host's kernel is kept from resetting them); then a kernel client and our client connect:
# each gets a cookie SYN-ACK, and the connection is made from its ACK (MSS, window scale and SACK
# from the cookie, as Linux encodes them); both echo.
test_modern_syn_cookies() {
  netns_up || return 1
  in_client nft add table inet quiet && in_client nft add chain inet quiet out '{ type filter hook output priority 0; }' \
    && in_client nft add rule inet quiet out 'tcp flags & rst == rst' meta mark != 0x5254 drop || return 1
  start_bg "$LOGS/m5-server.out" in_server $RUN TcpServer --backlog 4 --verbose --pcap "$LOGS/m5.pcap"
  local server=$LAST_PID
  wait_for_line "$LOGS/m5-server.out" "Listening on" || return 1
  in_client $RUN Injector synflood 20 $CLIENT_IP $SERVER_IP 5000 7 >"$LOGS/m5-flood.out" 2>&1 || { cat "$LOGS/m5-flood.out"; return 1; }
  local out; out=$(in_client $RUN KernelPeer client $SERVER_IP 5000 "cookie for the kernel" 2>&1); local kstatus=$?
  in_client $RUN TcpClient $SERVER_IP --message "cookie for us" >"$LOGS/m5-client.out" 2>&1; local status=$?
  kill "$server" 2>/dev/null; wait_bounded "$server" 20
  grep -v "^\[Server\] \(->\|<-\) SYN \|Retransmitting SYN-ACK\|State \|Received SYN, sending SYN-ACK\|Connection closed\|No answer" "$LOGS/m5-server.out" | head -60
  cat "$LOGS/m5-client.out"
  say "kernel client: $out"
  [ "$kstatus" -eq 0 ] && [ "$out" = "echo: cookie for the kernel" ] || { say "the kernel client was not served"; return 1; }
  [ "$status" -eq 0 ] || { say "our client was not served"; return 1; }
  local cookies made
  cookies=$(grep -c "backlog of 4 full, answering with a SYN cookie" "$LOGS/m5-server.out")
  made=$(grep -c "brings back a valid SYN cookie" "$LOGS/m5-server.out")
  say "SYN-ACKs with a cookie: $cookies; connections made from a cookie: $made"
  [ "$cookies" -ge 16 ] && [ "$made" -eq 2 ] || return 1
  ! grep -q "dropping the oldest" "$LOGS/m5-server.out" || { say "a half-open connection was recycled"; return 1; }
}

# The kernel with timestamps off (net.ipv4.tcp_timestamps=0 in its namespace): our client offers
# them, the kernel's SYN-ACK has none, and nothing after the SYN carries them.
test_modern_kernel_without_timestamps() {
  netns_up || return 1
  in_server sysctl -q -w net.ipv4.tcp_timestamps=0 || return 1
  start_bg "$LOGS/m6-kernel.out" in_server $RUN KernelPeer echo-server 5000
  wait_for_line "$LOGS/m6-kernel.out" "listening" || return 1
  in_client $RUN TcpClient $SERVER_IP --message "kernel says no" --verbose --pcap "$LOGS/m6.pcap" >"$LOGS/m6-client.out" 2>&1; local status=$?
  cat "$LOGS/m6-client.out"
  [ "$status" -eq 0 ] || { say "client exit $status"; return 1; }
  grep -q -- "-> SYN .*TS [0-9]*/0" "$LOGS/m6-client.out" || { say "our SYN should offer timestamps"; return 1; }
  local stamped
  stamped=$(tshark -r "$LOGS/m6.pcap" -Y "tcp.options.timestamp.tsval && !(tcp.flags.syn==1 && tcp.flags.ack==0)" 2>/dev/null | grep -c .)
  [ "$stamped" -eq 0 ] || { say "$stamped packets after our SYN carry timestamps"; return 1; }
  say "our SYN offered timestamps, the kernel declined, no other packet carries them"
}

run_modern_tests() {
  run_test "modern: timestamps, our client to a kernel server: Linux's SYN layout, TSval/TSecr on every segment, echoes right" test_modern_timestamps_our_client_kernel_server
  run_test "modern: timestamps, kernel client to our server: our SYN-ACK echoes, every segment stamped" test_modern_timestamps_kernel_client_our_server
  run_test "modern: --no-timestamps: the kernel's SYN-ACK has none, no segment carries them" test_modern_no_timestamps
  run_test "modern: a kernel with timestamps off declines ours; no segment after our SYN carries them" test_modern_kernel_without_timestamps
  run_test "modern: keep-alive: the kernel answers our probes; when it vanishes the client ends with the reason, exit non-zero" test_modern_keepalive_peer_vanishes
  run_test "modern: SYN cookies: a full backlog answers with cookies; a kernel client and ours are made from their ACKs and echo" test_modern_syn_cookies
}
