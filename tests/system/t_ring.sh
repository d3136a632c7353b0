# The receive paths of os/RawSocket: the TPACKET_V3 ring (os/PacketRing) and the TPACKET_V2 ring
# (os/FrameRing), both with virtio_net_hdr, and the recvmsg fallback, each watching a real kernel-to-kernel stream between the two namespaces
# (the kernel's TCP receives it; tests/system/RingWatch only looks). Every payload byte must be
# seen, with the checksum and segmentation flags the kernel gives such packets.

RING_MB=${RING_MB:-20}
# The watcher cannot slow the sender down, so the ring must hold the whole stream: 48 blocks of 1 MiB.
RING_OPTS="-Dtbh.ring.blockKiB=1024 -Dtbh.ring.blocks=48"

ring_stream_tool() {
  [ -x "$BUILD/kernel_stream" ] || gcc -O2 -Wall -o "$BUILD/kernel_stream" bench/kernel_stream.c
}

# watch_stream PATH LOGNAME: a kernel stream of RING_MB MB to port 7001 watched through PATH while a
# second stream goes to port 7002 (which the port filter must keep away); the watcher's result line
# is left in the global WATCHED.
watch_stream() {
  local path=$1 name=$2 bytes=$((RING_MB * 1000000)) watcher
  ring_stream_tool || return 1
  start_bg "$LOGS/$name-sink1.out" in_server "$BUILD/kernel_stream" sink 7001
  start_bg "$LOGS/$name-sink2.out" in_server "$BUILD/kernel_stream" sink 7002
  start_bg "$LOGS/$name-watch.out" in_server $RUN $RING_OPTS RingWatch 7001 "$bytes" "$path" 60
  watcher=$LAST_PID
  wait_for_line "$LOGS/$name-watch.out" "^ready" 30 && wait_for_line "$LOGS/$name-sink1.out" "listening" \
    && wait_for_line "$LOGS/$name-sink2.out" "listening" || return 1
  in_client "$BUILD/kernel_stream" send "$SERVER_IP" 7002 "$bytes" >/dev/null &
  local other=$!
  in_client "$BUILD/kernel_stream" send "$SERVER_IP" 7001 "$bytes" || { say "the kernel's sender failed"; return 1; }
  wait "$other"
  wait_bounded "$watcher" 60; local status=$?
  cat "$LOGS/$name-watch.out"
  WATCHED=$(grep '^packets=' "$LOGS/$name-watch.out")
  [ "$status" -eq 0 ] || { say "the watcher did not see all $bytes bytes (exit $status)"; return 1; }
}

# figure NAME: the value of NAME=... in the watcher's result line.
figure() { printf '%s\n' "$WATCHED" | tr ' ' '\n' | sed -n "s/^$1=//p"; }

expect() {  # expect DESCRIPTION CONDITION...
  local what=$1; shift
  if "$@"; then say "ok: $what"; else say "NOT: $what"; return 1; fi
}

test_ring_with_vnet_headers_sees_a_kernel_stream_whole() {
  netns_up || return 1
  watch_stream v3 ring1 || return 1
  local packets; packets=$(figure packets)
  expect "every payload byte seen once the stream ended" [ "$(figure distinct_bytes)" = $((RING_MB * 1000000)) ] &&
  expect "no packet dropped by the ring" [ "$(figure drops)" = 0 ] &&
  expect "the other port's stream kept out by the filter" [ "$(figure other_ports)" = 0 ] &&
  # The kernel hands veth whole 64 KB GSO packets (offloads at their defaults): they arrive uncut,
  # their virtio_net_hdr saying 1448-byte segments and a checksum still to be finished at 34+16.
  expect "large packets arrived whole (max $(figure max_packet) bytes)" [ "$(figure max_packet)" -gt 1500 ] &&
  expect "their segment size is the MSS (gso_sizes $(figure gso_sizes))" grep -q '^1448:' <<<"$(figure gso_sizes)" &&
  expect "every packet flagged checksum-not-ready in tp_status" [ "$(figure csum_notready)" = "$packets" ] &&
  expect "and NEEDS_CSUM in its virtio_net_hdr" [ "$(figure vnet_needs_csum)" = "$packets" ] &&
  expect "the checksum to finish sits at Ethernet + IPv4 + 16" [ "$(figure csum_at)" = "34+16" ] &&
  expect "all for this host" [ "$(figure not_for_host)" = 0 ]
}

test_recvmsg_fallback_sees_the_same_stream() {
  netns_up || return 1
  watch_stream recvmsg ring2 || return 1
  expect "every payload byte seen" [ "$(figure distinct_bytes)" = $((RING_MB * 1000000)) ] &&
  expect "the other port's stream kept out by the filter" [ "$(figure other_ports)" = 0 ] &&
  expect "checksum-not-ready from PACKET_AUXDATA on every packet" [ "$(figure csum_notready)" = "$(figure packets)" ] &&
  expect "no virtio_net_hdr on this path" [ "$(figure gso_packets)" = 0 ]
}

test_ring_sees_gro_coalesced_segments() {
  netns_up || return 1
  # The sender cuts 1448-byte segments itself; GRO on the receiving veth joins them up again.
  in_client ethtool -K "$CLIENT_DEV" tso off gso off >/dev/null 2>&1 || return 1
  in_server ethtool -K "$SERVER_DEV" gro on >/dev/null 2>&1 || { say "veth GRO cannot be turned on here"; return "$SKIP"; }
  watch_stream v3 ring3 || return 1
  expect "every payload byte seen" [ "$(figure distinct_bytes)" = $((RING_MB * 1000000)) ] &&
  expect "no drops" [ "$(figure drops)" = 0 ] &&
  expect "coalesced packets larger than one segment (max $(figure max_packet))" [ "$(figure max_packet)" -gt 1500 ] &&
  expect "each with its segment size (gso_sizes $(figure gso_sizes))" grep -q '^1448:' <<<"$(figure gso_sizes)" &&
  expect "fewer packets than segments ($(figure packets) for $((RING_MB * 1000000 / 1448)) segments)" \
    [ "$(figure packets)" -lt $((RING_MB * 1000000 / 1448 / 4)) ]
}

test_frame_ring_takes_large_packets_whole_through_the_queue() {
  netns_up || return 1
  watch_stream v2 ring4 || return 1
  local packets; packets=$(figure packets)
  expect "every payload byte seen" [ "$(figure distinct_bytes)" = $((RING_MB * 1000000)) ] &&
  expect "no drops" [ "$(figure drops)" = 0 ] &&
  expect "the other port's stream kept out by the filter" [ "$(figure other_ports)" = 0 ] &&
  # 2 KiB frames: a 64 KB packet is cut in the ring and read whole from the socket's queue.
  expect "large packets came whole ($(figure copies) through recvmsg, max $(figure max_packet) bytes)" \
    [ "$(figure copies)" -gt 0 ] && [ "$(figure max_packet)" -gt 1500 ] &&
  expect "with their segment size (gso_sizes $(figure gso_sizes))" grep -q '^1448:' <<<"$(figure gso_sizes)" &&
  expect "checksum-not-ready on every packet" [ "$(figure csum_notready)" = "$packets" ] &&
  expect "NEEDS_CSUM on every packet" [ "$(figure vnet_needs_csum)" = "$packets" ]
}

# stack_receives PORT LOGNAME [JAVA OPTIONS...]: our server (--discard --verbose) takes a kernel's
# 5 MB stream whole; its log is left in $LOGS/LOGNAME.out.
stack_receives() {
  local port=$1 name=$2 bytes=5000000; shift 2
  ring_stream_tool || return 1
  start_bg "$LOGS/$name.out" in_server $RUN "$@" TcpServer --port "$port" --discard --verbose
  wait_for_line "$LOGS/$name.out" "Listening on" 60 || return 1
  in_client "$BUILD/kernel_stream" send "$SERVER_IP" "$port" "$bytes" || { say "the kernel's sender failed"; return 1; }
  wait_for_line "$LOGS/$name.out" "received $bytes bytes in" 30 || { tail -n 5 "$LOGS/$name.out"; return 1; }
}

test_stack_receives_through_the_ring_by_default() {
  netns_up || return 1
  stack_receives 7003 ring5 || return 1
  expect "the default receive path is the TPACKET_V2 ring ($(grep -m1 'Receiving' "$LOGS/ring5.out"))" \
    grep -q "Receiving through a TPACKET_V2 ring" "$LOGS/ring5.out" &&
  # The kernel's 64 KB GSO packets reach the connection whole (2 KiB frames: read through the queue).
  expect "large packets arrived whole" grep -Eq "<- .* len=[0-9]{5}" "$LOGS/ring5.out"
}

test_stack_falls_back_to_recvmsg_when_the_ring_fails() {
  netns_up || return 1
  # A ring of no blocks cannot be mapped (mmap of 0 bytes: EINVAL): the stack must still work.
  stack_receives 7004 ring6 -Dtbh.ring.blocks=0 || return 1
  expect "--verbose says recvmsg, and why ($(grep -m1 'Receiving' "$LOGS/ring6.out"))" \
    grep -q "Receiving with one recvmsg per packet: the receive ring could not be set up" "$LOGS/ring6.out"
}

run_ring_tests() {
  run_test "ring: a kernel's ${RING_MB} MB stream through the TPACKET_V3 ring with vnet headers, bytes and checksum flags" \
    test_ring_with_vnet_headers_sees_a_kernel_stream_whole
  run_test "ring: the TPACKET_V2 ring, large packets whole through the socket's queue" \
    test_frame_ring_takes_large_packets_whole_through_the_queue
  run_test "ring: the recvmsg fallback sees the same stream" test_recvmsg_fallback_sees_the_same_stream
  run_test "ring: GRO on the receiving veth: coalesced packets with their segment size" test_ring_sees_gro_coalesced_segments
  run_test "ring: our stack receives through the TPACKET_V2 ring by default, a kernel's stream whole" \
    test_stack_receives_through_the_ring_by_default
  run_test "ring: our stack falls back to recvmsg when the ring cannot be set up, and says so" \
    test_stack_falls_back_to_recvmsg_when_the_ring_fails
}
