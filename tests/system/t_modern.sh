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
  start_bg "$LOGS/m1-sink.out" in_server python3 tests/system/kernel_stream.py sink 5000
  wait_for_line "$LOGS/m1-sink.out" "listening" || return 1
  in_client $RUN TcpClient $SERVER_IP --send-bytes 3000000 --verbose --pcap "$LOGS/m1-client.pcap" >"$LOGS/m1-client.out" 2>&1
  local status=$?
  wait_bounded "$LAST_PID" 30
  grep -v "^\[Client\] \(->\|<-\)" "$LOGS/m1-client.out" | tail -n 20; cat "$LOGS/m1-sink.out"
  [ "$status" -eq 0 ] || { say "client exit $status"; return 1; }
  grep -q "^3000000 " "$LOGS/m1-sink.out" || { say "the sink did not get 3000000 bytes"; return 1; }
  local p=$LOGS/m1-client.pcap syn synack ect ece cwr reductions
  syn=$(tcount "$p" "ip.src==$CLIENT_IP && tcp.flags.syn==1 && tcp.flags.ece==1 && tcp.flags.cwr==1")
  synack=$(tcount "$p" "ip.src==$SERVER_IP && tcp.flags.syn==1 && tcp.flags.ece==1 && tcp.flags.cwr==0")
  ect=$(tcount "$p" "ip.src==$CLIENT_IP && tcp.len>0 && ip.dsfield.ecn==2")
  ece=$(tcount "$p" "ip.src==$SERVER_IP && tcp.flags.syn==0 && tcp.flags.ece==1")
  cwr=$(tcount "$p" "ip.src==$CLIENT_IP && tcp.flags.syn==0 && tcp.flags.cwr==1")
  reductions=$(grep -c "ECN echo (ECE)" "$LOGS/m1-client.out")
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
  in_client ethtool -K "$CLIENT_DEV" tso off gso off >/dev/null 2>&1
  ce_marks client 5 postrouting || return 1
  head -c 3000000 /dev/urandom >"$LOGS/m2.data"
  start_bg "$LOGS/m2-server.out" in_server $RUN TcpServer --count 1 --discard --pcap "$LOGS/m2-server.pcap"
  local server=$LAST_PID
  wait_for_line "$LOGS/m2-server.out" "Listening on" || return 1
  local out; out=$(in_client python3 tests/system/kernel_stream.py send $SERVER_IP 5000 "$LOGS/m2.data" 2>&1); local status=$?
  wait_bounded "$server" 30
  tail -n 5 "$LOGS/m2-server.out"; say "kernel client: $out"
  [ "$status" -eq 0 ] || { say "kernel client exit $status"; return 1; }
  grep -q "received 3000000 bytes" "$LOGS/m2-server.out" || { say "our server did not get 3000000 bytes"; return 1; }
  local p=$LOGS/m2-server.pcap ce ece cwr after
  [ "$(tcount "$p" "ip.src==$SERVER_IP && tcp.flags.syn==1 && tcp.flags.ece==1 && tcp.flags.cwr==0")" -eq 1 ] || { say "no ECN-setup SYN-ACK"; return 1; }
  ce=$(tcount "$p" "ip.src==$CLIENT_IP && ip.dsfield.ecn==3")
  ece=$(tcount "$p" "ip.src==$SERVER_IP && tcp.flags.syn==0 && tcp.flags.ece==1")
  cwr=$(tcount "$p" "ip.src==$CLIENT_IP && tcp.flags.syn==0 && tcp.flags.cwr==1")
  say "kernel data CE on arrival: $ce, our ACKs with ECE: $ece, kernel CWR: $cwr, CE marks made: $(ce_count client)"
  [ "$ce" -gt 0 ] && [ "$ece" -gt 0 ] && [ "$cwr" -gt 0 ] || { say "the CE marks were not echoed, or the kernel never answered with CWR"; return 1; }
  # RFC 3168 6.1.3, in the order of the capture: ECE only between a CE and the next CWR, and every
  # CE is echoed. (A CWR packet that itself came CE starts a new echo: CWR is taken first.)
  after=$(tshark -r "$p" -Y "(ip.src==$CLIENT_IP && (tcp.flags.cwr==1 || ip.dsfield.ecn==3)) || (ip.src==$SERVER_IP && tcp.flags.syn==0 && tcp.flags.ece==1)" \
      -T fields -e frame.number -e ip.src -e tcp.flags.cwr -e ip.dsfield.ecn -e tcp.flags.ece 2>/dev/null | awk -v us=$SERVER_IP '
    $2 != us { if ($3 == 1 || $3 == "True") { echo = 0; if (ce) unanswered++; ce = 0 } if ($4 == 3) { echo = 1; ce = 1 } next }
    { if (!echo) { print "ECE without a CE to echo: frame " $1; bad = 1 } ce = 0 }
    END { if (unanswered) print unanswered " CE mark(s) never echoed"; exit bad || unanswered }') \
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
    start_bg "$LOGS/m3-$run-sink.out" in_server python3 tests/system/kernel_stream.py sink 5000
    wait_for_line "$LOGS/m3-$run-sink.out" "listening" || return 1
    p=$LOGS/m3-$run.pcap
    in_client $RUN TcpClient $SERVER_IP --send-bytes 200000 --pcap "$p" $([ $run = no-ecn ] && echo --no-ecn) >"$LOGS/m3-$run.out" 2>&1 \
      || { cat "$LOGS/m3-$run.out"; return 1; }
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
  start_bg "$LOGS/m4-sink.out" in_server python3 tests/system/kernel_stream.py sink 5000
  wait_for_line "$LOGS/m4-sink.out" "listening" || return 1
  in_client $RUN TcpClient $SERVER_IP --send-bytes 1000000 --duplicate 5 --verbose --pcap "$LOGS/m4.pcap" >"$LOGS/m4.out" 2>&1 \
    || { tail -n 20 "$LOGS/m4.out"; return 1; }
  wait_bounded "$LAST_PID" 30
  local seen told
  seen=$(tcount "$LOGS/m4.pcap" "ip.src==$SERVER_IP && tcp.options.sack.dsack_le")
  told=$(grep -c "D-SACK \[" "$LOGS/m4.out")
  say "kernel ACKs with a D-SACK block: $seen; our log lines about a D-SACK: $told"
  grep "D-SACK \[" "$LOGS/m4.out" | head -n 3
  [ "$seen" -gt 0 ] && [ "$told" -gt 0 ] || return 1
  grep -q "undo" "$LOGS/m4.out" && { say "no retransmission was reported twice: nothing to undo"; return 1; }
  return 0
}

# Ours to ours with duplicates: our receiver sends D-SACK blocks that tshark reads as D-SACK, and
# 2% loss each way with each algorithm: the data arrives whole.
test_dsack_and_cc_ours_to_ours() {
  netns_up || return 1
  local cc
  for cc in cubic reno; do
    start_bg "$LOGS/m5-$cc-server.out" in_server $RUN TcpServer --count 1 --discard --cc $cc --pcap "$LOGS/m5-$cc-server.pcap" \
      --loss-sent 2 --rto-min 200
    local server=$LAST_PID
    wait_for_line "$LOGS/m5-$cc-server.out" "Listening on" || return 1
    in_client $RUN TcpClient $SERVER_IP --send-bytes 2000000 --cc $cc --duplicate 3 --loss-sent 2 --rto-min 200 >"$LOGS/m5-$cc-client.out" 2>&1 \
      || { tail -n 20 "$LOGS/m5-$cc-client.out"; return 1; }
    wait_bounded "$server" 30
    grep -q "received 2000000 bytes" "$LOGS/m5-$cc-server.out" || { tail -n 5 "$LOGS/m5-$cc-server.out"; return 1; }
    local d; d=$(tcount "$LOGS/m5-$cc-server.pcap" "ip.src==$SERVER_IP && tcp.options.sack.dsack_le")
    say "$cc: 2000000 bytes through 2% loss each way; our server's ACKs with a D-SACK block: $d"
    [ "$d" -gt 0 ] || return 1
  done
}

run_modern_tests() {
  run_test "modern: ECN, our client -> kernel server, 5% CE: ECE echoed, CWR once per reduction, data ECT(0)" test_ecn_our_client_kernel_server
  run_test "modern: ECN, kernel client (tcp_ecn=1) -> our server, 5% CE: we echo ECE until its CWR" test_ecn_kernel_client_our_server
  run_test "modern: ECN off on either side (--no-ecn, a kernel with tcp_ecn=0): no ECE/CWR answer, Not-ECT" test_ecn_off_either_side
  run_test "modern: the kernel's D-SACK for our duplicates is understood (--duplicate 5)" test_dsack_from_kernel
  run_test "modern: ours to ours, duplicates and 2% loss each way, cubic and reno: D-SACK sent, data whole" test_dsack_and_cc_ours_to_ours
}
