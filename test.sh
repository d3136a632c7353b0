#!/usr/bin/env bash
# Every test of the project: the wire format and the state machine in memory, then the programs
# for real: on loopback, and between two network namespaces against the Linux kernel's own TCP.
# Run as root: sudo ./test.sh. The last line reads "N passed, N failed".
# Verbose logs of each integration test are in test-logs/; a failing test prints its log.
set -u
cd "$(dirname "$0")"
mkdir -p test-logs
source tests/lib.sh
require_root
install_packages
build
trap 'cleanup_background; netns_down' EXIT
trap 'exit 130' INT TERM

for group in tests/t_*.sh; do
  source "$group"
done

# Groups, in order; "sudo ./test.sh loopback interop" runs just those.
groups=("${@:-unit loopback interop teardown hostile bench}")
for g in ${groups[*]}; do
  case "$g" in
    unit)
      say "== The wire format and the state machine, in memory"
      run_java_suite PacketsTest
      run_java_suite PacketsFuzzTest
      run_java_suite TcpConnectionTest
      run_java_suite IsnGeneratorTest
      run_java_suite PortFilterTest ;;
    loopback)
      say "== On loopback (issue: the handshake)"
      run_loopback_tests ;;
    interop)
      say "== Two hosts: network namespaces and the kernel's TCP (issue: interoperate)"
      run_interop_tests ;;
    teardown)
      say "== Teardown and loss (issue: teardown and retransmission)"
      run_teardown_tests ;;
    hostile)
      say "== Many connections and hostile input"
      run_hostile_tests ;;
    bench)
      say "== The benchmark, as a smoke run"
      run_bench_smoke ;;
    *) say "unknown test group $g (groups: unit loopback interop teardown hostile bench)"; exit 2 ;;
  esac
done

summary
