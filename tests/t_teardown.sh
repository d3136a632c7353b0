run_teardown_tests() { say "(not yet)"; }
