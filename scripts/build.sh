#!/bin/bash
# Configures and builds xmppfed in build/ (warnings are errors when CI=true), then runs
# scripts/lint.sh (clang-format on every source, clang-tidy on the changed ones) after a full
# build. Usage: build.sh [TARGET...]   (default: everything, tests included, then the lint)
set -euo pipefail
cd "$(dirname "$0")/.."
WERROR=OFF
[ "${CI:-}" = true ] && WERROR=ON
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DXMPPFED_WERROR=$WERROR \
  -DCMAKE_EXPORT_COMPILE_COMMANDS=ON > build.log 2>&1 ||
  { cat build.log; exit 1; }
targets=()
for t in "$@"; do targets+=(--target "$t"); done
cmake --build build -j2 "${targets[@]}" >> build.log 2>&1 || { tail -60 build.log; exit 1; }
echo "build: ok (log in build.log)"
if [ $# -eq 0 ]; then bash scripts/lint.sh; fi
