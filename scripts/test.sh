#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test through ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/build.sh
export SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1
cd build
ctest --output-on-failure -j"$(nproc)" --timeout 600 "$@"
