# Loopback tests: the programs as a user runs them on one host. Most run in a private network
# namespace that has only "lo", so nothing else on the machine (a real service on port 5000, other
# test runs) can interfere; one runs in the host's own namespace through ./jbang, as the README does.

NS_LO=""
lo_ns_up() {
  NS_LO=tbh-lo-$$
  ip netns add "$NS_LO" && ip -n "$NS_LO" link set lo up
}
in_lo() { ip netns exec "$NS_LO" "$@"; }

# Makes verbose logs comparable across runs: sequence numbers, checksums, ephemeral ports and
# process ids change every time.
normalise() {
  sed -E -e 's/(seq|ack)=[1-9][0-9]*/\1=N/g' -e 's/csum=0x[0-9a-f]{4}/csum=0xXXXX/g' \
         -e 's/TS [0-9]+\/[0-9]+/TS N\/N/g' -e 's/tcpbyhand_[0-9]+/tcpbyhand_PID/g' \
         -e 's/127\.0\.0\.1:5000([^0-9]|$)/@SERVER@\1/g' -e 's/127\.0\.0\.1:[0-9]+/127.0.0.1:PORT/g' \
         -e 's/@SERVER@/127.0.0.1:5000/g' -e '/off port 5000$/!s/off port [0-9]+$/off port PORT/'
}

# expect_same EXPECTED_FILE ACTUAL_FILE: a diff, shown when they differ.
expect_same() {
  if diff -u "$1" "$2"; then return 0; fi
  say "differs from $1 (above: - expected, + actual)"
  return 1
}

# ---------------------------------------------------------------- the README's way, host namespace

test_loopback_handshake_as_in_readme() {
  local port=5000
  [ -z "$(our_tables)" ] || { say "tables of ours exist before the test: $(our_tables)"; return 1; }
  start_bg "$LOGS/lo-server.out" ./jbang TcpServer.java --count 1
  local server=$LAST_PID
  wait_for_line "$LOGS/lo-server.out" "Listening on" 30 || return 1
  ./jbang TcpClient.java 127.0.0.1 >"$LOGS/lo-client.out" 2>&1 || { say "client failed"; cat "$LOGS/lo-client.out"; return 1; }
  wait_bounded "$server" 60 || { say "server exited with $?"; cat "$LOGS/lo-server.out"; return 1; }
  grep -v '^\[jbang\]' "$LOGS/lo-server.out" >"$LOGS/lo-server.log"
  grep -v '^\[jbang\]' "$LOGS/lo-client.out" >"$LOGS/lo-client.log"
  expect_same sample-logs/handshake-server.log "$LOGS/lo-server.log" || return 1
  expect_same sample-logs/handshake-client.log "$LOGS/lo-client.log" || return 1
  local left; left=$(our_tables)
  [ -z "$left" ] || { say "nft tables left behind: $left"; return 1; }
}

# ---------------------------------------------------------------- private loopback namespace

test_message_echo_verbose_logs() {
  lo_ns_up || return 1
  start_bg "$LOGS/msg-server.out" in_lo $RUN TcpServer --count 1 --verbose
  local server=$LAST_PID
  wait_for_line "$LOGS/msg-server.out" "Listening on" || return 1
  in_lo $RUN TcpClient 127.0.0.1 --message "hello, TCP" --verbose >"$LOGS/msg-client.out" 2>&1 || {
    cat "$LOGS/msg-client.out"; return 1; }
  wait_bounded "$server" 60 || { say "server exited with $?"; return 1; }
  normalise <"$LOGS/msg-server.out" >"$LOGS/msg-server.norm"
  normalise <"$LOGS/msg-client.out" >"$LOGS/msg-client.norm"
  expect_same sample-logs/message-verbose-server.log "$LOGS/msg-server.norm" || return 1
  expect_same sample-logs/message-verbose-client.log "$LOGS/msg-client.norm" || return 1
  [ -z "$(in_lo nft list tables)" ] || { say "tables left: $(in_lo nft list tables)"; return 1; }
}

test_refused_when_no_server() {
  lo_ns_up || return 1
  local out status
  out=$(in_lo $RUN TcpClient 127.0.0.1 --port 5999 2>&1); status=$?
  say "$out"
  [ "$status" -ne 0 ] || { say "exit status 0 for a refused connection"; return 1; }
  [ "$(printf '%s\n' "$out" | tail -n 1)" = "[Client] Error: connection refused by 127.0.0.1:5999 (it answered with RST)" ] || return 1
  ! printf '%s\n' "$out" | grep -q 'Exception'
}

# A firewall rule keeps the kernel from seeing (and refusing) our SYNs: nobody answers.
silence_port() { in_lo nft add table inet silence && in_lo nft add chain inet silence in '{ type filter hook input priority 0; }' \
  && in_lo nft add rule inet silence in tcp dport "$1" drop; }

test_no_answer_gives_up_after_timeout() {
  lo_ns_up && silence_port 5001 || return 1
  local out status start end
  start=$(date +%s%N)
  out=$(in_lo $RUN TcpClient 127.0.0.1 --port 5001 --timeout 1.5 --rto-initial 200 2>&1); status=$?
  end=$(date +%s%N)
  say "$out"; say "took $(( (end - start) / 1000000 )) ms"
  [ "$status" -eq 1 ] || { say "exit status $status, expected 1"; return 1; }
  [ "$(printf '%s\n' "$out" | tail -n 1)" = "[Client] No answer from 127.0.0.1:5001 within 1.5 s" ] || return 1
  printf '%s\n' "$out" | grep -qx '\[Client\] Retransmitting SYN (try 2, RTO 400 ms)' || return 1
  [ $(( (end - start) / 1000000 )) -lt 6000 ] || { say "gave up too late"; return 1; }
  [ -z "$(in_lo nft list tables | grep tcpbyhand)" ] || { say "table left behind"; return 1; }
}

test_no_answer_gives_up_after_retries() {
  lo_ns_up && silence_port 5001 || return 1
  local out status
  out=$(in_lo $RUN TcpClient 127.0.0.1 --port 5001 --retries 2 --syn-give-up 0 --rto-initial 100 --timeout 30 2>&1); status=$?
  say "$out"
  [ "$status" -eq 1 ] || return 1
  printf '%s\n' "$out" | grep -qx '\[Client\] Retransmitting SYN (try 3, RTO 400 ms)' || return 1
  [ "$(printf '%s\n' "$out" | tail -n 1)" = "[Client] No answer from 127.0.0.1:5001 after 3 tries" ]
}

# The product's jars and classes, copied where an unprivileged user can read them.
test_without_root_one_clear_line() {
  local dir; dir=$(mktemp -d /tmp/tbh-noroot.XXXXXX)
  cp -r "$CLASSES" "$dir/classes"
  local cp="$dir/classes" jar
  for jar in $(printf '%s' "$DEPS" | tr ':' ' '); do cp "$jar" "$dir/"; cp="$cp:$dir/$(basename "$jar")"; done
  chmod -R a+rX "$dir"
  local role out status
  for role in TcpClient TcpServer; do
    local args=""; [ "$role" = TcpClient ] && args=127.0.0.1
    out=$(cd "$dir" && HOME="$dir" setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
          java $JVM_OPTIONS -cp "$cp" "$role" $args 2>&1); status=$?
    say "$role as nobody -> exit $status: $out"
    [ "$status" -eq 1 ] || { rm -rf "$dir"; return 1; }
    [ "$(printf '%s\n' "$out" | wc -l)" -eq 1 ] || { rm -rf "$dir"; return 1; }
    printf '%s' "$out" | grep -q 'raw sockets need root or CAP_NET_RAW.*run with sudo' || { rm -rf "$dir"; return 1; }
  done
  rm -rf "$dir"
}

test_bad_arguments_print_usage_and_exit_2() {
  local out status
  for args in "" "127.0.0.1 --port abc" "127.0.0.1 --port 70000" "127.0.0.1 --frobnicate" "127.0.0.1 extra"; do
    out=$($RUN TcpClient $args 2>&1); status=$?
    say "TcpClient $args -> $status"
    [ "$status" -eq 2 ] && printf '%s' "$out" | grep -q '^Usage:' || { say "$out"; return 1; }
  done
  for args in "--port" "--count x" "--bind nowhere" "stray"; do
    out=$($RUN TcpServer $args 2>&1); status=$?
    say "TcpServer $args -> $status"
    [ "$status" -eq 2 ] && printf '%s' "$out" | grep -q '^Usage:' || { say "$out"; return 1; }
  done
  out=$($RUN TcpServer --help 2>&1); status=$?
  [ "$status" -eq 0 ] && printf '%s' "$out" | grep -q -- '--count N' || return 1
}

# --no-echo: the server acknowledges data and sends nothing back; a client waiting for a reply
# gives up after --timeout with its one line.
test_no_echo_acknowledges_without_reply() {
  lo_ns_up || return 1
  start_bg "$LOGS/noecho-server.out" in_lo $RUN TcpServer --no-echo --verbose
  wait_for_line "$LOGS/noecho-server.out" "Listening on" || return 1
  local out status
  out=$(in_lo $RUN TcpClient 127.0.0.1 --message "no answer, please" --timeout 1 --verbose 2>&1); status=$?
  say "$out"; cat "$LOGS/noecho-server.out"
  [ "$status" -eq 1 ] || return 1
  printf '%s\n' "$out" | grep -qx '\[Client\] No reply from 127.0.0.1:5000 within 1 s' || return 1
  # the data was acknowledged: the client saw an ACK covering its 17 bytes
  grep -q 'Received 17 bytes: "no answer, please"' "$LOGS/noecho-server.out" || return 1
  ! grep -q 'Sending 17 bytes' "$LOGS/noecho-server.out" || return 1
  printf '%s\n' "$out" | grep -q '<- ACK .* len=0 '
}

# Issue 9, bug 2: an internal error (here injected once the handshake completes) used to leave the
# client waiting forever. Now the program ends with one line and exit 1, and the peer gets a RST.
test_internal_error_ends_the_program() {
  lo_ns_up || return 1
  start_bg "$LOGS/bug-server.out" in_lo $RUN TcpServer --count 1
  wait_for_line "$LOGS/bug-server.out" "Listening on" || return 1
  start_bg "$LOGS/bug-client.out" in_lo $RUN TcpClient 127.0.0.1 --message hello --inject-internal-error
  wait_bounded "$LAST_PID" 20; local status=$?
  cat "$LOGS/bug-client.out"
  [ "$status" -eq 1 ] || { say "expected exit 1, got $status"; return 1; }
  [ "$(grep -c 'internal error' "$LOGS/bug-client.out")" -eq 1 ] || return 1
  grep -qx '\[Client\] Error: internal error: java.lang.IllegalStateException: injected by --inject-internal-error at .*' \
    "$LOGS/bug-client.out" || return 1
  ! grep -q '^\s*at \|Exception in thread' "$LOGS/bug-client.out" || return 1
  # the server's connection was reset by the client on its way out, and the server counted it
  wait_for_line "$LOGS/bug-server.out" "Connection reset by peer" 10
}

# A kernel program already listens on the port: we say so and stop, instead of fighting over it.
test_port_in_use_is_reported() {
  lo_ns_up || return 1
  start_bg "$LOGS/inuse-kernel.out" in_lo $RUN KernelPeer echo-server 5000
  wait_for_line "$LOGS/inuse-kernel.out" "listening" || return 1
  local out status
  out=$(in_lo $RUN TcpServer 2>&1); status=$?
  say "$out"
  [ "$status" -eq 1 ] && [ "$out" = "[Server] Error: port 5000 is already in use by another program on this host" ] || return 1
  [ -z "$(in_lo nft list tables | grep tcpbyhand)" ] || { say "table left"; return 1; }
}

# RFC 9293 3.10.7.2: "An acceptable reset segment should be formed for any arriving ACK-bearing
# segment. The RST should be formatted as follows: <SEQ=SEG.ACK><CTL=RST>"; a RST is ignored;
# a bad checksum is dropped and said so with --verbose.
test_unexpected_segments_to_listener() {
  lo_ns_up || return 1
  start_bg "$LOGS/unexp-server.out" in_lo $RUN TcpServer --verbose
  wait_for_line "$LOGS/unexp-server.out" "Listening on" || return 1
  local reply
  # our probe's port has no socket: keep the kernel's own RSTs for it out of the way
  in_lo nft add table inet probe && in_lo nft add chain inet probe out '{ type filter hook output priority 0; }' \
    && in_lo nft add rule inet probe out tcp sport 40001 'tcp flags & rst == rst' meta mark != 0x5254 drop || return 1
  reply=$(in_lo $RUN Injector probe 127.0.0.1 40001 127.0.0.1 5000 ACK 1000 12345); say "ACK -> $reply"
  [ "$reply" = "reply RST seq=12345 ack=0" ] || return 1
  reply=$(in_lo $RUN Injector probe 127.0.0.1 40001 127.0.0.1 5000 PSH,ACK 1000 777); say "data -> $reply"
  [ "$reply" = "reply RST seq=777 ack=0" ] || return 1
  reply=$(in_lo $RUN Injector probe 127.0.0.1 40001 127.0.0.1 5000 RST 1000 0); say "RST -> $reply"
  [ "$reply" = "no reply" ] || return 1
  reply=$(in_lo $RUN Injector probe 127.0.0.1 40001 127.0.0.1 5000 SYN,BADSUM 1000 0); say "SYN with a bad checksum -> $reply"
  [ "$reply" = "no reply" ] || return 1
  grep -q "Dropped packet from 127.0.0.1: bad TCP checksum" "$LOGS/unexp-server.out" || return 1
  reply=$(in_lo $RUN Injector probe 127.0.0.1 40001 127.0.0.1 5000 SYN 1000 0); say "SYN -> $reply"
  [[ "$reply" == "reply SYN-ACK seq="*" ack=1001" ]] || return 1
  kill -0 "$LAST_PID" || { say "server died"; return 1; }
  cat "$LOGS/unexp-server.out"
}

# The firewall table goes on every way out, including signals in the middle of a handshake;
# a table left by a killed process is removed by the next start.
test_signals_remove_firewall_rules() {
  lo_ns_up || return 1
  in_lo nft add table inet probe && in_lo nft add chain inet probe out '{ type filter hook output priority 0; }' \
    && in_lo nft add rule inet probe out tcp sport 40002 'tcp flags & rst == rst' meta mark != 0x5254 drop || return 1
  local signal pid
  for signal in INT TERM; do
    start_bg "$LOGS/sig-server.out" in_lo tests/system/sigint-default $RUN TcpServer --verbose
    wait_for_line "$LOGS/sig-server.out" "Listening on" || return 1
    pid=$(java_pid "$LAST_PID")
    in_lo $RUN Injector probe 127.0.0.1 40002 127.0.0.1 5000 SYN 5 0 >/dev/null   # now in SYN-RECEIVED
    wait_for_line "$LOGS/sig-server.out" "State LISTEN -> SYN-RECEIVED" || return 1
    [ -n "$(in_lo nft list tables | grep tcpbyhand)" ] || { say "no table while running"; return 1; }
    kill -"$signal" "$pid"; wait_bounded "$LAST_PID" 30; local status=$?; say "SIG$signal -> exit $status"
    [ "$status" -eq 130 ] || { say "expected exit code 130 after SIG$signal"; return 1; }
    grep -q "Interrupted: resetting 1 open connection" "$LOGS/sig-server.out" || { cat "$LOGS/sig-server.out"; return 1; }
    [ -z "$(in_lo nft list tables | grep tcpbyhand)" ] || { say "table left after SIG$signal"; return 1; }
  done
  start_bg "$LOGS/kill-server.out" in_lo $RUN TcpServer
  wait_for_line "$LOGS/kill-server.out" "Listening on" || return 1
  pid=$(java_pid "$LAST_PID")
  kill -KILL "$pid"; wait_bounded "$LAST_PID" 60 2>/dev/null
  [ -n "$(in_lo nft list tables | grep "tcpbyhand_$pid")" ] || { say "expected a stale table after SIGKILL"; return 1; }
  start_bg "$LOGS/after-kill.out" in_lo $RUN TcpServer
  wait_for_line "$LOGS/after-kill.out" "Listening on" || return 1
  [ -z "$(in_lo nft list tables | grep "tcpbyhand_$pid")" ] || { say "stale table not removed"; return 1; }
}

# Java 25 (Temurin, where installed) runs the same scripts without a warning on the screen.
test_java25_without_warnings() {
  local jdk25=/usr/lib/jvm/temurin-25-jdk-amd64
  [ -x "$jdk25/bin/java" ] || { say "no Java 25 at $jdk25"; return "$SKIP"; }
  ./jbang jdk install 25 "$jdk25" >/dev/null 2>&1
  lo_ns_up || return 1
  start_bg "$LOGS/j25-server.out" in_lo ./jbang --java 25 TcpServer.java --count 1
  wait_for_line "$LOGS/j25-server.out" "Listening on" 60 || return 1
  local jvm; jvm=$(readlink "/proc/$(java_pid "$LAST_PID")/exe")
  say "server runs on $jvm"
  [[ "$jvm" == "$jdk25"/* ]] || return 1
  in_lo ./jbang --java 25 TcpClient.java 127.0.0.1 --message hi >"$LOGS/j25-client.out" 2>&1 || { cat "$LOGS/j25-client.out"; return 1; }
  wait_bounded "$LAST_PID" 60 || return 1
  cat "$LOGS/j25-server.out" "$LOGS/j25-client.out"
  ! grep -v '^\[jbang\]' "$LOGS/j25-server.out" "$LOGS/j25-client.out" | grep -qi 'warning' || return 1
  grep -q 'Received 2 bytes: "hi"' "$LOGS/j25-client.out"
}

run_loopback_tests() {
  run_test "loopback: handshake and close via ./jbang, logs equal sample-logs, no nft table left" test_loopback_handshake_as_in_readme
  run_test "loopback: message echoed, verbose logs equal sample-logs (normalised)" test_message_echo_verbose_logs
  run_test "loopback: server not running -> 'connection refused', exit 1" test_refused_when_no_server
  run_test "loopback: nothing answers -> gives up after --timeout, exit 1" test_no_answer_gives_up_after_timeout
  run_test "loopback: nothing answers -> gives up after --retries, exit 1" test_no_answer_gives_up_after_retries
  run_test "loopback: without root -> one line, exit 1, no stack trace" test_without_root_one_clear_line
  run_test "loopback: bad arguments -> usage, exit 2" test_bad_arguments_print_usage_and_exit_2
  run_test "loopback: port held by a kernel listener -> one line, exit 1" test_port_in_use_is_reported
  run_test "loopback: --no-echo acknowledges data, sends none; the client's --timeout ends it" test_no_echo_acknowledges_without_reply
  run_test "loopback: ACK/data to listener -> RST, RST ignored, bad checksum dropped" test_unexpected_segments_to_listener
  run_test "loopback: an internal error ends the client with one line and exit 1" test_internal_error_ends_the_program
  run_test "loopback: SIGINT, SIGTERM mid-handshake remove nft rules; stale table removed" test_signals_remove_firewall_rules
  run_test "loopback: Java 25 runs without warnings" test_java25_without_warnings
}
