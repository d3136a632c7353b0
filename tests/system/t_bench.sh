# The benchmark as a short smoke run: it must work and report every figure. No time thresholds:
# speed is judged by reading bench.sh's full output, not by a test.

test_bench_smoke_run_reports_every_figure() {
  local out; out=$(./bench.sh --smoke 2>&1); local status=$?
  say "$out"
  [ "$status" -eq 0 ] || { say "bench.sh exit $status"; return 1; }
  local key
  for key in latency_median_us_ours latency_median_us_kernel latency_ratio handshakes_per_s_ours \
             handshakes_per_s_kernel build_ns_ours build_ns_scapy build_speedup_vs_scapy heap_bytes_per_idle_conn \
             throughput_mb_per_s_ours throughput_mb_per_s_kernel throughput_ratio throughput_mb_per_s_ours_to_kernel \
             throughput_mb_per_s_kernel_to_ours throughput_mb_per_s_ours_loss1 loss1_ratio \
             throughput_mb_per_s_kernel_loss1 kernel_loss1_ratio throughput_ratio_ours_to_kernel \
             throughput_ratio_kernel_to_ours throughput_ratio_10_streams cpu_s_per_gb_ours cpu_s_per_gb_kernel \
             peak_rss_mb_10_streams latency_p99_ratio throughput_mb_per_s_ours_loss5 loss5_ratio \
             throughput_mb_per_s_kernel_loss5 kernel_loss5_ratio throughput_mb_per_s_kernel_host_loss1 throughput_mb_per_s_kernel_host_loss5 kernel_host_loss1_ratio kernel_host_loss5_ratio throughput_mb_per_s_kernel_cubic throughput_mb_per_s_kernel_cubic_to_ours throughput_ratio_kernel_cubic_to_ours throughput_mb_per_s_ours_reno_loss1 reno_loss1_ratio \
             throughput_mb_per_s_ours_to_kernel_loss1 ours_to_kernel_loss1_ratio throughput_mb_per_s_ours_reno_loss5 \
             reno_loss5_ratio throughput_mb_per_s_ours_to_kernel_loss5 ours_to_kernel_loss5_ratio \
             syn_flood_clients_served_cookies syn_flood_clients_served_no_cookies; do
    printf '%s\n' "$out" | grep -Eq "^$key=[0-9]+(\.[0-9]+)?$" || { say "missing or not a number: $key"; return 1; }
  done
  # gVisor's figure: a number wherever Go and gVisor's sources are installed (as .ci/run installs them), else n/a
  local gvisor_figure='([0-9]+(\.[0-9]+)?|n/a)'
  command -v go >/dev/null && [ -d /usr/share/gocode/src/gvisor.dev ] && gvisor_figure='[0-9]+(\.[0-9]+)?'
  printf '%s\n' "$out" | grep -Eq "^throughput_mb_per_s_gvisor=$gvisor_figure\$" || { say "missing or not a number: throughput_mb_per_s_gvisor"; return 1; }
  # ours and scapy built the very same SYN, byte for byte
  printf '%s\n' "$out" | grep -q "(same 44 bytes: yes)"
}

run_bench_smoke() {
  run_test "bench: ./bench.sh --smoke runs and prints every key=value figure" test_bench_smoke_run_reports_every_figure
}
