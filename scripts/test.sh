#!/bin/bash
# README quick start line 2: installs what is needed, builds, and runs the whole test suite
# (unit tests and the interop tests with real Prosody, Kamailio and SIPp). Must run as root:
# the interop tests create a loopback-only network namespace.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
cd build
ctest --output-on-failure --timeout 600 "$@"
