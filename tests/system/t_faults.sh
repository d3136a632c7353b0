# Faults on purpose (issue: see TCP): each fault option of the programs (--drop-sent,
# --drop-received, --loss-sent, --loss-received, --seed, --delay, --duplicate, --reorder) does what
# it says and no more, shown by the logs and by the captures of both ends; and the demo draws its
# whole exchange as a ladder (./demo.sh --ladder). Everything runs in a namespace with only "lo"
# (lo_ns_up and in_lo, from t_loopback.sh): the client is 127.0.0.1:PORT, the server 127.0.0.1:5000;
# --reorder runs between two namespaces (netns_up), where segments are small and many.
#
# On loopback, our client's packet socket also reads its own packets, but the stack counts a
# received packet only when it is addressed to one of our ports: --drop-received 1 on the client
# is the server's SYN-ACK.

# fault_run NAME "SERVER OPTIONS" CLIENT OPTIONS...: TcpServer --count 1 and TcpClient 127.0.0.1
# with their options, both with --pcap; the logs are $LOGS/NAME-{server,client}.out, the captures
# $LOGS/NAME-{server,client}.pcap. Sets CLIENT_STATUS and SERVER_STATUS; prints both logs.
fault_run() {
  local name=$1 server_options=$2; shift 2
  rm -f "$LOGS/$name-server.pcap" "$LOGS/$name-client.pcap"
  start_bg "$LOGS/$name-server.out" in_lo $RUN TcpServer --count 1 --pcap "$LOGS/$name-server.pcap" $server_options
  local server=$LAST_PID
  wait_for_line "$LOGS/$name-server.out" "Listening on" || return 1
  in_lo $RUN TcpClient 127.0.0.1 --pcap "$LOGS/$name-client.pcap" "$@" >"$LOGS/$name-client.out" 2>&1
  CLIENT_STATUS=$?
  wait_bounded "$server" 30
  SERVER_STATUS=$?
  say "== $name: client $* (exit $CLIENT_STATUS)"; cat "$LOGS/$name-client.out"
  say "== $name: server $server_options (exit $SERVER_STATUS)"; cat "$LOGS/$name-server.out"
}

# count FILE PATTERN: the number of lines of FILE that contain PATTERN (a fixed string).
count() { grep -cF -- "$2" "$1"; }

# expect_count FILE PATTERN N: exactly N such lines, or say how many there were.
expect_count() {
  local n; n=$(count "$1" "$2")
  [ "$n" -eq "$3" ] && return 0
  say "expected $3 line(s) with '$2' in $1, found $n"; return 1
}

# packets PCAP FILTER [FIELDS...]: tshark's view of a capture, one line per packet.
packets() {
  local pcap=$1 filter=$2 fields=() f; shift 2
  for f in "${@:-frame.number}"; do fields+=(-e "$f"); done
  tshark -r "$pcap" -Y "$filter" -T fields "${fields[@]}" 2>/dev/null
}

# echo_ok NAME: the client got its --message back and both programs ended with 0.
echo_ok() {
  [ "$CLIENT_STATUS" -eq 0 ] || { say "the client exited with $CLIENT_STATUS"; return 1; }
  [ "$SERVER_STATUS" -eq 0 ] || { say "the server exited with $SERVER_STATUS"; return 1; }
  grep -q '^\[Client\] Received 14 bytes: "faults, please"$' "$LOGS/$1-client.out" || { say "no echo"; return 1; }
}

MESSAGE=(--message "faults, please")
FROM_CLIENT='tcp.dstport == 5000'
FROM_SERVER='tcp.srcport == 5000'
SYN_ONLY='tcp.flags.syn == 1 && tcp.flags.ack == 0'
SYN_ACK='tcp.flags.syn == 1 && tcp.flags.ack == 1'

test_drop_sent_first_syn() {
  lo_ns_up || return 1
  fault_run fd1 "" "${MESSAGE[@]}" --drop-sent 1 --rto-initial 200 --verbose || return 1
  local log=$LOGS/fd1-client.out
  echo_ok fd1 || return 1
  grep -q '^\[Client\] Dropping our SYN-ECE-CWR (--drop-sent 1)$' "$log" || { say "no line says the SYN was dropped"; return 1; }
  expect_count "$log" "Dropping" 1 || return 1
  expect_count "$log" "Retransmitting SYN (try 2" 1 || return 1
  expect_count "$log" "Retransmitting" 1 || return 1
  # the stack built two SYNs (the first ECN-setup, RFC 3168; the second without ECE and CWR, as
  # Linux falls back), and the wire saw only the second: the server received one
  expect_count "$log" "-> SYN-ECE-CWR " 1 || return 1
  expect_count "$log" "-> SYN " 1 || return 1
  local syns; syns=$(packets "$LOGS/fd1-server.pcap" "$SYN_ONLY" | wc -l)
  [ "$syns" -eq 1 ] || { say "the server's capture has $syns SYNs, expected 1"; return 1; }
  say "one SYN dropped, sent again once, and the echo came back"
}

test_drop_received_syn_ack() {
  lo_ns_up || return 1
  fault_run fd2 "--rto-initial 200" "${MESSAGE[@]}" --drop-received 1 --rto-initial 200 --verbose || return 1
  local log=$LOGS/fd2-client.out
  echo_ok fd2 || return 1
  grep -q '^\[Client\] Dropping the received SYN-ACK-ECE (--drop-received 1)$' "$log" || { say "no line says the SYN-ACK was dropped"; return 1; }
  expect_count "$log" "Dropping" 1 || return 1
  # the client's capture is written as packets arrive, before the fault: it holds the dropped
  # SYN-ACK and the one that came again; the state machine saw only the second
  local seen; seen=$(packets "$LOGS/fd2-client.pcap" "$SYN_ACK" | wc -l)
  [ "$seen" -ge 2 ] || { say "the client's capture has $seen SYN-ACKs, expected at least 2"; return 1; }
  expect_count "$log" "<- SYN-ACK-ECE " $((seen - 1)) || return 1  # ECE: our server takes ECN (RFC 3168)
  expect_count "$log" "Received SYN-ACK, sending ACK" 1 || return 1
  say "the first SYN-ACK was ignored ($seen arrived), the handshake completed with the next"
}

# drops_with_seed NAME SEED: the numbers of the packets that --loss-sent 30 dropped, on one line
# ("2 4 6 7"), then how many packets the stack built. Packets are numbered as the injector counts
# them: every packet built (verbose "->"), from 1. Which packets come in which order depends on
# timing (a retransmission, say), but the n-th packet's fate depends on the seed alone.
drops_with_seed() {
  local name=$1 seed=$2
  fault_run "$name" "--rto-initial 200" "${MESSAGE[@]}" --loss-sent 30 --seed "$seed" --rto-initial 200 \
      --verbose >/dev/null || return 1
  echo_ok "$name" || return 1
  awk '/\] -> / { n++ } /\] Dropping our / { printf "%s%d", (d++ ? " " : ""), n } END { printf "\n%d\n", n }' \
      "$LOGS/$name-client.out"
}

# first N WORDS...: the numbers among WORDS that are at most N, on one line.
first() { local n=$1 w out=""; shift; for w in "$@"; do [ "$w" -le "$n" ] && out="$out $w"; done; printf '%s\n' "${out# }"; }

test_loss_sent_same_seed_same_drops() {
  lo_ns_up || return 1
  local a b c
  a=$(drops_with_seed fl1 7) || { cat "$LOGS/fl1-client.out"; return 1; }
  b=$(drops_with_seed fl2 7) || { cat "$LOGS/fl2-client.out"; return 1; }
  c=$(drops_with_seed fl3 11) || { cat "$LOGS/fl3-client.out"; return 1; }
  local drops_a drops_b drops_c built_a built_b built_c
  drops_a=$(printf '%s\n' "$a" | sed -n 1p); built_a=$(printf '%s\n' "$a" | sed -n 2p)
  drops_b=$(printf '%s\n' "$b" | sed -n 1p); built_b=$(printf '%s\n' "$b" | sed -n 2p)
  drops_c=$(printf '%s\n' "$c" | sed -n 1p); built_c=$(printf '%s\n' "$c" | sed -n 2p)
  say "--seed 7: dropped packets $drops_a of $built_a; again: $drops_b of $built_b"
  say "--seed 11: dropped packets $drops_c of $built_c"
  grep -F "Dropping our" "$LOGS/fl1-client.out"
  [ -n "$drops_a" ] || { say "--loss-sent 30 dropped nothing"; return 1; }
  # compared over the packets both runs built
  local n=$((built_a < built_b ? built_a : built_b))
  [ "$(first $n $drops_a)" = "$(first $n $drops_b)" ] || { say "the same seed dropped other packets"; return 1; }
  n=$((built_a < built_c ? built_a : built_c))
  [ "$(first $n $drops_a)" != "$(first $n $drops_c)" ] || { say "another seed dropped the same packets"; return 1; }
  # what was dropped never reached the wire: the stack built what the capture shows plus what
  # was dropped, and the server received what the capture shows
  local dropped sent received
  dropped=$(count "$LOGS/fl1-client.out" "Dropping our")
  sent=$(packets "$LOGS/fl1-client.pcap" "$FROM_CLIENT" | wc -l)
  received=$(packets "$LOGS/fl1-server.pcap" "$FROM_CLIENT" | wc -l)
  say "built $built_a, dropped $dropped, sent $sent, received by the server $received"
  [ "$built_a" -eq $((sent + dropped)) ] || { say "built != sent + dropped"; return 1; }
  [ "$received" -eq "$sent" ] || { say "the server did not receive what was sent"; return 1; }
}

test_loss_received() {
  lo_ns_up || return 1
  fault_run flr "--rto-initial 200" "${MESSAGE[@]}" --loss-received 30 --seed 3 --rto-initial 200 --verbose || return 1
  local log=$LOGS/flr-client.out
  echo_ok flr || return 1
  local dropped arrived processed
  dropped=$(count "$log" "(--loss-received 30%)")
  arrived=$(packets "$LOGS/flr-client.pcap" "$FROM_SERVER" | wc -l)
  processed=$(count "$log" "] <- ")
  say "arrived $arrived, dropped $dropped, processed $processed"
  [ "$dropped" -ge 1 ] || { say "--loss-received 30 dropped nothing"; return 1; }
  [ "$processed" -eq $((arrived - dropped)) ] || { say "processed != arrived - dropped"; return 1; }
}

test_delay_lengthens_the_round_trip() {
  lo_ns_up || return 1
  # the client's ACK of the SYN-ACK leaves 200 ms late: the server's round trip is that long
  fault_run fdl "--rto-initial 3000" "${MESSAGE[@]}" --delay 200 || return 1
  echo_ok fdl || return 1
  grep -q '^\[Client\] Delaying our SYN-ECE-CWR by 200 ms (--delay 200)$' "$LOGS/fdl-client.out" || { say "no delay line"; return 1; }
  local times rtt
  times=$(packets "$LOGS/fdl-server.pcap" "tcp.flags.syn == 1 || (tcp.flags.ack == 1 && tcp.len == 0 && $FROM_CLIENT)" \
      frame.time_epoch tcp.flags.str | head -n 3)
  say "$times"
  rtt=$(printf '%s\n' "$times" | awk 'NR == 2 { t = $1 } NR == 3 { printf "%d", ($1 - t) * 1000 }')
  say "the server's handshake round trip (SYN-ACK out, ACK in): $rtt ms"
  [ -n "$rtt" ] && [ "$rtt" -ge 200 ] && [ "$rtt" -lt 1000 ] || { say "expected 200 ms to 1 s"; return 1; }
  # and our own capture shows the packets as they left: the ACK 200 ms after the SYN-ACK came
  rtt=$(packets "$LOGS/fdl-client.pcap" "($SYN_ACK) || (tcp.flags.ack == 1 && tcp.len == 0 && $FROM_CLIENT)" \
      frame.time_epoch | head -n 2 | awk 'NR == 1 { t = $1 } NR == 2 { printf "%d", ($1 - t) * 1000 }')
  say "in the client's capture, SYN-ACK in to ACK out: $rtt ms"
  [ -n "$rtt" ] && [ "$rtt" -ge 200 ] || { say "expected at least 200 ms"; return 1; }
}

test_duplicate_everything() {
  lo_ns_up || return 1
  fault_run fdu "" "${MESSAGE[@]}" --duplicate 100 || return 1
  echo_ok fdu || return 1
  grep -q '^\[Client\] Duplicating our SYN-ECE-CWR (--duplicate 100%)$' "$LOGS/fdu-client.out" || { say "no duplicate line"; return 1; }
  grep -q '^\[Server\] Received duplicate SYN' "$LOGS/fdu-server.out" || { say "the server saw no duplicate SYN"; return 1; }
  grep -q '^\[Server\] Received duplicate data (14 bytes)' "$LOGS/fdu-server.out" || { say "the server saw no duplicate data"; return 1; }
  # every packet of the client reached the server twice, the same IP identification both times
  # (the server may have exited before the copy of the very last one)
  local ids; ids=$(packets "$LOGS/fdu-server.pcap" "$FROM_CLIENT" ip.id)
  say "IP identifications of the client's packets, as the server received them:"; say "$ids"
  printf '%s\n' "$ids" | uniq -c | sed '$d' | awk '$1 != 2 { bad = 1 } END { exit bad }' || {
    say "a packet of the client did not arrive exactly twice"; return 1; }
  [ "$(printf '%s\n' "$ids" | uniq | wc -l)" -ge 5 ] || { say "too few packets"; return 1; }
}

# Between two namespaces (MSS 1460, so 300 kB are some 200 segments to reorder).
test_reorder_data_still_intact() {
  netns_up || return 1
  mkdir -p "$BUILD" && head -c 300000 /dev/urandom >"$BUILD/faults-reorder.bin"
  start_bg "$LOGS/fro-server.out" in_server $RUN TcpServer --count 1 --pcap "$LOGS/fro-server.pcap"
  local server=$LAST_PID
  wait_for_line "$LOGS/fro-server.out" "Listening on" || return 1
  in_client $RUN TcpClient "$SERVER_IP" --stdio --reorder 20 --seed 5 <"$BUILD/faults-reorder.bin" \
      >"$BUILD/faults-reorder.out" 2>"$LOGS/fro-client.err" || { say "client failed"; cat "$LOGS/fro-client.err"; return 1; }
  wait_bounded "$server" 30 || return 1
  tail -n 5 "$LOGS/fro-client.err"
  cmp "$BUILD/faults-reorder.bin" "$BUILD/faults-reorder.out" || { say "the echo differs from what was sent"; return 1; }
  local held; held=$(count "$LOGS/fro-client.err" "Holding back our")
  [ "$held" -ge 1 ] || { say "--reorder 20 held nothing back"; return 1; }
  # the server received data segments below the highest sequence number it had already seen
  local late
  late=$(packets "$LOGS/fro-server.pcap" "$FROM_CLIENT && tcp.len > 0" tcp.seq tcp.len \
      | awk '{ if (seen && $1 < highest) late++; if ($1 + $2 > highest) highest = $1 + $2; seen = 1 } END { print late + 0 }')
  say "300000 bytes echoed intact; $held packets held back; $late data segments arrived after later ones"
  [ "$late" -ge 5 ] || { say "too little arrived out of order"; return 1; }
}

# ./demo.sh --ladder, as a user runs it (./jbang), in the loopback namespace: the demo's logs,
# then the ladder of the client's capture.
test_demo_ladder() {
  lo_ns_up || return 1
  in_lo ./demo.sh --ladder >"$LOGS/demo-ladder.out" 2>&1
  local status=$?
  cat "$LOGS/demo-ladder.out"
  [ "$status" -eq 0 ] || { say "demo.sh exited with $status"; return 1; }
  local ladder; ladder=$(sed -n '/^Connection 1 of 1: 127\.0\.0\.1:[0-9]* <-> 127\.0\.0\.1:5000, /,$p' "$LOGS/demo-ladder.out")
  [ -n "$ladder" ] || { say "no ladder of one connection from the client to 127.0.0.1:5000"; return 1; }
  check_handshake "$ladder" || return 1
  local arrows; arrows=$(printf '%s\n' "$ladder" | grep -E '^ +[0-9]+\.[0-9]{3}  \|')
  printf '%s\n' "$arrows" | grep -qE '\|-+ PSH-ACK seq=1 ack=1 len=11 .*->\|$' || { say "no 11 bytes from the client"; return 1; }
  printf '%s\n' "$arrows" | grep -qE '\|<-+ PSH-ACK seq=1 ack=12 len=11 .*-\|$' || { say "no 11 bytes back"; return 1; }
  printf '%s\n' "$arrows" | grep -qE '\|-+ FIN-ACK .*->\|$' || { say "no FIN from the client"; return 1; }
  printf '%s\n' "$arrows" | grep -qE '\|<-+ FIN-ACK .*-\|$' || { say "no FIN from the server"; return 1; }
  printf '%s\n' "$arrows" | tail -n 1 | grep -qE '\|-+ ACK seq=13 ack=13 len=0 .*->\|$' || { say "the last arrow is not the client's ACK of the FIN"; return 1; }
  ! grep -q -- '--ladder' "$LOGS/demo-ladder.out" || { say "--ladder reached a program"; return 1; }
  say "the demo's ladder: SYN, SYN-ACK, ACK, the data both ways, both FINs, the last ACK"
}

# --ladder: both programs draw each packet as it goes; the client's arrows are the ones Ladder
# draws from the client's own capture, after the log's "[Client] ".
test_live_ladder() {
  lo_ns_up || return 1
  fault_run fll "--ladder" "${MESSAGE[@]}" --ladder || return 1
  echo_ok fll || return 1
  local live drawn
  live=$(grep -E '^\[Client\] +[0-9]+\.[0-9]{3}  \|' "$LOGS/fll-client.out" | sed 's/^\[Client\] //')
  drawn=$($RUN Ladder "$LOGS/fll-client.pcap" | grep -E '^ +[0-9]+\.[0-9]{3}  \|')
  [ -n "$live" ] || { say "no arrows in the client's log"; return 1; }
  grep -qE '^\[Client\] +time ms  127\.0\.0\.1:[0-9]+ +127\.0\.0\.1:5000$' "$LOGS/fll-client.out" || { say "no header line"; return 1; }
  grep -qE '^\[Server\] +time ms  127\.0\.0\.1:5000 +127\.0\.0\.1:[0-9]+$' "$LOGS/fll-server.out" || { say "no server header"; return 1; }
  # the same arrows (labels and directions; the times differ by how long writing the capture took)
  local strip='s/^ *[0-9]+\.[0-9]{3}  //; s/-+/-/g'
  diff <(printf '%s\n' "$live" | sed -E "$strip") <(printf '%s\n' "$drawn" | sed -E "$strip") || {
    say "the live arrows differ from Ladder's arrows of the client's capture"; return 1; }
  [ "$(printf '%s\n' "$live" | awk 'length("[Client] " $0) > 100' | wc -l)" -eq 0 ] || { say "a line is too wide"; return 1; }
  say "the live ladder has the arrows of the capture: $(printf '%s\n' "$live" | wc -l) of them"
}

run_fault_tests() {
  run_test "faults: --drop-sent 1 drops the client's SYN; it is sent again once and the echo completes" test_drop_sent_first_syn
  run_test "faults: --drop-received 1 ignores the server's SYN-ACK; the next one completes the handshake" test_drop_received_syn_ack
  run_test "faults: --loss-sent 30 with one seed drops the same packets twice, another seed others" test_loss_sent_same_seed_same_drops
  run_test "faults: --loss-received 30 keeps from the state machine exactly the packets it reports" test_loss_received
  run_test "faults: --delay 200 makes the handshake's round trip at least 200 ms" test_delay_lengthens_the_round_trip
  run_test "faults: --duplicate 100 sends every packet twice; the server sees the duplicates" test_duplicate_everything
  run_test "faults: --reorder 20 makes data arrive out of order, and 300 kB still come back intact" test_reorder_data_still_intact
  run_test "faults: --ladder draws each packet as it goes, the same arrows as Ladder draws from the capture" test_live_ladder
  run_test "faults: ./demo.sh --ladder draws the demo's exchange: handshake, data, both FINs" test_demo_ladder
}
