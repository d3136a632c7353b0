run_hostile_tests() { say "(not yet)"; }
