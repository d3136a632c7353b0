run_bench_smoke() { say "(not yet)"; }
