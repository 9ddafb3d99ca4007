#!/bin/bash
# README quick start line 2: installs what is needed, builds, and runs the whole test suite:
#  1. every fuzzer for 60 s (scripts/fuzz.sh --smoke; clang, ASan + UBSan);
#  2. the unit and interop tests again in an ASan + UBSan build (scripts/sanitize.sh);
#  3. the unit tests and the interop tests with real Prosody, Kamailio and SIPp (this build),
#     last, so that CTest's summary is the closing line.
# Must run as root: the interop tests create a loopback-only network namespace.
# XMPPFED_QUICK=1 skips steps 1 and 2 (for a quick local run; CI runs everything).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
failed=()
if [ "${XMPPFED_QUICK:-}" != 1 ]; then
  bash scripts/fuzz.sh --smoke || failed+=("fuzz smoke (scripts/fuzz.sh --smoke)")
  bash scripts/sanitize.sh || failed+=("sanitizer suite (scripts/sanitize.sh)")
fi
if [ ${#failed[@]} -gt 0 ]; then
  echo "FAILED before the main suite: ${failed[*]}"
fi
cd build
rc=0
ctest --output-on-failure --timeout 600 "$@" || rc=$?
[ ${#failed[@]} -eq 0 ] || rc=1
exit $rc
