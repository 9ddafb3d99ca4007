#!/bin/bash
# Every Catch2 TEST_CASE of the unit executables must be a CTest test. ParseAndAddCatchTests
# reads the names from the sources and silently skips one it cannot read (a name split over
# adjacent string literals, for instance), and such a test would then never run in the suite.
# Usage: catch_registration_test.sh BUILD_DIR UNIT_EXECUTABLE...
set -uo pipefail
build=$1
shift
registered=$(ctest --test-dir "$build" -N | sed -n 's/^ *Test *#[0-9]*: //p' | sort -u)
missing=0 total=0
for exe in "$@"; do
  while IFS= read -r name; do
    [ -n "$name" ] || continue
    total=$((total + 1))
    if ! grep -qxF -- "$name" <<< "$registered"; then
      echo "not registered in CTest: $(basename "$exe"): $name"
      missing=$((missing + 1))
    fi
  done < <("$exe" --list-test-names-only)
done
echo "$total Catch2 test cases, $missing not registered in CTest"
[ "$missing" -eq 0 ] && [ "$total" -gt 0 ]
