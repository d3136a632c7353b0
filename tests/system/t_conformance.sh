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
# CONFORMANCE_IP=6 plays the scenarios over IPv6 (fd00:198:18::2 to ::1, as t_ipv6.sh) against ours
# and the kernel only (the other stacks' links are IPv4): the default targets become ours,kernel.

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
  local ip=${CONFORMANCE_IP:-4} all=$ALL_CONFORMANCE_TARGETS
  [ "$ip" = 6 ] && all=ours,kernel
  local out=$LOGS/conformance.out status targets=${CONFORMANCE_TARGETS:-$all}
  [ "$ip" = 6 ] && out=$LOGS/conformance-ipv6.out
  if [ "$ip" = 6 ]; then install_packages ethtool; else install_packages ethtool $STACK_PACKAGES; fi
  if [ "$ip" != 6 ]; then
    build_stacks || { FAILED=$((FAILED + 1)); say "FAIL conformance (the other stacks did not build)"; return; }
  fi
  netns_up || { FAILED=$((FAILED + 1)); say "FAIL conformance (could not make the namespaces)"; netns_down; return; }
  if [ "$ip" = 6 ]; then  # the addresses of t_ipv6.sh; nodad: usable at once
    ip -n "$NS_SERVER" addr add fd00:198:18::1/64 dev "$SERVER_DEV" nodad && ip -n "$NS_CLIENT" addr add fd00:198:18::2/64 dev "$CLIENT_DEV" nodad || {
      FAILED=$((FAILED + 1)); say "FAIL conformance (could not give the namespaces IPv6 addresses)"; netns_down; return; }
  fi
  # The kernel target's segments must reach the scripted peer as the wire would carry them: with
  # segmentation offload on, veth hands over one 64 KB "super-segment" instead of MSS-sized ones.
  in_server ethtool -K "$SERVER_DEV" tso off gso off >/dev/null 2>&1 || say "warning: could not turn segmentation offload off"
  local logs=$LOGS/conformance markdown=$LOGS/conformance-report.md report=$LOGS/conformance-report.txt
  [ "$ip" = 6 ] && { logs=$LOGS/conformance-ipv6; markdown=$LOGS/conformance-ipv6-report.md; report=$LOGS/conformance-ipv6-report.txt; }
  rm -rf "$logs"
  in_client $RUN Conformance --ip "$ip" --server-ns "$NS_SERVER" --peer-ns "$NS_CLIENT" --targets "$targets" --informative "$INFORMATIVE_TARGETS" --tag "$$" \
      --java "$RUN" --scenarios tests/conformance/scenarios --stacks tests/stacks --stacks-bin "$BUILD/stacks" \
      --logs "$logs" --report "$report" --markdown "$markdown" "$@" >"$out" 2>&1
  status=$?
  local s; for s in gvisor lwip slirp passt; do PEER_NS=$NS_CLIENT TAG=$$ tests/stacks/stack.sh "$s" down 2>/dev/null; done
  netns_down
  grep -aE "^(PASS|FAIL|note:) " "$out"
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
  if [ "$ip" = 4 ] && [ "$#" -eq 0 ] && [ "$targets" = "$ALL_CONFORMANCE_TARGETS" ] && [ -s "$markdown" ]; then
    cp "$markdown" docs/conformance-report.md && say "(report: docs/conformance-report.md)"
  fi
  [ "$f" -gt 0 ] && say "(per-scenario transcripts and captures: $logs/NAME.STACK.log and .pcap)"
  return 0
}
