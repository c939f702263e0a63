#!/usr/bin/env bash
# The whole test suite, as the README gives it and CI runs it:
# `swift format lint --strict`, every target built with warnings as errors, every test, then the concurrency tests again
# under ThreadSanitizer and every test again under AddressSanitizer (each sanitizer in its own
# build folder so the builds do not fight), Schemathesis against a running atpd, then each fuzz
# target for a short while.
set -euo pipefail
cd "$(dirname "$0")/.."
# Formatting: one style, checked (.swift-format; `swift format -i -r Sources Tests Benchmarks Package.swift` fixes it).
swift format lint --strict -r Sources Tests Benchmarks Package.swift
swift build --build-tests -Xswiftc -warnings-as-errors
swift test --skip-build
# atpd against its own OpenAPI document: Schemathesis, every phase including stateful, then a
# check that atpd survived and restarts cleanly (about 40 s); see Tests/Schemathesis/run.sh.
bash Tests/Schemathesis/run.sh
swift test --sanitize=thread --scratch-path .build-tsan -Xswiftc -warnings-as-errors \
    --filter 'ConcurrencyTests|HoldRace|HTTPServer|GroupCommit'
# No XCTest pass: every test is Swift Testing, and an empty XCTest run leaks (in XCTest).
LSAN_OPTIONS="suppressions=$PWD/Tests/lsan.supp" \
    swift test --sanitize=address --scratch-path .build-asan -Xswiftc -warnings-as-errors --disable-xctest
# Each fuzz target FUZZ_SECONDS (default 30, 0 skips them) from the committed seeds; see Tests/Fuzz/run.sh.
if ((${FUZZ_SECONDS:-30} > 0)); then
    bash Tests/Fuzz/run.sh --seconds "${FUZZ_SECONDS:-30}"
fi
