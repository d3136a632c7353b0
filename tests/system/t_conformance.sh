# Scripted scenarios (tests/conformance/scenarios/*.script) played by a scripted peer in the client
# namespace against every TCP we can run: ours and the kernel's in the server namespace, gVisor's
# netstack, lwIP, libslirp and passt beside the client namespace (tests/stacks/stack.sh). One PASS or
# FAIL line per scenario; a scenario fails when a stack breaks the script (its own documented branch
# included). The side-by-side report is printed after the lines and kept in
# test-logs/conformance-report.txt and .md; a full run (all scenarios, all stacks) also writes
# docs/conformance-report.md. The format: tests/conformance/README.md.
#
# run_conformance_tests [NAME...]: NAME keeps only the scenarios whose name contains it.
# CONFORMANCE_TARGETS=ours,kernel,gvisor (comma-separated) runs only those stacks;
# tcp:ADDRESS:PORT[,PORT,PORT] adds any TCP server (see tests/conformance/README.md).

ALL_CONFORMANCE_TARGETS=ours,kernel,gvisor,lwip,slirp,passt
# passt differs from the scripts in too many places to document each one (docs/conformance-report.md
# shows where): it is played and reported, but its differences do not fail the suite.
INFORMATIVE_TARGETS=passt
STACK_PACKAGES="golang-go golang-gvisor-gvisor-dev liblwip-dev pkg-config slirp4netns passt"

# Builds tests/stacks' peer programs once per run (gVisor's is Go, about 15 s from a cold cache).
build_stacks() {
  [ -n "${STACKS_BUILT:-}" ] && return 0
  tests/stacks/build.sh "$BUILD/stacks" >"$LOGS/build-stacks.log" 2>&1 || {
    cat "$LOGS/build-stacks.log"; say "could not build the other stacks' peers (tests/stacks/build.sh)" >&2; return 1; }
  STACKS_BUILT=1
}

run_conformance_tests() {
  local out=$LOGS/conformance.out status targets=${CONFORMANCE_TARGETS:-$ALL_CONFORMANCE_TARGETS}
  install_packages ethtool $STACK_PACKAGES
  build_stacks || { FAILED=$((FAILED + 1)); say "FAIL conformance (the other stacks did not build)"; return; }
  netns_up || { FAILED=$((FAILED + 1)); say "FAIL conformance (could not make the namespaces)"; netns_down; return; }
  # The kernel target's segments must reach the scripted peer as the wire would carry them: with
  # segmentation offload on, veth hands over one 64 KB "super-segment" instead of MSS-sized ones.
  in_server ethtool -K "$SERVER_DEV" tso off gso off >/dev/null 2>&1 || say "warning: could not turn segmentation offload off"
  rm -rf "$LOGS/conformance"
  local markdown=$LOGS/conformance-report.md
  in_client $RUN Conformance --server-ns "$NS_SERVER" --peer-ns "$NS_CLIENT" --targets "$targets" --informative "$INFORMATIVE_TARGETS" --tag "$$" \
      --java "$RUN" --scenarios tests/conformance/scenarios --stacks tests/stacks --stacks-bin "$BUILD/stacks" \
      --logs "$LOGS/conformance" --report "$LOGS/conformance-report.txt" --markdown "$markdown" "$@" >"$out" 2>&1
  status=$?
  local s; for s in gvisor lwip slirp passt; do PEER_NS=$NS_CLIENT TAG=$$ tests/stacks/stack.sh "$s" down 2>/dev/null; done
  netns_down
  grep -aE "^(PASS|FAIL) " "$out"
  local p f
  p=$(grep -ac "^PASS " "$out")
  f=$(grep -ac "^FAIL " "$out")
  PASSED=$((PASSED + p)); FAILED=$((FAILED + f))
  if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then
    FAILED=$((FAILED + 1)); say "FAIL conformance runner (exit $status)"; tail -n 30 "$out" | sed 's/^/    /'
    return
  fi
  sed -n '/^Conformance:/,$p' "$out"
  # The report in docs/ is the whole picture: it is rewritten only by a run of every scenario
  # against every stack (it holds no times, so it changes only when a behaviour does).
  if [ "$#" -eq 0 ] && [ "$targets" = "$ALL_CONFORMANCE_TARGETS" ] && [ -s "$markdown" ]; then
    cp "$markdown" docs/conformance-report.md && say "(report: docs/conformance-report.md)"
  fi
  [ "$f" -gt 0 ] && say "(per-scenario transcripts and captures: $LOGS/conformance/NAME.STACK.log and .pcap)"
  return 0
}
