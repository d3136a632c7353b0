# When the network answers instead of the peer (RFC 9293 3.9.2.2, RFC 1191): a routed path of four
# namespaces, a client host A, two routers and a server host B (shared notes, section 10):
#
#   A 198.18.10.2 -1500- 198.18.10.1 R1 198.18.11.1 -1280- 198.18.11.2 R2 198.18.12.1 -1500- 198.18.12.2 B
#
# The hosts' own links are 1500 bytes, so the MSS options (1460) cannot hide the 1280-byte hop: the
# routers answer too-large packets with ICMP "fragmentation needed (MTU 1280)", and R1 answers for
# 198.18.9.0/24 (unreachable) and 198.18.8.0/24 (prohibit) with ICMP destination unreachable.
# Our TCP runs beside the kernel's on the same path, and the route caches are flushed between runs.

ICMP_A=198.18.10.2 ICMP_R1A=198.18.10.1 ICMP_B=198.18.12.2
# The same path over IPv6 (fd00:198:10::/64 ... fd00:198:12::/64); R1 has "unreachable" for
# fd00:198:9::/64 and "prohibit" for fd00:198:8::/64, and the 1280-byte hop is IPv6's minimum MTU:
# IPv6 routers never fragment, R1 answers with ICMPv6 packet too big (RFC 8200 section 5).
ICMP_A6=fd00:198:10::2 ICMP_R1A6=fd00:198:10::1 ICMP_B6=fd00:198:12::2
ICMP_MB=${ICMP_MB:-5}

routed_up() {
  local s=$$
  NS_A=tbh-a-$s NS_R1=tbh-r1-$s NS_R2=tbh-r2-$s NS_B=tbh-b-$s
  for n in "$NS_A" "$NS_R1" "$NS_R2" "$NS_B"; do ip netns add "$n" || return 1; ip -n "$n" link set lo up; done
  ip link add tbha$s netns "$NS_A" type veth peer name tbhr1a$s netns "$NS_R1" || return 1
  ip link add tbhr1b$s netns "$NS_R1" type veth peer name tbhr2a$s netns "$NS_R2" || return 1
  ip link add tbhr2b$s netns "$NS_R2" type veth peer name tbhb$s netns "$NS_B" || return 1
  ip -n "$NS_A" addr add 198.18.10.2/24 dev tbha$s
  ip -n "$NS_R1" addr add 198.18.10.1/24 dev tbhr1a$s
  ip -n "$NS_R1" addr add 198.18.11.1/24 dev tbhr1b$s
  ip -n "$NS_R2" addr add 198.18.11.2/24 dev tbhr2a$s
  ip -n "$NS_R2" addr add 198.18.12.1/24 dev tbhr2b$s
  ip -n "$NS_B" addr add 198.18.12.2/24 dev tbhb$s
  ip -n "$NS_R1" link set tbhr1b$s mtu 1280
  ip -n "$NS_R2" link set tbhr2a$s mtu 1280
  ip -n "$NS_A" addr add fd00:198:10::2/64 dev tbha$s nodad
  ip -n "$NS_R1" addr add fd00:198:10::1/64 dev tbhr1a$s nodad
  ip -n "$NS_R1" addr add fd00:198:11::1/64 dev tbhr1b$s nodad
  ip -n "$NS_R2" addr add fd00:198:11::2/64 dev tbhr2a$s nodad
  ip -n "$NS_R2" addr add fd00:198:12::1/64 dev tbhr2b$s nodad
  ip -n "$NS_B" addr add fd00:198:12::2/64 dev tbhb$s nodad
  ip -n "$NS_A" link set tbha$s up; ip -n "$NS_B" link set tbhb$s up
  ip -n "$NS_R1" link set tbhr1a$s up; ip -n "$NS_R1" link set tbhr1b$s up
  ip -n "$NS_R2" link set tbhr2a$s up; ip -n "$NS_R2" link set tbhr2b$s up
  ip -n "$NS_A" route add default via 198.18.10.1
  ip -n "$NS_B" route add default via 198.18.12.1
  ip -n "$NS_R1" route add 198.18.12.0/24 via 198.18.11.2
  ip -n "$NS_R2" route add 198.18.10.0/24 via 198.18.11.1
  ip -n "$NS_R1" route add unreachable 198.18.9.0/24
  ip -n "$NS_R1" route add prohibit 198.18.8.0/24
  ip -n "$NS_A" -6 route add default via fd00:198:10::1
  ip -n "$NS_B" -6 route add default via fd00:198:12::1
  ip -n "$NS_R1" -6 route add fd00:198:12::/64 via fd00:198:11::2
  ip -n "$NS_R2" -6 route add fd00:198:10::/64 via fd00:198:11::1
  ip -n "$NS_R1" -6 route add unreachable fd00:198:9::/64
  ip -n "$NS_R1" -6 route add prohibit fd00:198:8::/64
  ip netns exec "$NS_R1" sysctl -qw net.ipv4.ip_forward=1
  ip netns exec "$NS_R2" sysctl -qw net.ipv4.ip_forward=1
  for n in "$NS_R1" "$NS_R2"; do
    ip netns exec "$n" sysctl -qw net.ipv6.conf.all.forwarding=1
    ip netns exec "$n" sysctl -qw net.ipv6.icmp.ratelimit=0
  done
  # The routers send as many ICMP errors as asked (the default rate limit would make the test's
  # timing depend on which packets got one).
  for n in "$NS_R1" "$NS_R2"; do ip netns exec "$n" sysctl -qw net.ipv4.icmp_ratelimit=0; done
}

routed_down() {
  for n in "${NS_A:-}" "${NS_R1:-}" "${NS_R2:-}" "${NS_B:-}"; do [ -n "$n" ] && ip netns del "$n" 2>/dev/null; done
  NS_A= NS_R1= NS_R2= NS_B=
}

in_a() { ip netns exec "$NS_A" "$@"; }
in_b() { ip netns exec "$NS_B" "$@"; }
flush_caches() { ip -n "$NS_A" route flush cache; ip -n "$NS_B" route flush cache; ip -n "$NS_A" -6 route flush cache; ip -n "$NS_B" -6 route flush cache; }

icmp_sha() { sha256sum "$1" | cut -d' ' -f1; }
icmp_file() {
  local f="$BUILD/icmp-$ICMP_MB.bin"
  [ -s "$f" ] || head -c $((ICMP_MB * 1000000)) /dev/urandom >"$f"
  printf '%s\n' "$f"
}

ms_since() { echo $((($(date +%s%N) - $1) / 1000000)); }

# ---------------------------------------------------------------- unreachable

# A connect to 198.18.9.1 (R1: unreachable) fails within 2 s with the kernel's words, ours and
# the kernel's side by side; the same for 198.18.8.1 (prohibit).
test_unreachable_fails_fast() {
  routed_up || return 1
  local t0 kernel status elapsed
  t0=$(date +%s%N)
  kernel=$(in_a python3 -c 'import socket,sys
s=socket.socket(); s.settimeout(10)
try: s.connect(("198.18.9.1",5000))
except OSError as e: print(e.strerror)' 2>&1)
  say "kernel: '$kernel' in $(ms_since "$t0") ms"
  for target in 198.18.9.1 198.18.8.1; do
    t0=$(date +%s%N)
    in_a $RUN TcpClient "$target" --timeout 20 --verbose >"$LOGS/icmp-unreach.out" 2>&1
    status=$? elapsed=$(ms_since "$t0")
    cat "$LOGS/icmp-unreach.out"
    say "ours to $target: exit $status in $elapsed ms"
    [ "$status" -ne 0 ] || { say "the client succeeded?"; return 1; }
    grep -q "Error: No route to host (ICMP .* from $ICMP_R1A)" "$LOGS/icmp-unreach.out" || { say "no reason line"; return 1; }
    grep -q "ICMP .* from $ICMP_R1A: the connect fails" "$LOGS/icmp-unreach.out" || { say "no --verbose ICMP line"; return 1; }
    # JVM start included: the SYN's first retransmission would come at 1 s, the give-up at 20 s.
    [ "$elapsed" -lt 5000 ] || return 1
    grep -q "Retransmitting SYN" "$LOGS/icmp-unreach.out" && { say "the SYN was retransmitted"; return 1; }
  done
  [ "$kernel" = "No route to host" ]
}

# With ICMP dropped by a firewall (on R1's way out: a firewall on A itself would not help, as a
# packet socket sees packets before netfilter does), nothing tells the client: it waits for its
# --timeout, as the kernel's connect would wait for its own.
test_unreachable_with_icmp_filtered() {
  routed_up || return 1
  local r1="ip netns exec $NS_R1"
  $r1 nft add table inet tbh_icmp && $r1 nft add chain inet tbh_icmp out '{ type filter hook output priority 0; }' \
    && $r1 nft add rule inet tbh_icmp out ip protocol icmp drop || return 1
  local t0 status elapsed
  t0=$(date +%s%N)
  in_a $RUN TcpClient 198.18.9.1 --timeout 3 >"$LOGS/icmp-filtered.out" 2>&1
  status=$? elapsed=$(ms_since "$t0")
  cat "$LOGS/icmp-filtered.out"
  say "ours with ICMP filtered: exit $status in $elapsed ms"
  [ "$status" -ne 0 ] && [ "$elapsed" -ge 3000 ] && grep -q "No answer from 198.18.9.1:5000 within 3 s" "$LOGS/icmp-filtered.out"
}

# ---------------------------------------------------------------- path MTU

# Our client sends the file through the 1280-byte hop to a kernel sink on B.
test_pmtu_ours_to_kernel() {
  routed_up || return 1
  local file; file=$(icmp_file)
  start_bg "$LOGS/icmp-o2k-sink.out" in_b python3 "$ROOT/tests/system/kernel_stream.py" sink 5000
  local sink=$LAST_PID
  wait_for_line "$LOGS/icmp-o2k-sink.out" "listening" || return 1
  local t0; t0=$(date +%s%N)
  in_a timeout 60 $RUN TcpClient "$ICMP_B" --stdio --verbose <"$file" >/dev/null 2>"$LOGS/icmp-o2k.err" || {
    grep -v '^\[Client\] [<-]' "$LOGS/icmp-o2k.err" | tail -n 20; return 1; }
  say "ours -> kernel: $(ms_since "$t0") ms"
  wait_bounded "$sink" 30 || return 1
  grep "ICMP" "$LOGS/icmp-o2k.err" | head -n 3
  cat "$LOGS/icmp-o2k-sink.out"
  # 1460 - 40 (or 1448 -> 1228 with timestamps, whose 12 bytes ride on every segment)
  grep -Eq "ICMP fragmentation needed \(next-hop MTU 1280\) from $ICMP_R1A: path MTU 1280: send MSS (1460 -> 1240|1448 -> 1228)" "$LOGS/icmp-o2k.err" || return 1
  grep -q "^$(stat -c %s "$file") $(icmp_sha "$file")$" "$LOGS/icmp-o2k-sink.out"
}

# The same without --verbose, so that segmentation offload is on (GsoSender, addressed to R1's MAC
# on the routed path): its frames are cut at the lowered MSS once the ICMP came.
test_pmtu_ours_to_kernel_offload() {
  routed_up || return 1
  local file; file=$(icmp_file)
  start_bg "$LOGS/icmp-gso-sink.out" in_b python3 "$ROOT/tests/system/kernel_stream.py" sink 5000
  local sink=$LAST_PID
  wait_for_line "$LOGS/icmp-gso-sink.out" "listening" || return 1
  # A capture on A's link sees an offloaded frame whole (before the kernel cuts it): larger than 1500.
  rm -f "$BUILD/icmp-gso.pcap"
  start_bg "$LOGS/icmp-gso-dump.out" in_a tcpdump -i tbha$$ -n -s 96 -w "$BUILD/icmp-gso.pcap" tcp and dst port 5000
  sleep 1
  local t0; t0=$(date +%s%N)
  in_a timeout 60 $RUN TcpClient "$ICMP_B" --stdio <"$file" >/dev/null 2>"$LOGS/icmp-gso.err" || { tail -n 20 "$LOGS/icmp-gso.err"; return 1; }
  say "ours -> kernel, segmentation offload on: $(ms_since "$t0") ms"
  wait_bounded "$sink" 30 || return 1
  sleep 0.5; cleanup_background
  local large; large=$(tcpdump -r "$BUILD/icmp-gso.pcap" -n 'greater 1600' 2>/dev/null | wc -l)
  say "offloaded frames (over 1600 bytes) seen on A's link: $large"
  cat "$LOGS/icmp-gso-sink.out"
  [ "$large" -gt 0 ] && grep -q "^$(stat -c %s "$file") $(icmp_sha "$file")$" "$LOGS/icmp-gso-sink.out"
}

# Our server on B sends the file to a kernel client on A (R2 sends B the ICMP).
test_pmtu_ours_server_sends() {
  routed_up || return 1
  local file; file=$(icmp_file)
  start_bg "$LOGS/icmp-srv.err" in_b bash -c "$RUN TcpServer --stdio <'$file' >/dev/null"
  local server=$LAST_PID
  wait_for_line "$LOGS/icmp-srv.err" "Listening on" || return 1
  local t0; t0=$(date +%s%N)
  : >"$BUILD/icmp-empty"
  in_a timeout 60 python3 "$ROOT/tests/system/kernel_stream.py" send "$ICMP_B" 5000 "$BUILD/icmp-empty" >"$LOGS/icmp-k.out" || {
    tail -n 20 "$LOGS/icmp-srv.err"; return 1; }
  say "ours (server) -> kernel: $(ms_since "$t0") ms"
  wait_bounded "$server" 30
  cat "$LOGS/icmp-k.out"
  grep -q "^$(stat -c %s "$file") $(icmp_sha "$file")$" "$LOGS/icmp-k.out"
}

# The kernel's TCP on the same path, the same file each way, for comparison (and to show the
# routed path works at all): kernel client -> our server, and the kernel alone.
test_pmtu_kernel_to_ours() {
  routed_up || return 1
  local file; file=$(icmp_file)
  start_bg "$LOGS/icmp-k2o.err" in_b bash -c "$RUN TcpServer --stdio </dev/null >'$BUILD/icmp-k2o-out'"
  local server=$LAST_PID
  wait_for_line "$LOGS/icmp-k2o.err" "Listening on" || return 1
  local t0; t0=$(date +%s%N)
  in_a timeout 60 python3 "$ROOT/tests/system/kernel_stream.py" send "$ICMP_B" 5000 "$file" >/dev/null || return 1
  say "kernel -> ours: $(ms_since "$t0") ms"
  wait_bounded "$server" 30 || return 1
  flush_caches
  start_bg "$LOGS/icmp-kk.out" in_b python3 "$ROOT/tests/system/kernel_stream.py" sink 5001
  local sink=$LAST_PID
  wait_for_line "$LOGS/icmp-kk.out" "listening" || return 1
  t0=$(date +%s%N)
  in_a python3 "$ROOT/tests/system/kernel_stream.py" send "$ICMP_B" 5001 "$file" >/dev/null || return 1
  say "kernel -> kernel: $(ms_since "$t0") ms"
  wait_bounded "$sink" 30
  [ "$(icmp_sha "$file")" = "$(icmp_sha "$BUILD/icmp-k2o-out")" ]
}

# ---------------------------------------------------------------- ICMPv6

# A connect to fd00:198:9::1 (R1: unreachable, ICMPv6 code 0) fails at once with the kernel's
# "Network is unreachable"; to fd00:198:8::1 (prohibit, code 1) with "Permission denied" (EACCES).
test_ipv6_unreachable_fails_fast() {
  routed_up || return 1
  local t0 kernel target words status elapsed
  for target in fd00:198:9::1 fd00:198:8::1; do
    kernel=$(in_a python3 -c 'import socket,sys
s=socket.socket(socket.AF_INET6); s.settimeout(10)
try: s.connect((sys.argv[1],5000))
except OSError as e: print(e.strerror)' "$target" 2>&1)
    say "kernel to $target: '$kernel'"
    case $target in *9::1) words="Network is unreachable" ;; *) words="Permission denied" ;; esac
    [ "$kernel" = "$words" ] || { say "the kernel said '$kernel', expected '$words'"; return 1; }
    t0=$(date +%s%N)
    in_a $RUN TcpClient "$target" --timeout 20 --verbose >"$LOGS/icmp6-unreach.out" 2>&1
    status=$? elapsed=$(ms_since "$t0")
    cat "$LOGS/icmp6-unreach.out"
    say "ours to $target: exit $status in $elapsed ms"
    [ "$status" -ne 0 ] || { say "the client succeeded?"; return 1; }
    grep -q "Error: $words (ICMP .* from $ICMP_R1A6)" "$LOGS/icmp6-unreach.out" || { say "no reason line"; return 1; }
    grep -q "ICMP .* from $ICMP_R1A6: the connect fails" "$LOGS/icmp6-unreach.out" || { say "no --verbose ICMP line"; return 1; }
    [ "$elapsed" -lt 5000 ] || return 1
    grep -q "Retransmitting SYN" "$LOGS/icmp6-unreach.out" && { say "the SYN was retransmitted"; return 1; }
  done
  return 0
}

# Our client sends 2 MB over IPv6 through the 1280-byte hop to a kernel sink on B: R1's packet too
# big lowers the MSS from 1440 to 1220 (1428 -> 1208 with timestamps).
test_ipv6_pmtu_ours_to_kernel() {
  routed_up || return 1
  local file="$BUILD/icmp6-2.bin"
  [ -s "$file" ] || head -c 2000000 /dev/urandom >"$file"
  start_bg "$LOGS/icmp6-sink.out" in_b env KSTREAM_IPV6=1 python3 "$ROOT/tests/system/kernel_stream.py" sink 5000
  local sink=$LAST_PID
  wait_for_line "$LOGS/icmp6-sink.out" "listening" || return 1
  local t0; t0=$(date +%s%N)
  in_a timeout 60 $RUN TcpClient "$ICMP_B6" --stdio --verbose <"$file" >/dev/null 2>"$LOGS/icmp6-o2k.err" || {
    grep -v '^\[Client\] [<-]' "$LOGS/icmp6-o2k.err" | tail -n 20; return 1; }
  say "ours -> kernel over IPv6: $(ms_since "$t0") ms"
  wait_bounded "$sink" 30 || return 1
  grep "ICMP" "$LOGS/icmp6-o2k.err" | head -n 3
  cat "$LOGS/icmp6-sink.out"
  grep -Eq "ICMP packet too big \(MTU 1280\) from $ICMP_R1A6: path MTU 1280: send MSS (1440 -> 1220|1428 -> 1208)" "$LOGS/icmp6-o2k.err" || return 1
  grep -q "^$(stat -c %s "$file") $(icmp_sha "$file")$" "$LOGS/icmp6-sink.out"
}

# ICMP_ONLY=WORD ./test.sh icmp runs only the tests whose function name contains WORD.
icmp_test() { [ -z "${ICMP_ONLY:-}" ] || [[ "$2" == *"$ICMP_ONLY"* ]] || return 0; run_test "$@"; }

run_icmp_tests() {
  icmp_test "icmp: a connect to a network R1 marks unreachable (or prohibited) fails at once (before the SYN's first retransmission at 1 s) with 'No route to host', as the kernel's" icmp_wrap_unreachable
  icmp_test "icmp: the same with ICMP dropped by a firewall: the client waits for its --timeout" icmp_wrap_filtered
  icmp_test "icmp: ${ICMP_MB} MB our client -> kernel through a 1280-byte hop: fragmentation needed lowers the MSS to 1240 (1228 with timestamps), sha256 equal" icmp_wrap_o2k
  icmp_test "icmp: ${ICMP_MB} MB our client -> kernel through the hop with segmentation offload on (frames to the router, cut at the lowered MSS), sha256 equal" icmp_wrap_gso
  icmp_test "icmp: Ladder draws the ICMP fragmentation needed of a real capture between the full-sized and the smaller segments" icmp_wrap_ladder
  icmp_test "icmp: ${ICMP_MB} MB our server -> kernel client through the 1280-byte hop, sha256 equal" icmp_wrap_server
  icmp_test "icmp: ${ICMP_MB} MB kernel client -> our server through the hop, and the kernel alone, for comparison" icmp_wrap_k2o
  icmp_test "icmp: IPv6: a connect to a network R1 marks unreachable (prohibit) fails at once with 'Network is unreachable' ('Permission denied') from ICMPv6, as the kernel's" icmp_wrap_ipv6_unreachable
  icmp_test "icmp: IPv6: 2 MB our client -> kernel through the 1280-byte hop: ICMPv6 packet too big lowers the MSS to 1220 (1208 with timestamps), sha256 equal" icmp_wrap_ipv6_pmtu
  icmp_test "icmp: SYNs to broadcast and multicast addresses or frames get no answer from our server (as from the kernel's), a --verbose reason each (MUST-57)" icmp_wrap_bcast
  icmp_test "icmp: TcpClient refuses a multicast or broadcast destination at once with a reason (MUST-46)" icmp_wrap_refuse
  icmp_test "icmp: a --bind server: a connect to the host's other address is refused at once (the kernel's RST), to the bound one accepted" icmp_wrap_bind
}

icmp_wrap() { trap 'cleanup_background; routed_down' EXIT; "$@"; }
icmp_wrap_unreachable() { icmp_wrap test_unreachable_fails_fast; }
icmp_wrap_filtered() { icmp_wrap test_unreachable_with_icmp_filtered; }
icmp_wrap_o2k() { icmp_wrap test_pmtu_ours_to_kernel; }
icmp_wrap_gso() { icmp_wrap test_pmtu_ours_to_kernel_offload; }
icmp_wrap_ladder() { icmp_wrap test_pmtu_ladder; }
icmp_wrap_server() { icmp_wrap test_pmtu_ours_server_sends; }
icmp_wrap_k2o() { icmp_wrap test_pmtu_kernel_to_ours; }
icmp_wrap_bcast() { icmp_wrap test_broadcast_syns_unanswered; }
icmp_wrap_refuse() { icmp_wrap test_client_refuses_broadcast; }
icmp_wrap_bind() { icmp_wrap test_bind_other_address_refused; }
icmp_wrap_ipv6_unreachable() { icmp_wrap test_ipv6_unreachable_fails_fast; }
icmp_wrap_ipv6_pmtu() { icmp_wrap test_ipv6_pmtu_ours_to_kernel; }

# ---------------------------------------------------------------- broadcast and multicast (MUST-46, MUST-57)

# scapy on R2 (on B's link): SYNs to B's port in a broadcast frame to the subnet's broadcast
# address, in a multicast frame to 224.0.0.1, in a unicast frame to 198.18.12.255, 224.0.0.1 and
# 255.255.255.255, in a broadcast frame to B's own address, and one ordinary SYN (which must be answered, or the test proves nothing). Prints each answer.
SYN_PROBE='
import sys
from scapy.all import Ether, IP, TCP, AsyncSniffer, sendp, get_if_hwaddr, conf
conf.verb = 0
dev, bmac, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
me = get_if_hwaddr(dev)
sn = AsyncSniffer(iface=dev, filter="tcp and src host 198.18.12.2", store=True)
sn.start()
import time; time.sleep(0.5)
probes = [("ff:ff:ff:ff:ff:ff", "198.18.12.255", 41001), ("01:00:5e:00:00:01", "224.0.0.1", 41002),
          (bmac, "198.18.12.255", 41003), (bmac, "224.0.0.1", 41004), (bmac, "255.255.255.255", 41005), ("ff:ff:ff:ff:ff:ff", "198.18.12.2", 41007),
          (bmac, "198.18.12.2", 41006)]
for mac, dst, sport in probes:
    sendp(Ether(src=me, dst=mac)/IP(src="198.18.12.1", dst=dst)/TCP(sport=sport, dport=port, flags="S", seq=1000), iface=dev)
time.sleep(1.5)
sn.stop()
for p in sn.results:
    print("answer to", p[TCP].dport, p[TCP].sprintf("%TCP.flags%"))
'

syn_probe() {  # syn_probe PORT: the answers B sends to the probes
  local s=$$ bmac
  bmac=$(ip -n "$NS_B" -br link show tbhb$s | awk '{print $3}')
  ip netns exec "$NS_R2" /usr/bin/python3 -c "$SYN_PROBE" tbhr2b$s "$bmac" "$1"
}

test_broadcast_syns_unanswered() {
  /usr/bin/python3 -c 'import scapy' 2>/dev/null || { say "python3-scapy is not installed (apt-get install python3-scapy)"; return $SKIP; }
  routed_up || return 1
  start_bg "$LOGS/icmp-bcast-server.out" in_b $RUN TcpServer --verbose
  wait_for_line "$LOGS/icmp-bcast-server.out" "Listening on" || return 1
  syn_probe 5000 >"$LOGS/icmp-bcast-ours.txt" 2>&1
  start_bg "$LOGS/icmp-bcast-kernel.out" in_b python3 "$ROOT/tests/system/kernel_stream.py" sink 5001
  wait_for_line "$LOGS/icmp-bcast-kernel.out" "listening" || return 1
  syn_probe 5001 >"$LOGS/icmp-bcast-kernel.txt" 2>&1
  say "== ours:"; cat "$LOGS/icmp-bcast-ours.txt"; grep "Dropped SYN" "$LOGS/icmp-bcast-server.out"
  say "== the kernel:"; cat "$LOGS/icmp-bcast-kernel.txt"
  local f
  for f in "$LOGS/icmp-bcast-ours.txt" "$LOGS/icmp-bcast-kernel.txt"; do
    grep -q "answer to 41006 SA" "$f" || { say "the ordinary SYN got no SYN-ACK: the probe proves nothing"; return 1; }
    [ "$(grep -c "^answer to" "$f")" -eq 1 ] || { say "an answer to a broadcast or multicast SYN"; return 1; }
  done
  [ "$(grep -c "Dropped SYN .*MUST-57" "$LOGS/icmp-bcast-server.out")" -eq 6 ]
}

# TcpClient refuses a multicast or broadcast destination at once, as the kernel's connect does.
test_client_refuses_broadcast() {
  routed_up || return 1
  local target status
  for target in 224.0.0.1 255.255.255.255 198.18.12.255; do
    in_b $RUN TcpClient "$target" --timeout 5 >"$LOGS/icmp-refuse.out" 2>&1
    status=$?
    cat "$LOGS/icmp-refuse.out"
    [ "$status" -eq 1 ] && grep -q "Error: cannot connect to $target: it is .*MUST-46" "$LOGS/icmp-refuse.out" || return 1
    grep -q "Sending SYN" "$LOGS/icmp-refuse.out" && return 1
  done
  in_b python3 -c 'import socket
s=socket.socket()
try: s.connect(("198.18.12.255",5000))
except OSError as e: print("kernel:", e.strerror)'
}

# ---------------------------------------------------------------- --bind

# B has two addresses; our server is bound to one. A kernel client's connect to the other is
# refused at once (the kernel's RST, which our RST guard must let pass), as with a kernel listener
# bound the same way; a connect to the bound address is ours and completes.
test_bind_other_address_refused() {
  routed_up || return 1
  ip -n "$NS_B" addr add 198.18.12.3/24 dev tbhb$$
  start_bg "$LOGS/icmp-bind.out" in_b $RUN TcpServer --bind 198.18.12.2 --verbose
  wait_for_line "$LOGS/icmp-bind.out" "Listening on" || return 1
  in_a python3 -c 'import socket, time
for host in ("198.18.12.3", "198.18.12.2"):
    s = socket.socket(); s.settimeout(5); t0 = time.time()
    try:
        s.connect((host, 5000)); print(host, "connected")
    except OSError as e:
        print(host, e.strerror, "after %d ms" % ((time.time() - t0) * 1000))
    s.close()' >"$LOGS/icmp-bind-client.out" 2>&1
  cat "$LOGS/icmp-bind-client.out"; grep -v "^\[Server\] [<-]" "$LOGS/icmp-bind.out" | head -n 20
  grep -q "^198.18.12.3 Connection refused after" "$LOGS/icmp-bind-client.out" \
    && grep -q "^198.18.12.2 connected" "$LOGS/icmp-bind-client.out" \
    && grep -q "to 198.18.12.3:5000: not our address (--bind 198.18.12.2), the kernel answers it" "$LOGS/icmp-bind.out"
}

# ---------------------------------------------------------------- the ladder of a real capture

# 20 kB from our client through the hop, with --pcap: Ladder draws the ICMP between the segments.
test_pmtu_ladder() {
  routed_up || return 1
  head -c 20000 /dev/urandom >"$BUILD/icmp-20k.bin"
  start_bg "$LOGS/icmp-ladder-sink.out" in_b python3 "$ROOT/tests/system/kernel_stream.py" sink 5000
  local sink=$LAST_PID
  wait_for_line "$LOGS/icmp-ladder-sink.out" "listening" || return 1
  rm -f "$LOGS/icmp-ladder.pcap"
  in_a timeout 30 $RUN TcpClient "$ICMP_B" --stdio --pcap "$LOGS/icmp-ladder.pcap" <"$BUILD/icmp-20k.bin" >/dev/null 2>"$LOGS/icmp-ladder.err" || return 1
  wait_bounded "$sink" 30 || return 1
  $RUN Ladder "$LOGS/icmp-ladder.pcap" >"$LOGS/icmp-ladder.txt" 2>&1 || { cat "$LOGS/icmp-ladder.txt"; return 1; }
  cat "$LOGS/icmp-ladder.txt"
  grep -q "|<~* ICMP fragmentation needed (next-hop MTU 1280) from $ICMP_R1A ~*|" "$LOGS/icmp-ladder.txt" \
    && grep -Eq "len=(1240|1228)" "$LOGS/icmp-ladder.txt" && grep -q "^20000 " "$LOGS/icmp-ladder-sink.out"
}
