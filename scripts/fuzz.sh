#!/usr/bin/env bash
# Builds every libFuzzer target (tests/fuzz/fuzz_*.cpp) with clang, ASan and UBSan, and runs each
# on a scratch copy of its seed corpus tests/fuzz/corpus/<name>/ (the committed corpus stays as it
# is), FUZZ_PARALLEL targets at a time. Exits non-zero when a target crashes or breaks one of its
# invariants; crash inputs and each target's log are kept in build-fuzz/artifacts/.
#
#   scripts/fuzz.sh --smoke [TARGET...]        60 s each (what CI runs)
#   scripts/fuzz.sh --long [RUNS [TARGET...]]  RUNS executions each (default 10,000,000)
#   scripts/fuzz.sh [SECONDS [TARGET...]]      SECONDS each (default 60)
#   TARGET: fuzz_<name> or <name>; default all of them
#   environment: FUZZ_BUILD_DIR (default <repo>/build-fuzz), FUZZ_JOBS (build parallelism,
#   default 2), FUZZ_PARALLEL (targets run at once, default 2)
set -euo pipefail

limit=(-max_total_time=60)
what="60 s"
case "${1:-}" in
  --smoke) shift ;;
  --long)
    shift
    runs=10000000
    if [[ "${1:-}" =~ ^[0-9]+$ ]]; then runs=$1; shift; fi
    limit=(-runs="$runs")
    what="$runs runs"
    ;;
  "") ;;
  *)
    if ! [[ "$1" =~ ^[0-9]+$ ]]; then
      echo "usage: $0 --smoke | --long [RUNS] | [SECONDS]  [TARGET...]" >&2
      exit 2
    fi
    limit=(-max_total_time="$1")
    what="$1 s"
    shift
    ;;
esac

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${FUZZ_BUILD_DIR:-$root/build-fuzz}"
jobs="${FUZZ_JOBS:-2}"
parallel="${FUZZ_PARALLEL:-2}"

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

mkdir -p "$build"
CC=clang CXX=clang++ cmake -S "$root" -B "$build" -DXMPPFED_FUZZ=ON -DXMPPFED_TESTS=ON \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo > "$build/configure.log" 2>&1 ||
  { cat "$build/configure.log"; exit 1; }
# Only the fuzzers and what they link: the daemons need not build for fuzzing to work.
cmake --build "$build" -j"$jobs" --target "${targets[@]}" > "$build/build.log" 2>&1 ||
  { tail -n 60 "$build/build.log"; exit 1; }
echo "fuzzers built: ${targets[*]}"

mkdir -p "$build/artifacts"
# run_one TARGET: one fuzzer on a scratch corpus; its exit status is the fuzzer's.
run_one() {
  local target=$1 name=${1#fuzz_} work status=0
  work="$(mktemp -d)"
  if [[ -d "$root/tests/fuzz/corpus/$name" ]]; then
    cp -R "$root/tests/fuzz/corpus/$name/." "$work/"
  fi
  "$build/tests/fuzz/$target" "$work" "${limit[@]}" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$build/artifacts/$target-" \
    2>"$build/artifacts/$target.log" || status=$?
  rm -rf "$work"
  return $status
}

# report TARGET STATUS: the target's closing figures, and whether it failed.
report() {
  local target=$1 status=$2
  echo "== $target ($what): $(grep -m1 -oE 'stat::number_of_executed_units: *[0-9]+' \
    "$build/artifacts/$target.log" | grep -oE '[0-9]+$' || echo '?') executions, exit $status"
  if ((status != 0)); then
    tail -n 25 "$build/artifacts/$target.log"
    echo "!! $target failed (exit $status); log: $build/artifacts/$target.log" >&2
    failed+=("$target")
  fi
}

failed=()
declare -A running=()  # pid -> target
# reap_one: waits for one running target to end and reports it.
reap_one() {
  local status=0 done_pid
  wait -n -p done_pid "${!running[@]}" || status=$?
  report "${running[$done_pid]}" "$status"
  unset "running[$done_pid]"
}
for target in "${targets[@]}"; do
  while ((${#running[@]} >= parallel)); do reap_one; done
  run_one "$target" &
  running[$!]=$target
done
while ((${#running[@]} > 0)); do reap_one; done

if ((${#failed[@]} > 0)); then
  echo "fuzz failures: ${failed[*]}" >&2
  exit 1
fi
echo "all ${#targets[@]} fuzz targets ran $what each without a finding"
