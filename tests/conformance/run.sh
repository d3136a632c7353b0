#!/usr/bin/env bash
# The conformance runner alone: chosen stacks, chosen scenarios, the same report as the suite's.
#
#   sudo tests/conformance/run.sh                                every scenario against every stack
#   sudo tests/conformance/run.sh --targets ours,gvisor window   scenarios whose name holds "window"
#   sudo tests/conformance/run.sh --targets tcp:198.18.7.1:7     any TCP server (echo on port 7)
#
# Stacks: ours, kernel, gvisor, lwip, slirp, passt, tcp:ADDRESS:ECHO[,NO_ECHO,CLOSE]. Ends with
# "N passed, N failed"; transcripts and captures per scenario and stack in test-logs/conformance/.
set -u
cd "$(dirname "$0")/../.."
source tests/system/lib.sh
source tests/system/t_conformance.sh
if [ "${1:-}" = --targets ]; then
  [ -n "${2:-}" ] || { say "--targets needs a list, e.g. ours,kernel,gvisor"; exit 2; }
  export CONFORMANCE_TARGETS=$2
  shift 2
fi
require_root
install_packages
build
trap 'cleanup_background; netns_down' EXIT
trap 'exit 130' INT TERM
say "== Conformance: ${CONFORMANCE_TARGETS:-$ALL_CONFORMANCE_TARGETS}${1:+ (scenarios: $*)}"
run_conformance_tests "$@"
summary
