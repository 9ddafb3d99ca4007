#!/bin/bash
# Format and static checks, run by scripts/build.sh after a successful build:
#  - clang-format --dry-run -Werror on every C++ source git tracks (.clang-format);
#  - clang-tidy, warnings as errors (.clang-tidy), on the C++ sources changed since LINT_BASE
#    (default HEAD~1: the last commit plus uncommitted changes). A changed header brings in the
#    .cpp of the same name. LINT_BASE=all checks every source (slow: minutes per dozen files).
# Needs build/compile_commands.json (scripts/build.sh configures with it).
# Usage: lint.sh [format|tidy]   (default: both)
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-all}
rc=0

if [ "$what" = all ] || [ "$what" = format ]; then
  mapfile -t sources < <(git ls-files '*.h' '*.cpp')
  if clang-format --dry-run -Werror "${sources[@]}" 2> build/format.log; then
    echo "clang-format: ${#sources[@]} files formatted as .clang-format asks"
  else
    grep -m 20 'error:' build/format.log || true
    echo "clang-format: $(grep -c 'error:' build/format.log) places differ (full list in" \
      "build/format.log; fix with: git ls-files '*.h' '*.cpp' | xargs clang-format -i)"
    rc=1
  fi
fi

if [ "$what" = all ] || [ "$what" = tidy ]; then
  base=${LINT_BASE:-HEAD~1}
  if [ "$base" = all ]; then
    mapfile -t changed < <(git ls-files '*.cpp' '*.h')
  elif git rev-parse -q --verify "$base^{commit}" > /dev/null; then
    mapfile -t changed < <(git diff --name-only --diff-filter=d "$base" -- '*.cpp' '*.h'
                           git ls-files --others --exclude-standard -- '*.cpp' '*.h')
  else
    echo "clang-tidy: base $base is not a commit here; checking every source"
    mapfile -t changed < <(git ls-files '*.cpp' '*.h')
  fi
  # Only translation units in the compile database can be checked; cmake/sans-io holds
  # #error headers that are never compiled on their own.
  declare -A units=()
  for f in "${changed[@]}"; do
    case "$f" in cmake/*) continue ;; esac
    unit=$f
    [ "${f%.h}" != "$f" ] && unit=${f%.h}.cpp
    [ -f "$unit" ] && grep -q "\"file\": \"$PWD/$unit\"" build/compile_commands.json &&
      units[$unit]=1
  done
  if [ ${#units[@]} -eq 0 ]; then
    echo "clang-tidy: no changed C++ source since $base"
  elif printf '%s\n' "${!units[@]}" |
      xargs -P 2 -n 4 clang-tidy -p build --quiet > build/tidy.log 2>&1; then
    echo "clang-tidy: ${#units[@]} changed files, no warnings (since $base)"
  else
    grep -E 'warning:|error:' build/tidy.log | head -40
    echo "clang-tidy: findings in ${#units[@]} changed files (full output in build/tidy.log)"
    rc=1
  fi
fi
exit $rc
