# Shared by test.sh and bench.sh: set-up, build, the two-host harness, and result counting.
# Source it from the project root.

ROOT=$(pwd)
BUILD=$ROOT/build
LOGS=${TEST_LOGS:-$ROOT/test-logs}   # TEST_LOGS=... keeps two runs on one tree apart
mkdir -p "$LOGS"
JVM_OPTIONS="--enable-native-access=ALL-UNNAMED -Djffi.unsafe.disabled=true"
PASSED=0
FAILED=0
SKIPPED=0
SKIP=77   # a test function returns this when what it needs is not on this machine
BACKGROUND_PIDS=()

say() { printf '%s\n' "$*"; }

require_root() {
  if [ "$(id -u)" -ne 0 ]; then
    say "These tests make network namespaces and firewall rules: run them as root (sudo $0)." >&2
    exit 1
  fi
}

# Debian packages the tests need; installed once, saying so.
install_packages() {
  local missing=()
  command -v nft >/dev/null || missing+=(nftables)
  command -v tshark >/dev/null || missing+=(tshark)
  command -v ip >/dev/null || missing+=(iproute2)
  command -v ss >/dev/null || missing+=(iproute2)
  command -v setpriv >/dev/null || missing+=(util-linux)
  command -v tcpdump >/dev/null || missing+=(tcpdump)
  command -v curl >/dev/null || missing+=(curl)
  command -v ethtool >/dev/null || missing+=(ethtool)
  [ "$#" -gt 0 ] && for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ "${#missing[@]}" -eq 0 ] && return 0
  say "Installing with apt-get: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null && apt-get install -y -q "${missing[@]}" >/dev/null || {
    say "apt-get could not install ${missing[*]}" >&2; exit 1; }
}

# The in-memory layers and their tests: plain javac, no dependency, no root. Every file that
# knows nothing of raw sockets is here, so it is compiled with every warning as an error.
UNIT_SOURCES() { ls Packets.java IpAddress.java Icmp.java tcp/*.java os/PortFilter.java os/LocalAddresses.java os/Tpacket3.java os/Tpacket2.java os/PacketInfo.java os/PacketHandler.java app/Log.java app/LiveLadder.java stack/FaultInjector.java tests/conformance/Script.java tests/unit/*.java $(ls viz/*.java Ladder.java 2>/dev/null); }

build_unit() {
  mkdir -p "$LOGS"
  UNIT_BUILD=${UNIT_BUILD:-$BUILD/unit}
  rm -rf "$UNIT_BUILD" && mkdir -p "$UNIT_BUILD"
  javac -Xlint:all -Werror -d "$UNIT_BUILD" $(UNIT_SOURCES) 2>"$LOGS/build-unit.log" || {
    cat "$LOGS/build-unit.log"; say "unit test build failed" >&2; return 1; }
  UNIT_RUN="java -cp $UNIT_BUILD"
}

# The in-memory suites: every tests/unit/*Test.java. With names, only the suites whose class
# name contains one of them run whole, and in the other suites only the tests whose name does.
run_unit_suites() {
  local f cls name wanted
  for f in tests/unit/*Test.java; do
    cls=$(basename "$f" .java)
    # Without names, no filter at all, not even one left in the environment: the state table's
    # coverage test (TcpConnectionTest) needs every test to have run.
    if [ "$#" -eq 0 ]; then CHECK_FILTER= run_java_suite "$UNIT_RUN" "$cls"; continue; fi
    wanted=""
    for name in "$@"; do case "$cls" in *"$name"*) wanted=all ;; esac; done
    if [ "$wanted" = all ]; then run_java_suite "$UNIT_RUN" "$cls"
    else CHECK_FILTER="$*" run_java_suite "$UNIT_RUN" "$cls"; fi
  done
}

# Compiles the product and the tests into build/classes; sets RUN (the java command line).
build() {
  say "Building (JBang fetches the dependencies on the first run)..."
  ./jbang build TcpServer.java >/dev/null 2>"$LOGS/build.log" && ./jbang build TcpClient.java >/dev/null 2>>"$LOGS/build.log" || {
    cat "$LOGS/build.log"; say "build failed" >&2; exit 1; }
  DEPS=$(./jbang info classpath TcpServer.java 2>/dev/null | tr ':' '\n' | grep -v '/.jbang/cache/jars/' | paste -sd:)
  CLASSES=${CLASSES:-$BUILD/classes}  # another folder (CLASSES=...) lets two runs share a tree
  rm -rf "$CLASSES" && mkdir -p "$CLASSES"
  javac -Xlint:all -Xlint:-options -Xlint:-try -Werror -d "$CLASSES" -cp "$DEPS" \
      ./*.java tcp/*.java stack/*.java os/*.java app/*.java $(ls viz/*.java 2>/dev/null) \
      tests/unit/*.java tests/system/*.java tests/conformance/*.java bench/*.java 2>>"$LOGS/build.log" || {
    cat "$LOGS/build.log"; say "test build failed" >&2; exit 1; }
  # $RUN CLASS ARGS: java as JBang runs our scripts, with the //JAVA_OPTIONS line of CLASS.java
  # when there is one (TcpClient's asks for C1 alone), JVM_OPTIONS otherwise.
  local launcher=$CLASSES.run
  cat > "$launcher" <<EOF
#!/bin/sh
options="$JVM_OPTIONS"
[ -f "$ROOT/\$1.java" ] && line=\$(sed -n 's|^//JAVA_OPTIONS ||p' "$ROOT/\$1.java") && [ -n "\$line" ] && options=\$line
exec java \$options -cp "$CLASSES:$DEPS" "\$@"
EOF
  chmod +x "$launcher"
  RUN=$launcher
  build_unit || exit 1
}

# ---------------------------------------------------------------- results

# run_test NAME FUNCTION: runs the function with its output in test-logs/, prints PASS or FAIL;
# on failure the function's log (which holds the programs' verbose logs) is shown.
run_test() {
  local name=$1 fn=$2 log
  log="$LOGS/$(printf '%s' "$name" | tr -c 'A-Za-z0-9._-' '_').log"
  ( trap 'cleanup_background; netns_down' EXIT; set -u; "$fn" ) >"$log" 2>&1
  local status=$?
  if [ "$status" -eq 0 ]; then
    PASSED=$((PASSED + 1)); say "PASS $name"
  elif [ "$status" -eq "$SKIP" ]; then
    SKIPPED=$((SKIPPED + 1)); say "SKIP $name ($(tail -n 1 "$log"))"
  else
    FAILED=$((FAILED + 1)); say "FAIL $name"
    say "---- log of the failed test ($log), last 60 lines:"
    tail -n 60 "$log" | sed 's/^/    /'
    say "----"
  fi
}

# run_java_suite JAVA CLASS [ARGS]: a Java test class prints PASS/FAIL lines; each one counts.
run_java_suite() {
  local java=$1 cls=$2 out status; shift 2
  out=$($java "$cls" "$@" 2>&1); status=$?
  printf '%s\n' "$out" | grep -E '^(PASS|FAIL|SKIP) ' || true
  local p f s
  p=$(printf '%s\n' "$out" | grep -c '^PASS ')
  f=$(printf '%s\n' "$out" | grep -c '^FAIL ')
  s=$(printf '%s\n' "$out" | grep -c '^SKIP ')
  PASSED=$((PASSED + p)); FAILED=$((FAILED + f)); SKIPPED=$((SKIPPED + s))
  if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then
    FAILED=$((FAILED + 1)); say "FAIL $cls (exit $status)"; printf '%s\n' "$out" | tail -n 30 | sed 's/^/    /'
  fi
}

summary() {
  [ "$SKIPPED" -gt 0 ] && say "$SKIPPED skipped (not counted below)"
  say "$PASSED passed, $FAILED failed"
  [ "$FAILED" -eq 0 ]
}

# ---------------------------------------------------------------- processes

# start_bg LOGFILE COMMAND...: runs a command in the background, remembered for clean-up.
start_bg() {
  local logfile=$1; shift
  # Emptied here, before the command starts: a test that reuses a log file must not find the last
  # run's lines in it (wait_for_line "Listening on" would return before this server listens).
  : >"$logfile"
  # "<&0": without a redirection of its own, bash gives a background command /dev/null as input
  "$@" <&0 >"$logfile" 2>&1 &
  BACKGROUND_PIDS+=($!)
  LAST_PID=$!
}

# A background command may be a shell function (in_server ...), whose java runs as a child of a
# subshell: clean-up ends the whole tree, children first (SIGTERM lets our programs remove their
# firewall tables), and kills what is still there a few seconds later.
process_tree() { local p=$1 c; for c in $(pgrep -P "$p"); do process_tree "$c"; done; printf '%s\n' "$p"; }

any_alive() { local p; for p in "$@"; do kill -0 "$p" 2>/dev/null && return 0; done; return 1; }

cleanup_background() {
  local p tree=()
  for p in "${BACKGROUND_PIDS[@]:-}"; do
    [ -n "$p" ] && tree+=($(process_tree "$p"))
  done
  BACKGROUND_PIDS=()
  [ "${#tree[@]}" -eq 0 ] && return 0
  kill "${tree[@]}" 2>/dev/null
  local i
  for i in $(seq 1 50); do
    any_alive "${tree[@]}" || break
    sleep 0.1
  done
  kill -9 "${tree[@]}" 2>/dev/null
  for p in "${tree[@]}"; do wait "$p" 2>/dev/null; done
  return 0
}

# wait_bounded PID [SECONDS]: the exit status of a background process; if it has not ended in time
# it is killed with its children and the status is 124, so a test can fail but never hang.
wait_bounded() {
  local pid=$1 limit=${2:-60} i
  for ((i = 0; i < limit * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || { wait "$pid"; return $?; }
    sleep 0.1
  done
  say "process $pid still running after ${limit} s: killed"
  kill -9 $(process_tree "$pid") 2>/dev/null
  wait "$pid" 2>/dev/null
  return 124
}

# java_pid PID: the java process in the tree of a background command (whose top may be a subshell).
java_pid() {
  local p
  for p in $(process_tree "$1"); do
    [ "$(cat "/proc/$p/comm" 2>/dev/null)" = java ] && { printf '%s\n' "$p"; return 0; }
  done
  return 1
}

# wait_for_line FILE PATTERN [SECONDS]: true once the file has a line matching PATTERN.
wait_for_line() {
  local file=$1 pattern=$2 limit=${3:-20} i
  for ((i = 0; i < limit * 20; i++)); do
    grep -q -- "$pattern" "$file" 2>/dev/null && return 0
    sleep 0.05
  done
  say "timed out waiting for '$pattern' in $file"; cat "$file"
  return 1
}

# Tables our programs leave in the current network namespace (must be none after they exit).
our_tables() { nft list tables 2>/dev/null | grep -o 'tcpbyhand_[0-9]*' || true; }

# ---------------------------------------------------------------- two hosts

# Two network namespaces joined by a veth pair: the "server" host 198.18.0.1 and the "client" host
# 198.18.0.2 (RFC 2544's benchmarking range). Checksum offload stays at its default.
NS_SERVER=""
NS_CLIENT=""
SERVER_IP=198.18.0.1
CLIENT_IP=198.18.0.2

netns_up() {
  NS_SERVER=tbh-srv-$$
  NS_CLIENT=tbh-cli-$$
  ip netns add "$NS_SERVER" && ip netns add "$NS_CLIENT" || return 1
  ip link add "tbhs$$" type veth peer name "tbhc$$" || return 1
  ip link set "tbhs$$" netns "$NS_SERVER" && ip link set "tbhc$$" netns "$NS_CLIENT" || return 1
  SERVER_DEV=tbhs$$
  CLIENT_DEV=tbhc$$
  ip -n "$NS_SERVER" addr add "$SERVER_IP/24" dev "$SERVER_DEV"
  ip -n "$NS_CLIENT" addr add "$CLIENT_IP/24" dev "$CLIENT_DEV"
  ip -n "$NS_SERVER" link set lo up && ip -n "$NS_SERVER" link set "$SERVER_DEV" up
  ip -n "$NS_CLIENT" link set lo up && ip -n "$NS_CLIENT" link set "$CLIENT_DEV" up
}

# kernel_sends_single_segments server|client DEV: the kernel's TCP in that namespace hands nftables
# single segments, not 64 KB GSO bursts. Segmentation offload off is not enough: TCP builds GSO
# packets anyway and the device cuts them after the postrouting hook (measured: 58 packets through
# a postrouting counter for 3 MB with tso and gso off, 2081 with gso_max_segs 1 as well).
kernel_sends_single_segments() {
  in_$1 ethtool -K "$2" tso off gso off >/dev/null 2>&1
  in_$1 ip link set dev "$2" gso_max_segs 1
}

netns_down() {
  [ -n "$NS_SERVER" ] && ip netns del "$NS_SERVER" 2>/dev/null
  [ -n "$NS_CLIENT" ] && ip netns del "$NS_CLIENT" 2>/dev/null
  NS_SERVER=""; NS_CLIENT=""
  [ -n "${NS_LO:-}" ] && ip netns del "$NS_LO" 2>/dev/null
  NS_LO=""
}

in_server() { ip netns exec "$NS_SERVER" "$@"; }
in_client() { ip netns exec "$NS_CLIENT" "$@"; }

# expect_hops_and_dscp PCAP SRC_FILTER HOP_FIELD DSCP_FIELD NAME: every packet of ours in the
# capture (at least 4) carries hop count 7 and DSCP 46, as --ttl 7 --dscp 46 asked (MUST-48/49).
expect_hops_and_dscp() {
  local pcap=$1 filter=$2 hops=$3 dscp=$4 name=$5 ours others
  ours=$(tshark -r "$pcap" -Y "$filter" -T fields -e "$hops" -e "$dscp" 2>"$pcap.tshark.err") || { cat "$pcap.tshark.err"; return 1; }
  say "$name and DSCP of each packet from our client, as the server's host saw them:"; say "$ours"
  [ "$(printf '%s\n' "$ours" | grep -c .)" -ge 4 ] || { say "expected at least 4 packets from our client"; return 1; }
  others=$(printf '%s\n' "$ours" | grep -v -P '^7\t46$')
  [ -z "$others" ] || { say "packets without $name 7 and DSCP 46: $others"; return 1; }
}
