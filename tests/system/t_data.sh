# Real applications over our TCP (issue: carry real applications): netcat-style --stdio with a
# real HTTP server and curl, files copied with their sha256 checked, bulk data both ways against
# the kernel, loss injected with nftables, a reader that pauses, a peer that never reads.
# Sizes are kept short for the suite (DATA_MB, default 20); bench.sh moves 100 MB.

DATA_MB=${DATA_MB:-20}
STREAMS_MB=${STREAMS_MB:-50}   # each of the ten streams at once
KSTREAM="python3 $ROOT/tests/system/kernel_stream.py"

# make_file NAME MEGABYTES: random bytes, made once per run.
make_file() {
  local f="$BUILD/data-$1.bin"
  [ -s "$f" ] || { head -c $(($2 * 1000000)) /dev/urandom >"$f.$$" && mv "$f.$$" "$f"; }
  printf '%s\n' "$f"
}

sha() { sha256sum "$1" | cut -d' ' -f1; }

# The kernel's segments one by one through nftables (shared notes, section 7).
kernel_segments_unmerged() {
  kernel_sends_single_segments server "$SERVER_DEV"
  kernel_sends_single_segments client "$CLIENT_DEV"
  return 0
}

# ---------------------------------------------------------------- real peers

test_http_get_from_python_http_server() {
  netns_up || return 1
  local dir="$BUILD/www" page
  mkdir -p "$dir" && page=$(make_file page 2) && cp "$page" "$dir/page.bin" || return 1
  start_bg "$LOGS/d1-http.out" in_server python3 -m http.server 8000 --bind "$SERVER_IP" --directory "$dir"
  wait_for_line "$LOGS/d1-http.out" "Serving HTTP" 20 || return 1
  printf 'GET /page.bin HTTP/1.0\r\nHost: %s\r\n\r\n' "$SERVER_IP" >"$BUILD/d1-request"
  in_client $RUN TcpClient "$SERVER_IP" --port 8000 --stdio <"$BUILD/d1-request" >"$BUILD/d1-response" 2>"$LOGS/d1-client.err"
  local status=$?; cat "$LOGS/d1-client.err"
  [ "$status" -eq 0 ] || { say "client exit $status"; return 1; }
  head -c 200 "$BUILD/d1-response" | head -n 1
  head -n 1 "$BUILD/d1-response" | grep -q "HTTP/1.0 200 OK" || return 1
  # the body is what follows the blank line after the headers
  python3 -c 'import sys; d=open(sys.argv[1],"rb").read(); open(sys.argv[2],"wb").write(d[d.index(b"\r\n\r\n")+4:])' \
    "$BUILD/d1-response" "$BUILD/d1-body" || return 1
  say "page $(sha "$page"), body $(sha "$BUILD/d1-body")"
  [ "$(sha "$page")" = "$(sha "$BUILD/d1-body")" ]
}

test_curl_through_our_stdio_server() {
  command -v curl >/dev/null || { say "curl is not installed"; return "$SKIP"; }
  netns_up || return 1
  local body; body=$(make_file curlbody 1)
  { printf 'HTTP/1.0 200 OK\r\nContent-Length: %d\r\nContent-Type: application/octet-stream\r\n\r\n' "$(stat -c %s "$body")"
    cat "$body"; } >"$BUILD/d2-response"
  start_bg "$LOGS/d2-server.err" in_server bash -c "$RUN TcpServer --stdio <'$BUILD/d2-response' >'$BUILD/d2-request'"
  local server=$LAST_PID
  wait_for_line "$LOGS/d2-server.err" "Listening on" || return 1
  in_client curl -sS --max-time 30 -o "$BUILD/d2-got" "http://$SERVER_IP:5000/hello" || { say "curl failed"; return 1; }
  wait_bounded "$server" 30 || { cat "$LOGS/d2-server.err"; return 1; }
  cat "$LOGS/d2-server.err"
  head -n 1 "$BUILD/d2-request"
  grep -q "^GET /hello HTTP/1.1" "$BUILD/d2-request" || return 1
  [ "$(sha "$body")" = "$(sha "$BUILD/d2-got")" ]
}

# ---------------------------------------------------------------- bulk data, sha256 checked

# copy_ours_to_ours FILE [client options...]: TcpServer --stdio > out, TcpClient --stdio < FILE.
copy_ours_to_ours() {
  local file=$1; shift
  start_bg "$LOGS/copy-server.err" in_server bash -c "$RUN TcpServer --stdio $* >'$BUILD/copy-out' </dev/null"
  local server=$LAST_PID
  wait_for_line "$LOGS/copy-server.err" "Listening on" || return 1
  in_client $RUN TcpClient "$SERVER_IP" --stdio "$@" <"$file" >/dev/null 2>"$LOGS/copy-client.err" || {
    cat "$LOGS/copy-client.err"; return 1; }
  wait_bounded "$server" 120 || { cat "$LOGS/copy-server.err"; return 1; }
  tail -n 2 "$LOGS/copy-client.err" "$LOGS/copy-server.err"
  say "sent $(sha "$file"), arrived $(sha "$BUILD/copy-out")"
  [ "$(sha "$file")" = "$(sha "$BUILD/copy-out")" ]
}

# ours_to_kernel FILE: our client sends FILE to a kernel sink, which reports what arrived.
ours_to_kernel() {
  local file=$1; shift
  start_bg "$LOGS/o2k-sink.out" in_server $KSTREAM sink 5000
  local sink=$LAST_PID
  wait_for_line "$LOGS/o2k-sink.out" "listening" || return 1
  in_client $RUN TcpClient "$SERVER_IP" --stdio "$@" <"$file" >/dev/null 2>"$LOGS/o2k-client.err" || {
    cat "$LOGS/o2k-client.err"; return 1; }
  wait_bounded "$sink" 120 || return 1
  tail -n 1 "$LOGS/o2k-client.err"; cat "$LOGS/o2k-sink.out"
  grep -q "^$(stat -c %s "$file") $(sha "$file")$" "$LOGS/o2k-sink.out"
}

# kernel_to_ours FILE: a kernel client sends FILE to TcpServer --stdio.
kernel_to_ours() {
  local file=$1; shift
  start_bg "$LOGS/k2o-server.err" in_server bash -c "$RUN TcpServer --stdio $* >'$BUILD/k2o-out' </dev/null"
  local server=$LAST_PID
  wait_for_line "$LOGS/k2o-server.err" "Listening on" || return 1
  in_client $KSTREAM send "$SERVER_IP" 5000 "$file" >"$LOGS/k2o-client.out" || return 1
  wait_bounded "$server" 120 || { cat "$LOGS/k2o-server.err"; return 1; }
  tail -n 1 "$LOGS/k2o-server.err"
  [ "$(sha "$file")" = "$(sha "$BUILD/k2o-out")" ]
}

test_copy_ours_to_ours() { netns_up && copy_ours_to_ours "$(make_file bulk "$DATA_MB")"; }
test_ours_to_kernel() { netns_up && ours_to_kernel "$(make_file bulk "$DATA_MB")"; }
test_kernel_to_ours() { netns_up && kernel_to_ours "$(make_file bulk "$DATA_MB")"; }

# timed NAME COMMAND...: runs a test body, records its seconds in $BUILD/time-NAME.
timed() {
  local name=$1; shift
  local t0 t1; t0=$(date +%s%N)
  "$@" || return 1
  t1=$(date +%s%N)
  echo $(((t1 - t0) / 1000000)) >"$BUILD/time-$name"
  say "$name took $(((t1 - t0) / 1000000)) ms"
}

# Loss each way on the client's side of the veth: intact, and at most 10 times the lossless time
# (measured here on the same path, with a floor of 2 s for the comparison's sake).
lossy_transfer() {
  local percent=$1 direction=$2 file
  file=$(make_file bulk "$DATA_MB")
  netns_up && kernel_segments_unmerged || return 1
  timed "lossless-$direction" "$direction" "$file" || return 1
  netns_down; netns_up && kernel_segments_unmerged && add_loss "$percent" || return 1
  timed "loss$percent-$direction" "$direction" "$file" --rto-min 200 || return 1
  local clean lossy; clean=$(cat "$BUILD/time-lossless-$direction"); lossy=$(cat "$BUILD/time-loss$percent-$direction")
  [ "$clean" -lt 2000 ] && clean=2000
  say "lossless (floor 2 s) $clean ms, with $percent% loss each way $lossy ms"
  [ "$lossy" -le $((clean * 10)) ]
}
test_one_percent_loss_ours_to_ours() { lossy_transfer 1 copy_ours_to_ours; }
test_one_percent_loss_ours_to_kernel() { lossy_transfer 1 ours_to_kernel; }
test_one_percent_loss_kernel_to_ours() { lossy_transfer 1 kernel_to_ours; }
test_five_percent_loss_ours_to_ours() { lossy_transfer 5 copy_ours_to_ours; }
test_five_percent_loss_ours_to_kernel() { lossy_transfer 5 ours_to_kernel; }
test_five_percent_loss_kernel_to_ours() { lossy_transfer 5 kernel_to_ours; }

# ---------------------------------------------------------------- slow and absent readers

# A kernel receiver stops reading for 4 s: its window closes, we probe, and when it reads again
# the transfer resumes and completes, intact, without an RTO's worth of extra waiting.
test_kernel_reader_pauses_we_probe_and_resume() {
  netns_up || return 1
  local file; file=$(make_file pause 8)
  start_bg "$LOGS/d6-reader.out" in_server $KSTREAM pause-reader 5000 4
  local reader=$LAST_PID
  wait_for_line "$LOGS/d6-reader.out" "listening" || return 1
  in_client $RUN TcpClient "$SERVER_IP" --stdio --verbose <"$file" >/dev/null 2>"$LOGS/d6-client.err" || {
    tail -n 40 "$LOGS/d6-client.err"; return 1; }
  wait_bounded "$reader" 30 || return 1
  cat "$LOGS/d6-reader.out"
  grep -q "win=0 " "$LOGS/d6-client.err" || { say "the kernel never closed its window"; return 1; }
  grep -q "Retransmitting window probe" "$LOGS/d6-client.err" || { say "no window probe"; return 1; }
  grep -q "^$(stat -c %s "$file") $(sha "$file")$" "$LOGS/d6-reader.out" || return 1
  # After its pause the reader drains the rest: at once if we resume on its window update, up to
  # the next probe (4 s, 8 s into the back-off) if we waited for our timer instead.
  local ms; ms=$(sed -n 's/^drained after the pause in \([0-9]*\) ms$/\1/p' "$LOGS/d6-reader.out")
  say "drained in ${ms:-?} ms after the 4 s pause"
  [ -n "$ms" ] && [ "$ms" -lt 3000 ] || { say "resumed too late"; return 1; }
}

# A kernel client sends for 5 s and never reads our echo: our server, capped at a 64 MiB heap,
# closes its window instead of queueing without bound, and still serves another client.
test_peer_that_never_reads_cannot_grow_our_heap() {
  netns_up || return 1
  start_bg "$LOGS/d7-server.out" in_server env JAVA_TOOL_OPTIONS=-Xmx64m $RUN TcpServer
  local server=$LAST_PID
  wait_for_line "$LOGS/d7-server.out" "Listening on" || return 1
  in_client $KSTREAM flood "$SERVER_IP" 5000 5 >"$LOGS/d7-flood.out" 2>&1 || { cat "$LOGS/d7-flood.out"; return 1; }
  cat "$LOGS/d7-flood.out"
  any_alive "$(java_pid "$server")" || { say "the server died"; tail "$LOGS/d7-server.out"; return 1; }
  ! grep -q "OutOfMemoryError\|Internal error" "$LOGS/d7-server.out" || { tail "$LOGS/d7-server.out"; return 1; }
  in_client $RUN TcpClient "$SERVER_IP" --message "still serving" >"$LOGS/d7-client.out" 2>&1 || {
    cat "$LOGS/d7-client.out"; return 1; }
  # what the flooder managed to send is bounded by our windows, not by its 5 s
  local sent; sent=$(awk '/^sent/ {print $2}' "$LOGS/d7-flood.out")
  say "the flooder got $sent bytes out"
  [ "${sent:-0}" -lt 20000000 ]
}

# Our --stdio receiver behind a pipe that is read 3 s late: our window closes (win=0), the
# kernel sender waits, and nothing is lost.
test_slow_pipe_closes_our_window() {
  netns_up || return 1
  local file; file=$(make_file slowpipe 8)
  # The pipe's reader starts its 3 s when the data starts (a JVM may start slowly on a busy machine).
  start_bg "$LOGS/d8-server.err" in_server bash -c \
    "$RUN TcpServer --stdio --verbose </dev/null 2>'$LOGS/d8-server.err' | (until grep -q 'handshake completed' '$LOGS/d8-server.err'; do sleep 0.05; done; sleep 3; cat >'$BUILD/d8-out')"
  local server=$LAST_PID
  wait_for_line "$LOGS/d8-server.err" "Listening on" || return 1
  in_client $KSTREAM send "$SERVER_IP" 5000 "$file" >"$LOGS/d8-client.out" || return 1
  wait_bounded "$server" 60 || return 1
  grep -q -- "-> ACK .* win=0 " "$LOGS/d8-server.err" || { say "our window never closed"; return 1; }
  [ "$(sha "$file")" = "$(sha "$BUILD/d8-out")" ]
}

# Ten bulk connections at once on a lossless path: none of our receiver's packets is lost. Our
# ring hands a packet larger than its 2 KiB frames (a 64 KB coalesced one) whole only while the
# socket's queue has room; with 4 MiB of queue ten streams overflowed it (63 packets cut in 1 GB,
# about a thousand segments sent again, one stream taking twice the others' time).
test_ten_streams_lose_nothing_at_our_receiver() {
  netns_up || return 1
  start_bg "$LOGS/d9-server.out" in_server env JAVA_TOOL_OPTIONS=-Dtbh.ring.stats=true $RUN TcpServer --discard --count 10
  local server=$LAST_PID
  wait_for_line "$LOGS/d9-server.out" "Listening on" || return 1
  in_client $RUN TcpClient "$SERVER_IP" --connections 10 --send-bytes $((STREAMS_MB * 1000000)) >"$LOGS/d9-client.out" 2>&1 || {
    tail "$LOGS/d9-client.out"; return 1; }
  wait_bounded "$server" 60 || return 1
  grep "Sent [0-9]* bytes" "$LOGS/d9-client.out"
  grep "receive ring" "$LOGS/d9-server.out"
  [ "$(grep -c "Sent $((STREAMS_MB * 1000000)) bytes" "$LOGS/d9-client.out")" -eq 10 ] || { say "not ten whole transfers"; return 1; }
  # Only the cut packets decide: on a busy machine a loss probe may still go out while the
  # receiver waits for a CPU, and that is not a packet lost.
  grep -q "receive ring: .*, 0 cut" "$LOGS/d9-server.out" || { say "packets were cut (lost) at our receiver"; return 1; }
}

run_data_tests() {
  run_test "data: HTTP GET through our client (--stdio) from python3 -m http.server; the page is the file" test_http_get_from_python_http_server
  run_test "data: curl gets a response piped into TcpServer --stdio; its request comes out" test_curl_through_our_stdio_server
  run_test "data: ${DATA_MB} MB ours -> ours (--stdio both ends), sha256 equal" test_copy_ours_to_ours
  run_test "data: ${DATA_MB} MB our client -> kernel server, sha256 equal" test_ours_to_kernel
  run_test "data: ${DATA_MB} MB kernel client -> our server, sha256 equal" test_kernel_to_ours
  run_test "data: 1% loss each way, ours -> ours: intact, within 10x the lossless time" test_one_percent_loss_ours_to_ours
  run_test "data: 1% loss each way, ours -> kernel: intact, within 10x" test_one_percent_loss_ours_to_kernel
  run_test "data: 1% loss each way, kernel -> ours: intact, within 10x" test_one_percent_loss_kernel_to_ours
  run_test "data: 5% loss each way, ours -> ours: intact, within 10x" test_five_percent_loss_ours_to_ours
  run_test "data: 5% loss each way, ours -> kernel: intact, within 10x" test_five_percent_loss_ours_to_kernel
  run_test "data: 5% loss each way, kernel -> ours: intact, within 10x" test_five_percent_loss_kernel_to_ours
  run_test "data: a kernel reader pauses 4 s: we probe its zero window and resume, intact" test_kernel_reader_pauses_we_probe_and_resume
  run_test "data: a kernel client that never reads cannot grow our heap (64 MiB cap)" test_peer_that_never_reads_cannot_grow_our_heap
  run_test "data: a slow pipe behind --stdio closes our window; nothing lost" test_slow_pipe_closes_our_window
  run_test "data: ten connections at once, ${STREAMS_MB} MB each, lossless path: no packet lost at our receiver" test_ten_streams_lose_nothing_at_our_receiver
}
