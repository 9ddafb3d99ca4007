#!/usr/bin/env bash
# Builds every libFuzzer target (tests/fuzz/fuzz_*.cpp) with clang and runs each for SECONDS
# (default 60) on a scratch copy of its seed corpus tests/fuzz/corpus/<name>/, so that the
# committed corpus stays as it is. Exits non-zero when a target crashes; crash inputs are kept
# in build-fuzz/artifacts/.
#
#   scripts/fuzz.sh [SECONDS [TARGET...]]   TARGET: fuzz_<name> or <name>; default all of them
#   environment: FUZZ_BUILD_DIR (default <repo>/build-fuzz), FUZZ_JOBS (build parallelism, default 2)
set -euo pipefail

seconds="${1:-60}"
if ! [[ "$seconds" =~ ^[0-9]+$ ]]; then
  echo "usage: $0 [SECONDS [TARGET...]]" >&2
  exit 2
fi
shift $(($# > 0 ? 1 : 0))

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${FUZZ_BUILD_DIR:-$root/build-fuzz}"
jobs="${FUZZ_JOBS:-2}"

shopt -s nullglob
targets=()
if (($# > 0)); then
  for wanted in "$@"; do
    wanted="fuzz_${wanted#fuzz_}"
    if [[ ! -f "$root/tests/fuzz/$wanted.cpp" ]]; then
      echo "no fuzz target $wanted (tests/fuzz/$wanted.cpp)" >&2
      exit 2
    fi
    targets+=("$wanted")
  done
else
  for source in "$root"/tests/fuzz/fuzz_*.cpp; do
    targets+=("$(basename "$source" .cpp)")
  done
fi
if ((${#targets[@]} == 0)); then
  echo "no fuzz targets in tests/fuzz" >&2
  exit 1
fi

CC=clang CXX=clang++ cmake -S "$root" -B "$build" -DXMPPFED_FUZZ=ON -DXMPPFED_TESTS=ON \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
# Only the fuzzers and what they link: the daemons need not build for fuzzing to work.
cmake --build "$build" -j"$jobs" --target "${targets[@]}"

mkdir -p "$build/artifacts"
failed=()
for target in "${targets[@]}"; do
  name="${target#fuzz_}"
  work="$(mktemp -d)"
  if [[ -d "$root/tests/fuzz/corpus/$name" ]]; then
    cp -R "$root/tests/fuzz/corpus/$name/." "$work/"
  fi
  echo "== $target: ${seconds}s, corpus $(find "$work" -type f | wc -l) files"
  status=0
  "$build/tests/fuzz/$target" "$work" -max_total_time="$seconds" -timeout=10 \
    -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$build/artifacts/$target-" 2>"$build/artifacts/$target.log" || status=$?
  tail -n 15 "$build/artifacts/$target.log"
  rm -rf "$work"
  if ((status != 0)); then
    echo "!! $target failed (exit $status); log: $build/artifacts/$target.log" >&2
    failed+=("$target")
  fi
done

if ((${#failed[@]} > 0)); then
  echo "fuzz failures: ${failed[*]}" >&2
  exit 1
fi
echo "all fuzz targets ran ${seconds}s without a crash"
