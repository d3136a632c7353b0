#!/usr/bin/env bash
# The benchmark: our TCP against the Linux kernel's, on the same path (two network namespaces
# joined by a veth pair, as in the tests), in one run, after a warm-up.
#   sudo ./bench.sh            the full run (a few minutes)
#   sudo ./bench.sh --smoke    a short run that only shows the benchmark works (used by test.sh)
# Prints a table with the ratio of each figure to the kernel's (to scapy's for packet building),
# then one key=value line per headline figure.
set -u
cd "$(dirname "$0")"
mkdir -p test-logs
source tests/system/lib.sh
require_root
install_packages python3-scapy gcc
build >/dev/null
# The kernel's side of the comparison is written in C, so that no JVM slows the baseline down.
gcc -O2 -Wall -o "$BUILD/kernel_client" bench/kernel_client.c && gcc -O2 -Wall -o "$BUILD/kernel_server" bench/kernel_server.c || exit 1
KERNEL_CLIENT=$BUILD/kernel_client

if [ "${1:-}" = "--smoke" ]; then
  LATENCY_N=300; WARMUP=200; RATE_N=1000; HOLD=300; BUILD_ROUNDS="3 200000"; SCAPY_N=100; IN_FLIGHT="1 10 100"
else
  LATENCY_N=5000; WARMUP=10000; RATE_N=30000; HOLD=10000; BUILD_ROUNDS="7 2000000"; SCAPY_N=2000; IN_FLIGHT="1 10 100 1000"
fi

fifo=""
trap 'cleanup_background; netns_down; [ -n "$fifo" ] && rm -f "$fifo"' EXIT
trap 'exit 130' INT TERM
netns_up || { say "could not make the namespaces"; exit 1; }

# Our server gets the kernel server's listen() backlog (4096), so that both hold as many half-open
# connections when many are in flight.
start_bg "$LOGS/bench-our-server.out" in_server $RUN TcpServer --port 5000 --quiet --backlog 4096
start_bg "$LOGS/bench-kernel-server.out" in_server "$BUILD/kernel_server" 5001
wait_for_line "$LOGS/bench-kernel-server.out" "listening" && sleep 1 || exit 1

# field NAME LINE: the value of NAME=... in a result line
field() { printf '%s\n' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
measure() {
  local out; out=$(in_client "$@" 2>&1 | grep 'handshakes=')
  [ -n "$out" ] || { say "no result from: $*" >&2; return 1; }
  printf '%s\n' "$out"
}

say "Measuring handshake latency ($LATENCY_N handshakes each, after $WARMUP of warm-up)..."
ours_ours=$(measure $RUN BenchClient run $SERVER_IP 5000 $LATENCY_N 1 $WARMUP) || exit 1
ours_kernel=$(measure $RUN BenchClient run $SERVER_IP 5001 $LATENCY_N 1 $WARMUP) || exit 1
kernel_ours=$(measure "$KERNEL_CLIENT" $SERVER_IP 5000 $LATENCY_N 1 $WARMUP) || exit 1
kernel_kernel=$(measure "$KERNEL_CLIENT" $SERVER_IP 5001 $LATENCY_N 1 $WARMUP) || exit 1

say "Measuring handshakes per second with 100 in flight ($RATE_N handshakes)..."
rate_ours=$(measure $RUN BenchClient run $SERVER_IP 5000 $RATE_N 100 $WARMUP) || exit 1
rate_kernel=$(measure "$KERNEL_CLIENT" $SERVER_IP 5001 $RATE_N 100 $WARMUP) || exit 1

say "Measuring how the rate grows with connections in flight ($IN_FLIGHT)..."
declare -A scaling kernel_scaling
for k in $IN_FLIGHT; do
  scaling[$k]=$(field rate "$(measure $RUN BenchClient run $SERVER_IP 5000 $RATE_N "$k" $WARMUP)") || exit 1
  kernel_scaling[$k]=$(field rate "$(measure "$KERNEL_CLIENT" $SERVER_IP 5001 $RATE_N "$k" $WARMUP)") || exit 1
done

say "Measuring the cost of building a SYN..."
build_out=$($RUN BuildBench $BUILD_ROUNDS)
scapy_out=$(/usr/bin/python3 bench/scapy_build.py $SCAPY_N 2>/dev/null)
build_ours=$(printf '%s\n' "$build_out" | sed -n 's/^build_ns=\([0-9.]*\).*/\1/p')
build_scapy=$(printf '%s\n' "$scapy_out" | sed -n 's/^build_ns=\([0-9.]*\).*/\1/p')
same_packet=no
[ "$(printf '%s\n' "$build_out" | sed -n 's/^packet=//p')" = "$(printf '%s\n' "$scapy_out" | sed -n 's/^packet=//p')" ] && same_packet=yes

say "Measuring the server's heap per idle connection ($HOLD connections)..."
start_bg "$LOGS/bench-heap-server.out" in_server $RUN TcpServer --port 5002 --quiet --backlog 4096
heap_server=$LAST_PID
sleep 1
heap_pid=$(java_pid "$heap_server") || { say "the heap server did not start"; exit 1; }
heap_used() { jcmd "$1" GC.class_histogram 2>/dev/null | awk '$1 == "Total" {print $3}'; }
heap_before=$(heap_used "$heap_pid")
fifo=$(mktemp -u /tmp/tbh-bench.XXXXXX); mkfifo "$fifo"
exec 9<>"$fifo"   # read-write: opening it does not wait for the other end
start_bg "$LOGS/bench-hold.out" in_client $RUN BenchClient hold $SERVER_IP 5002 $HOLD <&9
wait_for_line "$LOGS/bench-hold.out" "established $HOLD" 120 || exit 1
sleep 1  # handshakes whose last ACK was lost complete on the server with a SYN-ACK retransmission
heap_after=$(heap_used "$heap_pid")
# Divide by the connections the server really holds (its TcpConnection objects), not by what the
# client believes.
held=$(jcmd "$heap_pid" GC.class_histogram 2>/dev/null | awk '$4 == "TcpConnection" {print $2}')
echo release >&9; exec 9>&-
[ "${held:-0}" -gt 0 ] || { say "the server holds no connection"; exit 1; }
heap_per_conn=$(( (heap_after - heap_before) / held ))

# ---------------------------------------------------------------- report
med() { field median_us "$1"; }
p99() { field p99_us "$1"; }
say ""
say "Machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores, Linux $(uname -r), $(java -version 2>&1 | head -n 1)"
say "Path: two network namespaces joined by a veth pair; client 198.18.0.2, server 198.18.0.1"
say "Ours: the stack of TcpClient and TcpServer (bench/BenchClient.java drives it); the kernel: bench/kernel_*.c"
say ""
printf '%-48s %12s %12s %10s\n' "Handshake latency (SYN sent -> ESTABLISHED)" "median us" "p99 us" "x kernel"
for row in "our client -> our server:ours_ours" "our client -> kernel server:ours_kernel" \
           "kernel client -> our server:kernel_ours" "kernel client -> kernel server:kernel_kernel"; do
  name=${row%%:*}; var=${row##*:}
  printf '%-48s %12s %12s %10s\n' "  $name" "$(med "${!var}")" "$(p99 "${!var}")" "$(ratio "$(med "${!var}")" "$(med "$kernel_kernel")")"
done
printf '\n%-48s %12s %12s %10s\n' "Handshakes per second, 100 in flight" "ours" "kernel" "x kernel"
printf '%-48s %12s %12s %10s\n' "" "$(field rate "$rate_ours")" "$(field rate "$rate_kernel")" "$(ratio "$(field rate "$rate_ours")" "$(field rate "$rate_kernel")")"
printf '\n%-48s %12s %12s %10s\n' "Building one SYN with its checksums" "ours ns" "scapy ns" "speed-up"
printf '%-48s %12s %12s %10s\n' "  (same 44 bytes: $same_packet)" "$build_ours" "$build_scapy" "$(ratio "$build_scapy" "$build_ours")"
printf '\n%-48s' "Handshakes per second by connections in flight"
for k in $IN_FLIGHT; do printf ' %9s' "$k"; done; printf '\n%-48s' "  ours"
for k in $IN_FLIGHT; do printf ' %9s' "${scaling[$k]}"; done; printf '\n%-48s' "  kernel"
for k in $IN_FLIGHT; do printf ' %9s' "${kernel_scaling[$k]}"; done; printf '\n'
printf '\n%-48s %12s\n' "Server heap per idle ESTABLISHED connection" "$heap_per_conn bytes"
printf '%-48s %12s\n' "  ($held connections on the server; live heap before/after)" "$heap_before/$heap_after"
say ""
say "latency_median_us_ours=$(med "$ours_ours")"
say "latency_median_us_kernel=$(med "$kernel_kernel")"
say "latency_ratio=$(ratio "$(med "$ours_ours")" "$(med "$kernel_kernel")")"
say "handshakes_per_s_ours=$(field rate "$rate_ours")"
say "handshakes_per_s_kernel=$(field rate "$rate_kernel")"
say "build_ns_ours=$build_ours"
say "build_ns_scapy=$build_scapy"
say "build_speedup_vs_scapy=$(ratio "$build_scapy" "$build_ours")"
say "heap_bytes_per_idle_conn=$heap_per_conn"
