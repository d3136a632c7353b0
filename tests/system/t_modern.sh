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
  grep -qE -- "-> SYN(-ECE-CWR)? .*opts=\[MSS 1460,SACK_PERM,TS [0-9]*/0,NOP,WS [0-9]*\]" "$LOGS/m1-client.out" || { say "our SYN: Linux's layout"; return 1; }
  grep -qE -- "<- SYN-ACK(-ECE)? .*opts=\[MSS 1460,SACK_PERM,TS [0-9]*/[1-9][0-9]*,NOP,WS [0-9]*\]" "$LOGS/m1-client.out" || { say "the kernel's SYN-ACK echoes"; return 1; }
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
  kill $(process_tree "$server") 2>/dev/null; wait_bounded "$server" 20
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
  grep -qE -- "-> SYN(-ECE-CWR)? .*TS [0-9]*/0" "$LOGS/m6-client.out" || { say "our SYN should offer timestamps"; return 1; }
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
  run_modern_cc_tests
}

# A modern TCP against the kernel's (issue 19), between two namespaces: ECN (RFC 3168) negotiated
# both ways with CE marks made by nftables, and turned off on either side; D-SACK (RFC 2883) sent
# by the kernel for our duplicates and understood; CUBIC and Reno (--cc) through a lossy path.
# tshark reads every capture: ECE and CWR in the TCP header, the ECN field in the IP header.

# ce_marks SIDE PCT [HOOK]: on SIDE's host, PCT% of the ECN-capable packets get CE (a congested
# router, as nftables can be one: shared notes, "ECN marks on demand"); counted. HOOK prerouting
# (default) marks what arrives for the kernel; postrouting marks what the kernel sends, for our
# stack, whose packet socket sees packets before prerouting does.
ce_marks() {
  in_$1 nft add table inet tbh_ce \
    && in_$1 nft add chain inet tbh_ce marker "{ type filter hook ${3:-prerouting} priority -150; }" \
    && in_$1 nft add rule inet tbh_ce marker ip protocol tcp ip ecn ect0 numgen random mod 100 '<' "$2" counter ip ecn set ce
}
ce_count() { in_$1 nft list table inet tbh_ce 2>/dev/null | sed -n 's/.*counter packets \([0-9]*\).*/\1/p'; }

# tcount PCAP FILTER: how many packets of the capture match.
tcount() { tshark -r "$1" -Y "$2" 2>/dev/null | grep -c .; }

# A bulk transfer from our client to a kernel sink; ECN asked for in our SYN, the kernel (its default
# net.ipv4.tcp_ecn=2) accepts; 5% of our data arrives CE. The kernel echoes ECE, we reduce and send
# CWR, our data is ECT(0), retransmissions and ACKs are not.
test_ecn_our_client_kernel_server() {
  netns_up || return 1
  ce_marks server 5 || return 1
  start_bg "$LOGS/cc1-sink.out" in_server python3 tests/system/kernel_stream.py sink 5000
  wait_for_line "$LOGS/cc1-sink.out" "listening" || return 1
  in_client $RUN TcpClient $SERVER_IP --send-bytes 3000000 --verbose --pcap "$LOGS/cc1-client.pcap" >"$LOGS/cc1-client.out" 2>&1
  local status=$?
  wait_bounded "$LAST_PID" 30
  grep -v "^\[Client\] \(->\|<-\)" "$LOGS/cc1-client.out" | tail -n 20; cat "$LOGS/cc1-sink.out"
  [ "$status" -eq 0 ] || { say "client exit $status"; return 1; }
  grep -q "^3000000 " "$LOGS/cc1-sink.out" || { say "the sink did not get 3000000 bytes"; return 1; }
  local p=$LOGS/cc1-client.pcap syn synack ect ece cwr reductions
  syn=$(tcount "$p" "ip.src==$CLIENT_IP && tcp.flags.syn==1 && tcp.flags.ece==1 && tcp.flags.cwr==1")
  synack=$(tcount "$p" "ip.src==$SERVER_IP && tcp.flags.syn==1 && tcp.flags.ece==1 && tcp.flags.cwr==0")
  ect=$(tcount "$p" "ip.src==$CLIENT_IP && tcp.len>0 && ip.dsfield.ecn==2")
  ece=$(tcount "$p" "ip.src==$SERVER_IP && tcp.flags.syn==0 && tcp.flags.ece==1")
  cwr=$(tcount "$p" "ip.src==$CLIENT_IP && tcp.flags.syn==0 && tcp.flags.cwr==1")
  reductions=$(grep -c "ECN echo (ECE)" "$LOGS/cc1-client.out")
  say "SYN ECE+CWR: $syn, SYN-ACK ECE: $synack, our data ECT(0): $ect, kernel ACKs with ECE: $ece, our CWR: $cwr,"
  say "our reductions for ECE: $reductions, CE marks made: $(ce_count server)"
  [ "$syn" -eq 1 ] && [ "$synack" -eq 1 ] || { say "ECN not negotiated in the handshake"; return 1; }
  [ "$ect" -gt 1000 ] || { say "our data should be ECT(0)"; return 1; }
  [ "$(tcount "$p" "ip.src==$CLIENT_IP && tcp.len==0 && ip.dsfield.ecn!=0")" -eq 0 ] || { say "a pure ACK or SYN was ECN-capable"; return 1; }
  [ "$ece" -gt 0 ] && [ "$cwr" -gt 0 ] && [ "$reductions" -gt 0 ] || { say "no ECE, CWR or reduction"; return 1; }
  [ "$cwr" -le "$reductions" ] || { say "more CWR segments ($cwr) than reductions ($reductions)"; return 1; }
}

# The kernel as the client (net.ipv4.tcp_ecn=1 in its namespace, so it asks), our server receiving;
# 5% of the kernel's data arrives CE: we echo ECE until its CWR, and say so.
test_ecn_kernel_client_our_server() {
  netns_up || return 1
  in_client sysctl -qw net.ipv4.tcp_ecn=1 || return 1
  # The kernel's segments one by one, as a wire carries them (not 64 KB super-segments): a mark is
  # then one segment's.
  kernel_sends_single_segments client "$CLIENT_DEV" || return 1
  ce_marks client 5 postrouting || return 1
  head -c 3000000 /dev/urandom >"$LOGS/cc2.data"
  start_bg "$LOGS/cc2-server.out" in_server $RUN TcpServer --count 1 --discard --pcap "$LOGS/cc2-server.pcap"
  local server=$LAST_PID
  wait_for_line "$LOGS/cc2-server.out" "Listening on" || return 1
  local out; out=$(in_client python3 tests/system/kernel_stream.py send $SERVER_IP 5000 "$LOGS/cc2.data" 2>&1); local status=$?
  wait_bounded "$server" 30
  tail -n 5 "$LOGS/cc2-server.out"; say "kernel client: $out"
  [ "$status" -eq 0 ] || { say "kernel client exit $status"; return 1; }
  grep -q "received 3000000 bytes" "$LOGS/cc2-server.out" || { say "our server did not get 3000000 bytes"; return 1; }
  local p=$LOGS/cc2-server.pcap ce ece cwr after
  [ "$(tcount "$p" "ip.src==$SERVER_IP && tcp.flags.syn==1 && tcp.flags.ece==1 && tcp.flags.cwr==0")" -eq 1 ] || { say "no ECN-setup SYN-ACK"; return 1; }
  ce=$(tcount "$p" "ip.src==$CLIENT_IP && ip.dsfield.ecn==3")
  ece=$(tcount "$p" "ip.src==$SERVER_IP && tcp.flags.syn==0 && tcp.flags.ece==1")
  cwr=$(tcount "$p" "ip.src==$CLIENT_IP && tcp.flags.syn==0 && tcp.flags.cwr==1")
  say "kernel data CE on arrival: $ce, our ACKs with ECE: $ece, kernel CWR: $cwr, CE marks made: $(ce_count client)"
  [ "$ce" -gt 0 ] && [ "$ece" -gt 0 ] && [ "$cwr" -gt 0 ] || { say "the CE marks were not echoed, or the kernel never answered with CWR"; return 1; }
  # RFC 3168 6.1.3, in the order of the capture: ECE only between a CE and the next CWR, and every
  # CE is echoed. (A CWR packet that itself came CE starts a new echo: CWR is taken first.) One batch
  # can hold a CE and then a CWR that answers an older echo, before any ACK could echo the new mark:
  # that CWR does not end the echo (Ecn.onArrival), the mark is echoed and the echo goes on to the
  # next CWR.
  after=$(tshark -r "$p" -Y "(ip.src==$CLIENT_IP && (tcp.flags.cwr==1 || ip.dsfield.ecn==3)) || (ip.src==$SERVER_IP && tcp.flags.syn==0 && tcp.flags.ece==1)" \
      -T fields -e frame.number -e ip.src -e tcp.flags.cwr -e ip.dsfield.ecn -e tcp.flags.ece 2>/dev/null | awk -v us=$SERVER_IP '
    $2 != us { if (($3 == 1 || $3 == "True") && !ce) echo = 0; if ($4 == 3) { echo = 1; ce = 1 } next }
    { if (!echo) { print "ECE without a CE to echo: frame " $1; bad = 1 } ce = 0 }
    END { if (ce) print "the last CE mark was never echoed"; exit bad || ce }') \
    || { say "$after"; return 1; }
  say "ECE only between a CE mark and the next CWR, every mark echoed"
}

# --no-ecn on our client: a plain SYN, Not-ECT data. A kernel server that does not negotiate
# (net.ipv4.tcp_ecn=0): our SYN asks, its SYN-ACK does not answer, our data goes Not-ECT.
test_ecn_off_either_side() {
  netns_up || return 1
  local run p
  for run in no-ecn kernel-off; do
    [ $run = kernel-off ] && { in_server sysctl -qw net.ipv4.tcp_ecn=0 || return 1; }
    start_bg "$LOGS/cc3-$run-sink.out" in_server python3 tests/system/kernel_stream.py sink 5000
    wait_for_line "$LOGS/cc3-$run-sink.out" "listening" || return 1
    p=$LOGS/cc3-$run.pcap
    in_client $RUN TcpClient $SERVER_IP --send-bytes 200000 --pcap "$p" $([ $run = no-ecn ] && echo --no-ecn) >"$LOGS/cc3-$run.out" 2>&1 \
      || { cat "$LOGS/cc3-$run.out"; return 1; }
    wait_bounded "$LAST_PID" 30
    say "$run: $(tshark -r "$p" -Y 'tcp.flags.syn==1' -T fields -e ip.src -e tcp.flags.str 2>/dev/null | paste -sd' ')"
    if [ $run = no-ecn ]; then
      [ "$(tcount "$p" "tcp.flags.ece==1 || tcp.flags.cwr==1")" -eq 0 ] || { say "ECE or CWR with --no-ecn"; return 1; }
    else
      [ "$(tcount "$p" "ip.src==$CLIENT_IP && tcp.flags.syn==1 && tcp.flags.ece==1 && tcp.flags.cwr==1")" -eq 1 ] || { say "our SYN should ask"; return 1; }
      [ "$(tcount "$p" "ip.src==$SERVER_IP && tcp.flags.ece==1")" -eq 0 ] || { say "the kernel answered ECN"; return 1; }
    fi
    [ "$(tcount "$p" "ip.dsfield.ecn!=0")" -eq 0 ] || { say "$run: ECN-capable packets on a connection without ECN"; return 1; }
  done
}

# The kernel reports our duplicates with D-SACK (RFC 2883), and we understand them: --duplicate 5
# sends 5% of our packets twice; the log names each D-SACK, tshark sees them.
test_dsack_from_kernel() {
  netns_up || return 1
  start_bg "$LOGS/cc4-sink.out" in_server python3 tests/system/kernel_stream.py sink 5000
  wait_for_line "$LOGS/cc4-sink.out" "listening" || return 1
  in_client $RUN TcpClient $SERVER_IP --send-bytes 1000000 --duplicate 5 --verbose --pcap "$LOGS/cc4.pcap" >"$LOGS/cc4.out" 2>&1 \
    || { tail -n 20 "$LOGS/cc4.out"; return 1; }
  wait_bounded "$LAST_PID" 30
  local seen told
  seen=$(tcount "$LOGS/cc4.pcap" "ip.src==$SERVER_IP && tcp.options.sack.dsack_le")
  told=$(grep -c "D-SACK \[" "$LOGS/cc4.out")
  say "kernel ACKs with a D-SACK block: $seen; our log lines about a D-SACK: $told"
  grep "D-SACK \[" "$LOGS/cc4.out" | head -n 3
  [ "$seen" -gt 0 ] && [ "$told" -gt 0 ] || return 1
  grep -q "undo" "$LOGS/cc4.out" && { say "no retransmission was reported twice: nothing to undo"; return 1; }
  return 0
}

# Ours to ours with duplicates: our receiver sends D-SACK blocks that tshark reads as D-SACK, and
# 2% loss each way with each algorithm: the data arrives whole.
test_dsack_and_cc_ours_to_ours() {
  netns_up || return 1
  local cc
  for cc in cubic reno; do
    start_bg "$LOGS/cc5-$cc-server.out" in_server $RUN TcpServer --count 1 --discard --cc $cc --pcap "$LOGS/cc5-$cc-server.pcap" \
      --loss-sent 2 --rto-min 200
    local server=$LAST_PID
    wait_for_line "$LOGS/cc5-$cc-server.out" "Listening on" || return 1
    in_client $RUN TcpClient $SERVER_IP --send-bytes 2000000 --cc $cc --duplicate 3 --loss-sent 2 --rto-min 200 >"$LOGS/cc5-$cc-client.out" 2>&1 \
      || { tail -n 20 "$LOGS/cc5-$cc-client.out"; return 1; }
    wait_bounded "$server" 30
    grep -q "received 2000000 bytes" "$LOGS/cc5-$cc-server.out" || { tail -n 5 "$LOGS/cc5-$cc-server.out"; return 1; }
    local d; d=$(tcount "$LOGS/cc5-$cc-server.pcap" "ip.src==$SERVER_IP && tcp.options.sack.dsack_le")
    say "$cc: 2000000 bytes through 2% loss each way; our server's ACKs with a D-SACK block: $d"
    [ "$d" -gt 0 ] || return 1
  done
}

run_modern_cc_tests() {
  run_test "modern: ECN, our client -> kernel server, 5% CE: ECE echoed, CWR once per reduction, data ECT(0)" test_ecn_our_client_kernel_server
  run_test "modern: ECN, kernel client (tcp_ecn=1) -> our server, 5% CE: we echo ECE until its CWR" test_ecn_kernel_client_our_server
  run_test "modern: ECN off on either side (--no-ecn, a kernel with tcp_ecn=0): no ECE/CWR answer, Not-ECT" test_ecn_off_either_side
  run_test "modern: the kernel's D-SACK for our duplicates is understood (--duplicate 5)" test_dsack_from_kernel
  run_test "modern: ours to ours, duplicates and 2% loss each way, cubic and reno: D-SACK sent, data whole" test_dsack_and_cc_ours_to_ours
}
