#!/bin/sh
# Runs every fuzz target for a bounded time (default 200 s each) with the nightly toolchain and
# prints the executions of each run.
#
#     fuzz/run.sh            # 200 s per target
#     fuzz/run.sh 600        # 600 s per target
#
# Needs `cargo install cargo-fuzz`. Corpora go to fuzz/corpus/<target>, crashes to
# fuzz/artifacts/<target>.
set -eu
seconds="${1:-200}"
cd "$(dirname "$0")/.."
for target in $(cargo +nightly fuzz list); do
    echo "== $target: $seconds s"
    cargo +nightly fuzz run "$target" -- -max_total_time="$seconds" -print_final_stats=1 2>&1 \
        | grep -E "stat::number_of_executed_units|Done|SUMMARY|panicked|ERROR" || true
done
