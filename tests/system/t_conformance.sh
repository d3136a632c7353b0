# Scripted scenarios (tests/conformance/scenarios/*.script) played by a scripted peer in the client
# namespace against our TCP and the kernel's in the server namespace, side by side. One PASS or
# FAIL line per scenario; a scenario fails when the two stacks differ without a documented reason
# (or when either breaks the script). The side-by-side report is printed after the lines and kept
# in test-logs/conformance-report.txt. The format: tests/conformance/README.md.
#
# run_conformance_tests [NAME...]: NAME keeps only the scenarios whose name contains it.

run_conformance_tests() {
  local out=$LOGS/conformance.out status
  install_packages ethtool
  netns_up || { FAILED=$((FAILED + 1)); say "FAIL conformance (could not make the namespaces)"; netns_down; return; }
  # The kernel target's segments must reach the scripted peer as the wire would carry them: with
  # segmentation offload on, veth hands over one 64 KB "super-segment" instead of MSS-sized ones.
  in_server ethtool -K "$SERVER_DEV" tso off gso off >/dev/null 2>&1 || say "warning: could not turn segmentation offload off"
  rm -rf "$LOGS/conformance"
  in_client $RUN Conformance --server-ns "$NS_SERVER" --java "$RUN" --scenarios tests/conformance/scenarios \
      --logs "$LOGS/conformance" --report "$LOGS/conformance-report.txt" "$@" >"$out" 2>&1
  status=$?
  netns_down
  grep -E '^(PASS|FAIL) ' "$out"
  local p f
  p=$(grep -c '^PASS ' "$out")
  f=$(grep -c '^FAIL ' "$out")
  PASSED=$((PASSED + p)); FAILED=$((FAILED + f))
  if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then
    FAILED=$((FAILED + 1)); say "FAIL conformance runner (exit $status)"; tail -n 30 "$out" | sed 's/^/    /'
    return
  fi
  sed -n '/^Conformance:/,$p' "$out"
  [ "$f" -gt 0 ] && say "(per-scenario transcripts: $LOGS/conformance/NAME.ours.log and NAME.kernel.log)"
  return 0
}
