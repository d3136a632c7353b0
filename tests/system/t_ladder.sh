# Ladder.java on real captures: tcpdump's view of the kernel's TCP between two namespaces (on the
# veth, Ethernet; on "any", Linux cooked), our own programs' --pcap, and the SVG in a browser.

# start_capture FILE ARGS...: tcpdump in the client's namespace, writing FILE, until stop_capture.
start_capture() {
  local file=$1; shift
  start_bg "$file.out" in_client tcpdump -Z root --immediate-mode -U -w "$file" "$@"
  CAPTURE_PID=$LAST_PID
  wait_for_line "$file.out" "listening on" 10
}

# stop_capture PID: SIGTERM makes tcpdump write what it has and exit.
stop_capture() {
  sleep 0.3
  kill $(process_tree "$1") 2>/dev/null
  wait_bounded "$1" 10 >/dev/null
  return 0
}

# check_handshake LADDER_OUTPUT: the first three arrows are SYN, SYN-ACK, ACK, the right way round.
check_handshake() {
  local arrows
  arrows=$(printf '%s\n' "$1" | grep -E '^ +[0-9]+\.[0-9]{3}  \|' | head -n 3)
  printf '%s\n' "$arrows" | sed -n 1p | grep -qE '\|-+ SYN(-ECE-CWR)? seq=0 len=0 .*->\|$' || { say "first arrow is not the SYN"; return 1; }
  printf '%s\n' "$arrows" | sed -n 2p | grep -qE '\|<-+ SYN-ACK(-ECE)? seq=0 ack=1 len=0 .*-\|$' || { say "second arrow is not the SYN-ACK"; return 1; }
  printf '%s\n' "$arrows" | sed -n 3p | grep -qE '\|-+ ACK seq=1 ack=1 len=0 .*->\|$' || { say "third arrow is not the ACK"; return 1; }
  say "SYN, SYN-ACK, ACK in order"
}

# draw PCAP: Ladder's text, checked for one connection and lines of at most 100 columns.
draw() {
  local out status
  out=$($RUN Ladder "$1" 2>&1); status=$?
  printf '%s\n' "$out"
  [ "$status" -eq 0 ] || { say "Ladder exit $status"; return 1; }
  [ "$(printf '%s\n' "$out" | awk 'length($0) > 100' | wc -l)" -eq 0 ] || { say "a line is wider than 100 columns"; return 1; }
  LADDER_OUT=$out
}

test_ladder_of_kernel_connection() {
  command -v tcpdump >/dev/null || { say "tcpdump is not installed"; return $SKIP; }
  netns_up || return 1
  start_capture "$LOGS/l1-veth.pcap" -i "$CLIENT_DEV" tcp port 5000 || return 1
  local veth=$CAPTURE_PID
  start_capture "$LOGS/l1-any.pcap" -i any tcp port 5000 || return 1
  local any=$CAPTURE_PID
  start_bg "$LOGS/l1-server.out" in_server $RUN KernelPeer echo-server 5000
  local server=$LAST_PID
  wait_for_line "$LOGS/l1-server.out" "listening" || return 1
  in_client $RUN KernelPeer client $SERVER_IP 5000 "hello, ladder" || return 1
  wait_bounded "$server" 20 || return 1
  stop_capture "$veth"; stop_capture "$any"
  local pcap
  for pcap in "$LOGS/l1-veth.pcap" "$LOGS/l1-any.pcap"; do
    say "== $pcap (link type $(od -An -tu4 -j20 -N4 "$pcap" | tr -d ' '))"
    draw "$pcap" || return 1
    printf '%s\n' "$LADDER_OUT" | grep -q "^Connection 1 of 1: $CLIENT_IP:[0-9]* <-> $SERVER_IP:5000, " || {
      say "expected one connection from the client to the server"; return 1; }
    check_handshake "$LADDER_OUT" || return 1
    printf '%s\n' "$LADDER_OUT" | grep -q "PSH-ACK seq=1 ack=1 len=13 " || { say "expected the 13 bytes of data"; return 1; }
  done
}

test_ladder_of_our_programs() {
  netns_up || return 1
  start_bg "$LOGS/l2-server.out" in_server $RUN TcpServer --count 1 --pcap "$LOGS/l2-server.pcap"
  local server=$LAST_PID
  wait_for_line "$LOGS/l2-server.out" "Listening on" || return 1
  in_client $RUN TcpClient $SERVER_IP --message "ours, drawn" --pcap "$LOGS/l2-client.pcap" || return 1
  wait_bounded "$server" 20 || return 1
  local pcap
  for pcap in "$LOGS/l2-client.pcap" "$LOGS/l2-server.pcap"; do
    say "== $pcap"
    draw "$pcap" || return 1
    check_handshake "$LADDER_OUT" || return 1
    printf '%s\n' "$LADDER_OUT" | grep -q "FIN-ACK" || { say "expected the FINs"; return 1; }
    ! printf '%s\n' "$LADDER_OUT" | grep -q retransmission || { say "nothing was retransmitted"; return 1; }
  done
  $RUN Ladder "$LOGS/l2-client.pcap" --mermaid >"$LOGS/l2-client.md" || return 1
  grep -q '^sequenceDiagram$' "$LOGS/l2-client.md" || return 1
  $RUN Ladder "$LOGS/l2-client.pcap" --svg "$LOGS/l2-client.svg" --time-sequence "$LOGS/l2-client-ts.svg" || return 1
  python3 -c 'import sys, xml.etree.ElementTree as E
for f in sys.argv[1:]: assert E.parse(f).getroot().tag == "{http://www.w3.org/2000/svg}svg", f' \
    "$LOGS/l2-client.svg" "$LOGS/l2-client-ts.svg" || { say "the SVG files do not parse as XML"; return 1; }
  say "the SVG files parse as XML"
}

test_ladder_svg_in_chromium() {
  command -v chromium >/dev/null || { say "chromium is not installed"; return $SKIP; }
  local svg=$LOGS/l3-ladder.svg dom
  $RUN Ladder docs/ladders/retransmitted-syn.pcap --svg "$svg" || return 1
  # --dump-dom shows the document as the browser built it: a <parsererror> when the XML is broken
  dom=$(timeout 60 chromium --headless --no-sandbox --disable-gpu --dump-dom "file://$svg" 2>"$LOGS/l3-chromium.err")
  [ $? -eq 0 ] || { cat "$LOGS/l3-chromium.err"; return 1; }
  printf '%s\n' "$dom" | head -n 3
  case "$dom" in
    *parsererror*) say "chromium found errors in the SVG"; printf '%s\n' "$dom" | grep -o 'error on line[^<]*'; return 1 ;;
    "<svg"*) ;;
    *) say "chromium did not build an SVG document"; return 1 ;;
  esac
  timeout 60 chromium --headless --no-sandbox --disable-gpu --window-size=900,420 \
    --screenshot="$LOGS/l3-ladder.png" "file://$svg" 2>>"$LOGS/l3-chromium.err" || { cat "$LOGS/l3-chromium.err"; return 1; }
  [ -s "$LOGS/l3-ladder.png" ] || { say "no screenshot"; return 1; }
  say "chromium rendered $svg to $LOGS/l3-ladder.png"
}

run_ladder_tests() {
  run_test "ladder: tcpdump's capture of a kernel-to-kernel connection draws SYN, SYN-ACK, ACK" test_ladder_of_kernel_connection
  run_test "ladder: our client's and server's --pcap captures draw, as text, Mermaid and SVG" test_ladder_of_our_programs
  run_test "ladder: headless chromium renders a ladder SVG without errors" test_ladder_svg_in_chromium
}
