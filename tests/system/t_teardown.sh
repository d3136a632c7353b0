# Teardown against the kernel's TCP, in both roles and both orders, checked with the kernel's own
# view (ss); then loss injected with nftables on the veth, and total loss.

# The kernel's connections in a namespace, as "STATE" words, LISTEN left out.
kernel_states() { ip netns exec "$1" ss -tanH | awk '$1 != "LISTEN" {print $1}' | sort | paste -sd' '; }

# expect_kernel_states NS EXPECTED: the kernel settles within a second.
expect_kernel_states() {
  local ns=$1 expected=$2 actual i
  for i in 1 2 3 4 5 6 7 8 9 10; do
    actual=$(kernel_states "$ns")
    [ "$actual" = "$expected" ] && break
    sleep 0.1
  done
  say "kernel's connections in $ns: '${actual}' (expected '${expected}')"
  ip netns exec "$ns" ss -tan | sed 's/^/    /'
  [ "$actual" = "$expected" ]
}

test_our_client_closes_first_kernel_server() {
  netns_up || return 1
  start_bg "$LOGS/t1-kernel.out" in_server $RUN KernelPeer echo-server 5000
  wait_for_line "$LOGS/t1-kernel.out" "listening" || return 1
  in_client $RUN TcpClient $SERVER_IP --message "bye" --verbose >"$LOGS/t1-client.out" 2>&1 || { cat "$LOGS/t1-client.out"; return 1; }
  cat "$LOGS/t1-client.out" "$LOGS/t1-kernel.out"
  grep -qx '\[Client\] Sending FIN' "$LOGS/t1-client.out" && grep -q 'TIME-WAIT for' "$LOGS/t1-client.out" || return 1
  grep -qx '\[Client\] Connection closed' "$LOGS/t1-client.out" || return 1
  # we closed first: TIME-WAIT is ours; the kernel, having closed passively, keeps nothing
  expect_kernel_states "$NS_SERVER" ""
}

test_kernel_server_closes_first() {
  netns_up || return 1
  start_bg "$LOGS/t2-kernel.out" in_server $RUN KernelPeer echo-server 5000 --close-first
  wait_for_line "$LOGS/t2-kernel.out" "listening" || return 1
  # --no-close: our client waits for the server's FIN, so it closes passively
  in_client $RUN TcpClient $SERVER_IP --message "bye" --no-close --verbose >"$LOGS/t2-client.out" 2>&1 || { cat "$LOGS/t2-client.out"; return 1; }
  cat "$LOGS/t2-client.out"
  grep -v '^\[Client\] [-<]' "$LOGS/t2-client.out" | grep -v 'State \|nftables\|Receiving ' >"$LOGS/t2-client.log"
  expect_same sample-logs/peer-closes-first-client.log "$LOGS/t2-client.log" || return 1
  expect_kernel_states "$NS_SERVER" "TIME-WAIT"
}

test_kernel_client_closes_first_our_server() {
  netns_up || return 1
  start_bg "$LOGS/t3-server.out" in_server $RUN TcpServer --count 1 --verbose
  local server=$LAST_PID
  wait_for_line "$LOGS/t3-server.out" "Listening on" || return 1
  in_client $RUN KernelPeer client $SERVER_IP 5000 "bye" || return 1
  wait_bounded "$server" 60 || { say "server exit $?"; return 1; }
  cat "$LOGS/t3-server.out"
  grep -qx '\[Server\] Received FIN, sending ACK' "$LOGS/t3-server.out" && grep -qx '\[Server\] Sending FIN' "$LOGS/t3-server.out" || return 1
  expect_kernel_states "$NS_CLIENT" "TIME-WAIT"
}

test_our_server_closes_first_kernel_client() {
  netns_up || return 1
  start_bg "$LOGS/t4-server.out" in_server $RUN TcpServer --count 1 --close-after-reply --msl 0.5
  local server=$LAST_PID
  wait_for_line "$LOGS/t4-server.out" "Listening on" || return 1
  local out; out=$(in_client $RUN KernelPeer client $SERVER_IP 5000 "bye" --wait-close); say "$out"
  [ "$out" = "$(printf 'echo: bye\nserver closed')" ] || return 1
  wait_bounded "$server" 60 || { say "server exit $?"; return 1; }
  sed -E 's/127\.0\.0\.1|198\.18\.0\.[0-9]+/ADDR/' "$LOGS/t4-server.out" >"$LOGS/t4-server.log"
  expect_same sample-logs/server-closes-first-server.log "$LOGS/t4-server.log" || return 1
  expect_kernel_states "$NS_CLIENT" ""
}

# After our FIN the peer may still send (a half-closed connection): we take the data but must not
# answer it, and nothing may crash (this once ended the server with an IllegalStateException).
test_data_after_our_fin_is_taken_without_a_crash() {
  netns_up || return 1
  start_bg "$LOGS/t5-server.out" in_server $RUN TcpServer --count 1 --close-after-reply --msl 0.5 --verbose
  local server=$LAST_PID
  wait_for_line "$LOGS/t5-server.out" "Listening on" || return 1
  # sends, reads the echo, waits 0.5 s (our FIN arrives meanwhile), sends again; no second echo comes
  in_client $RUN KernelPeer twice $SERVER_IP 5000 "after the FIN" 0.5; say "kernel client exit $? (1 expected: no second echo)"
  wait_bounded "$server" 30 || { say "server exit $?"; cat "$LOGS/t5-server.out"; return 1; }
  grep -v '^\[Server\] [-<]' "$LOGS/t5-server.out" | grep -v 'State ' 
  [ "$(grep -c 'Received 13 bytes: "after the FIN"' "$LOGS/t5-server.out")" -eq 2 ] || return 1
  [ "$(grep -c 'Sending 13 bytes' "$LOGS/t5-server.out")" -eq 1 ] || return 1
  ! grep -q 'Internal error\|Exception' "$LOGS/t5-server.out"
}

# nftables drops a share of TCP packets in both directions on the client's side of the veth
# (netdev ingress and egress hooks: there is no netem in this kernel).
add_loss() {
  local percent=$1
  in_client nft add table netdev loss || return 1
  in_client nft add chain netdev loss in "{ type filter hook ingress device $CLIENT_DEV priority 0; }"
  in_client nft add chain netdev loss out "{ type filter hook egress device $CLIENT_DEV priority 0; }"
  local sample="numgen random mod 100 < $percent"
  [ "$percent" -ge 100 ] && sample=""
  in_client nft add rule netdev loss in meta protocol ip ip protocol tcp $sample counter drop
  in_client nft add rule netdev loss out meta protocol ip ip protocol tcp $sample counter drop
}

test_fifty_connections_through_twenty_percent_loss() {
  netns_up && add_loss 20 || return 1
  start_bg "$LOGS/loss-server.out" in_server $RUN TcpServer --count 50 --verbose --rto-initial 200 --retries 10 --msl 0.1
  local server=$LAST_PID
  wait_for_line "$LOGS/loss-server.out" "Listening on" || return 1
  local i ok=0 message
  for i in $(seq 1 50); do
    message="message $i of 50: $(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
    if in_client $RUN TcpClient $SERVER_IP --message "$message" --rto-initial 200 --retries 10 --msl 0.1 --timeout 30 \
         --verbose >"$LOGS/loss-client-$i.out" 2>&1 \
       && grep -qF "Received ${#message} bytes: \"$message\"" "$LOGS/loss-client-$i.out"; then
      ok=$((ok + 1))
    else
      say "connection $i failed:"; cat "$LOGS/loss-client-$i.out"
    fi
  done
  say "$ok/50 connections completed with their message intact"
  say "retransmissions by the clients: $(cat "$LOGS"/loss-client-*.out | grep -c 'Retransmitting')"
  say "loss counters:"; in_client nft list table netdev loss | grep counter | sed 's/^/    /'
  wait_bounded "$server" 60 || { say "server exit $?"; return 1; }
  [ "$ok" -eq 50 ] || return 1
  # the loss did happen, in both directions
  in_client nft list table netdev loss | grep -c 'packets [1-9]' | grep -qx 2
}

test_total_loss_fails_within_bound() {
  netns_up && add_loss 100 || return 1
  start_bg "$LOGS/total-server.out" in_server $RUN TcpServer
  wait_for_line "$LOGS/total-server.out" "Listening on" || return 1
  local start end out status
  start=$(date +%s%N)
  out=$(in_client $RUN TcpClient $SERVER_IP --retries 3 --syn-give-up 0 --rto-initial 100 --timeout 30 2>&1); status=$?
  end=$(date +%s%N)
  say "$out"; say "took $(( (end - start) / 1000000 )) ms; retries 3 of 100, 200, 400 and 800 ms make 1.5 s"
  [ "$status" -eq 1 ] || return 1
  [ "$(printf '%s\n' "$out" | tail -n 1)" = "[Client] No answer from $SERVER_IP:5000 after 4 tries" ] || return 1
  [ $(( (end - start) / 1000000 )) -lt 5000 ] || return 1
  [ -z "$(in_client nft list tables | grep tcpbyhand)" ] || { say "table left"; return 1; }
}

run_teardown_tests() {
  run_test "teardown: our client closes first; the kernel server keeps nothing (ss)" test_our_client_closes_first_kernel_server
  run_test "teardown: kernel server closes first; kernel in TIME-WAIT; logs equal sample-logs" test_kernel_server_closes_first
  run_test "teardown: kernel client closes first; our server closes passively; kernel in TIME-WAIT" test_kernel_client_closes_first_our_server
  run_test "teardown: our server closes first (--close-after-reply); logs equal sample-logs" test_our_server_closes_first_kernel_client
  run_test "teardown: data after our FIN (half-close) is taken, not answered, no crash" test_data_after_our_fin_is_taken_without_a_crash
  run_test "loss: 50 connections through 20% loss both ways, every message intact" test_fifty_connections_through_twenty_percent_loss
  run_test "loss: total loss -> 'No answer ... after 4 tries' within 1.5 s of retries, exit 1, no table left" test_total_loss_fails_within_bound
}
