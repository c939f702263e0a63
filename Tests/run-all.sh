#!/usr/bin/env bash
# The whole test suite, as the README gives it and CI runs it:
# every target built with warnings as errors, every test, then the concurrency tests again
# under ThreadSanitizer (in their own build folder so the two builds do not fight).
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --build-tests -Xswiftc -warnings-as-errors
swift test --skip-build
swift test --sanitize=thread --scratch-path .build-tsan -Xswiftc -warnings-as-errors \
    --filter 'ConcurrencyTests|HoldRace|HTTPServer|GroupCommit'
