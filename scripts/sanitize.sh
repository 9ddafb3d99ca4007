#!/bin/bash
# Builds everything with AddressSanitizer + UndefinedBehaviorSanitizer (LeakSanitizer included)
# in build-asan/ and runs the test suite there: the unit tests, and the interop tests with the
# sanitized daemons against the real peers. Any sanitizer report fails: a unit test exits
# non-zero, and the interop harness fails a test whose daemon logs hold a report.
# Usage: sanitize.sh [unit]   (unit: the unit tests only)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${SANITIZE_BUILD_DIR:-build-asan}
WERROR=OFF
[ "${CI:-}" = true ] && WERROR=ON
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DXMPPFED_SANITIZE=ON \
  -DXMPPFED_WERROR=$WERROR > "$build.log" 2>&1 || { cat "$build.log"; exit 1; }
cmake --build "$build" -j2 >> "$build.log" 2>&1 || { tail -60 "$build.log"; exit 1; }
echo "sanitizer build: ok (log in $build.log)"
export ASAN_OPTIONS=detect_leaks=1:detect_stack_use_after_return=1:strict_init_order=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
cd "$build"
rc=0
ctest --output-on-failure --timeout 600 -j2 -LE interop || rc=1
if [ "${1:-}" != unit ]; then
  # One interop test at a time, as in the main suite: they time real peers.
  ctest --output-on-failure --timeout 600 -L interop || rc=1
fi
exit $rc
