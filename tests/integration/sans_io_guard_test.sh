#!/bin/bash
# Proves the sans-IO guard of cmake/Dependencies.cmake (xmppfed_sans_io): a net-layer header
# compiles on its own, and the same header fails with the guard's message once cmake/sans-io
# is first on the include path, as it is for xmppfed_proto, xmppfed_edge_core and xmppfed_gw_core.
# Usage: sans_io_guard_test.sh CXX SOURCE_DIR
set -uo pipefail
cxx=$1 src=$2
flags=(-std=c++20 -fsyntax-only -x c++ -I"$src" -I/usr/include/android)
probe='#include "common/net/timer.h"'
if ! out=$(echo "$probe" | "$cxx" "${flags[@]}" - 2>&1); then
  echo "control failed: common/net/timer.h does not compile without the guard"; echo "$out"; exit 1
fi
if out=$(echo "$probe" | "$cxx" -I"$src/cmake/sans-io" "${flags[@]}" - 2>&1); then
  echo "guard failed: a libuv include compiled with cmake/sans-io on the include path"; exit 1
fi
if ! grep -q 'sans-IO and must not include libuv' <<<"$out"; then
  echo "guard failed for another reason:"; echo "$out"; exit 1
fi
echo "sans-IO guard: a libuv include is refused"
