#!/usr/bin/env bash
# Builds sluice-fuzz with libFuzzer and runs each target for FUZZ_SECONDS (default 60) seconds.
# A crash stops the script with libFuzzer's non-zero exit and leaves the input under .build-fuzz/artifacts/<target>/:
# copy it to Fuzz/regressions/<target>/, fix the bug, and `swift test` replays it from then on.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${FUZZ_SECONDS:-60}"
targets="${FUZZ_TARGETS:-csv cron jobfile retryafter pages}"
build=(swift build --sanitize fuzzer --product sluice-fuzz --scratch-path .build-fuzz)
"${build[@]}" 2>&1 | tail -n 5
bin="$("${build[@]}" --show-bin-path)/sluice-fuzz"
for target in $targets; do
    corpus=".build-fuzz/corpus/$target"
    artifacts=".build-fuzz/artifacts/$target/"
    mkdir -p "$corpus" "$artifacts"
    cp Fuzz/corpus/"$target"/* "$corpus"/ 2>/dev/null || true
    cp Fuzz/regressions/"$target"/* "$corpus"/ 2>/dev/null || true
    echo "fuzzing $target for ${seconds}s"
    SLUICE_FUZZ_TARGET="$target" "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$artifacts" "$corpus" 2>&1 | grep -E "^(#|stat::|INFO: Done|==|SUMMARY)|Fatal|crash" | tail -n 12
    echo "fuzzing $target: no crash in ${seconds}s"
done
