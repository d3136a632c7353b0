#!/usr/bin/env bash
# Every test of the project: the wire format and the state machine in memory, then the programs
# for real: on loopback, and between two network namespaces against the Linux kernel's own TCP.
#
#   sudo ./test.sh                    everything; the last line reads "N passed, N failed"
#   sudo ./test.sh loopback interop   just those groups
#   ./test.sh unit [NAME...]          the in-memory suites only: no root, no packages, seconds;
#                                     NAME keeps the suites, or the tests, whose name contains it
#
# Verbose logs of each integration test are in test-logs/; a failing test prints its log.
set -u
cd "$(dirname "$0")"
source tests/system/lib.sh

if [ "${1:-}" = unit ]; then
  shift
  build_unit || exit 1
  say "== The wire format and the state machine, in memory (tests/unit)"
  run_unit_suites "$@"
  summary
  exit
fi

require_root
install_packages
build
trap 'cleanup_background; netns_down' EXIT
trap 'exit 130' INT TERM

for group in tests/system/t_*.sh; do
  source "$group"
done

# Groups, in order; "sudo ./test.sh loopback interop" runs just those.
ALL_GROUPS="unit loopback interop teardown hostile data ring ladder faults icmp ipv6 modern conformance stacks bench"
groups=("${@:-$ALL_GROUPS}")
for g in ${groups[*]}; do
  case "$g" in
    unit)
      say "== The wire format and the state machine, in memory (tests/unit)"
      run_unit_suites
      run_java_suite "$RUN" StackLoopTest ;;  # the loop with a link in memory (needs the full build)
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
    data)
      say "== Real applications and bulk data (issue: carry real applications)"
      run_data_tests ;;
    ring)
      say "== The receive paths: the TPACKET_V3 and V2 rings and recvmsg, watching the kernel's streams"
      run_ring_tests ;;
    ladder)
      say "== Ladder diagrams of real captures (issue: see TCP)"
      run_ladder_tests ;;
    faults)
      say "== Faults on purpose, and the demo's ladder (issue: see TCP)"
      run_fault_tests ;;
    icmp)
      say "== When the network answers: ICMP unreachable and path MTU on a routed path (issue 17)"
      run_icmp_tests ;;
    ipv6)
      say "== IPv6: the same TCP over both versions, on ::1 and between two namespaces (issue 21)"
      run_ipv6_tests ;;
    modern)
      say "== A modern TCP against the kernel's: timestamps, TIME-WAIT reopen, keep-alive, SYN cookies, ECN, D-SACK, CUBIC and Reno (issue 19)"
      run_modern_tests ;;
    conformance)
      say "== Conformance: every scenario against ours, Linux, gVisor, lwIP, libslirp, passt (tests/conformance)"
      run_conformance_tests ;;
    stacks)
      say "== Real transfers with other TCP stacks: gVisor, lwIP, libslirp, passt (tests/stacks)"
      run_stacks_tests ;;
    bench)
      say "== The benchmark, as a smoke run"
      run_bench_smoke ;;
    *) say "unknown test group $g (groups: $ALL_GROUPS)"; exit 2 ;;
  esac
done

summary
