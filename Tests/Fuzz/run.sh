#!/usr/bin/env bash
# Builds the libFuzzer targets of Tests/Fuzz with AddressSanitizer and runs each for a while.
#
#   Tests/Fuzz/run.sh [--seconds N] [target…]   run each target N seconds (default 60), in turn
#   Tests/Fuzz/run.sh --seeds                   rewrite corpus/ from Harness/FuzzSeeds.swift
#
# Targets: http-head chunked json-bodies journal-record journal-frame engine-semantics (default: all).
# Each run starts from the committed seeds (corpus/<target>) plus what earlier runs here found
# (.build-fuzz/corpus/<target>, where new inputs go). A crash, leak, timeout or broken invariant
# is saved as .build-fuzz/artifacts/<target>-crash-…; replay it with
#   SWIFT_BACKTRACE=enable=no .build-fuzz/release/fuzz-<target> FILE
# Prints one summary line per target and exits 1 if any target failed.
set -euo pipefail
cd "$(dirname "$0")/../.."
# A crash would otherwise wait minutes in swift-backtrace before libFuzzer sees it.
export SWIFT_BACKTRACE=enable=no

seconds=60
targets=()
while (($#)); do
    case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    --seeds)
        swift run --package-path Tests/Fuzz --scratch-path .build-fuzz/seeds fuzz-seeds Tests/Fuzz/corpus
        exit 0 ;;
    http-head | chunked | json-bodies | journal-record | journal-frame | engine-semantics) targets+=("$1"); shift ;;
    *) echo "usage: $0 [--seconds N] [target…] | --seeds" >&2; exit 2 ;;
    esac
done
((${#targets[@]})) || targets=(http-head chunked json-bodies journal-record journal-frame engine-semantics)

mkdir -p .build-fuzz/logs .build-fuzz/artifacts
for target in "${targets[@]}"; do
    log=.build-fuzz/logs/build-$target.log
    # ld.gold warns "Cannot export local symbol '__asan_…'" for every such symbol; it is harmless.
    if ! swift build --package-path Tests/Fuzz --scratch-path .build-fuzz -c release --product "fuzz-$target" \
        -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library >"$log" 2>&1; then
        grep -v "Cannot export local symbol" "$log" | tail -40
        echo "fuzz-$target: build failed (log: $log)" >&2
        exit 1
    fi
done

failed=0
for target in "${targets[@]}"; do
    options=()
    case "$target" in
    http-head | chunked) options=(-dict=Tests/Fuzz/http.dict -max_len=8192) ;;
    json-bodies) options=(-dict=Tests/Fuzz/json.dict) ;;
    esac
    log=.build-fuzz/logs/$target.log
    mkdir -p ".build-fuzz/corpus/$target"
    status=0
    timeout $((seconds + 120)) ".build-fuzz/release/fuzz-$target" "${options[@]}" -max_total_time="$seconds" \
        -timeout=10 -print_final_stats=1 -artifact_prefix=".build-fuzz/artifacts/$target-" \
        ".build-fuzz/corpus/$target" "Tests/Fuzz/corpus/$target" >"$log" 2>&1 || status=$?
    # The last status line reads "#RUNS<tab>DONE cov: C ft: F corp: N/SIZEb …".
    last=$(grep -E '^#[0-9]+[[:space:]].*cov: ' "$log" | tail -1 || true)
    runs=$(awk '/^stat::number_of_executed_units:/ { print $2 }' "$log")
    speed=$(awk '/^stat::average_exec_per_sec:/ { print $2 }' "$log")
    cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
    ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
    corpus=$(sed -n 's/.* corp: \([0-9]*\)\/.*/\1/p' <<<"$last")
    verdict=ok
    if ((status != 0)); then
        failed=1
        artifact=$(sed -n "s/.*Test unit written to //p" "$log" | tail -1)
        verdict="FAILED (exit $status) ${artifact:-see $log}"
    fi
    printf '%-15s %5s s %10s runs %7s exec/s  cov %5s  ft %6s  corpus %5s  %s\n' "$target" "$seconds" \
        "${runs:-?}" "${speed:-?}" "${cov:-?}" "${ft:-?}" "${corpus:-?}" "$verdict"
done
exit "$failed"
