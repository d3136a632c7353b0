#!/usr/bin/env bash
# The conformance runner alone: chosen stacks, chosen scenarios, the same report as the suite's.
#
#   sudo tests/conformance/run.sh                                every scenario against every stack
#   sudo tests/conformance/run.sh --targets ours,gvisor window   scenarios whose name holds "window"
#   sudo tests/conformance/run.sh --targets tcp:192.0.2.7:7,9     any TCP server: echo on port 7,
#                                                                discard on 9, from this host
#   sudo tests/conformance/run.sh --ip 6 [NAME...]                over IPv6, against ours and kernel
#                                                                (--ipv6 is the same)
#
# Stacks: ours, kernel, gvisor, lwip, slirp, passt, tcp:ADDRESS:ECHO[,NO_ECHO,CLOSE]. Ends with
# "N passed, N failed"; transcripts and captures per scenario and stack in test-logs/conformance/.
set -u
cd "$(dirname "$0")/../.."
source tests/system/lib.sh
source tests/system/t_conformance.sh
while [ "${1:-}" = --ip ] || [ "${1:-}" = --ipv6 ]; do
  if [ "$1" = --ipv6 ]; then export CONFORMANCE_IP=6; shift; continue; fi
  case "${2:-}" in 4|6) export CONFORMANCE_IP=$2 ;; *) say "--ip takes 4 or 6"; exit 2 ;; esac
  shift 2
done
if [ "${1:-}" = --targets ]; then
  [ -n "${2:-}" ] || { say "--targets needs a list, e.g. ours,kernel,gvisor"; exit 2; }
  export CONFORMANCE_TARGETS=$2
  shift 2
fi
if [ "${CONFORMANCE_IP:-4}" = 6 ] && printf '%s' "${CONFORMANCE_TARGETS:-}" | grep -qE 'tcp:|gvisor|lwip|slirp|passt'; then
  say "--ip 6 plays against ours and kernel only (the other stacks' links and tcp: targets are IPv4 here)"; exit 2
fi
require_root
install_packages
build
trap 'cleanup_background; netns_down' EXIT
trap 'exit 130' INT TERM

# Only tcp: targets (a device on your network): the peer runs here, in this host's namespace, with
# no namespaces of its own. Its nftables table drops this host's kernel RSTs from ports 20000-39999
# while it runs.
if [ -n "${CONFORMANCE_TARGETS:-}" ] && ! printf '%s' "$CONFORMANCE_TARGETS" | grep -qE '(^|,)[a-z]+(,|$)'; then
  say "== Conformance against $CONFORMANCE_TARGETS, from this host${1:+ (scenarios: $*)}"
  rm -rf "$LOGS/conformance"
  $RUN Conformance --targets "$CONFORMANCE_TARGETS" --java "$RUN" --scenarios tests/conformance/scenarios \
      --logs "$LOGS/conformance" --report "$LOGS/conformance-report.txt" --markdown "$LOGS/conformance-report.md" "$@" \
      | tee "$LOGS/conformance.out" | grep -aE '^(PASS|FAIL|note:) |^Conformance' 
  PASSED=$(grep -ac '^PASS ' "$LOGS/conformance.out"); FAILED=$(grep -ac '^FAIL ' "$LOGS/conformance.out")
  say "(report: $LOGS/conformance-report.md; transcripts and captures: $LOGS/conformance/)"
  summary
  exit
fi
if [ "${CONFORMANCE_IP:-4}" = 6 ]; then
  say "== Conformance over IPv6: ${CONFORMANCE_TARGETS:-ours,kernel}${1:+ (scenarios: $*)}"
else
  say "== Conformance: ${CONFORMANCE_TARGETS:-$ALL_CONFORMANCE_TARGETS}${1:+ (scenarios: $*)}"
fi
run_conformance_tests "$@"
summary
