#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test through ctest.
#
# scripts/test.sh --sanitize [CTEST ARGS]: the suite under AddressSanitizer + UndefinedBehaviorSanitizer
# (GCC; -fsanitize=address,undefined,float-cast-overflow -fno-sanitize-recover=all, so any UB
# fails its test) in build-asan/ (docs/fuzzing.md, "Sanitized test run").
#   Covers: every GoogleTest program except the co-simulation's (core.*, driver.*, the model,
#   accelerator, mapper, fault and energy tests), trace.* and cli.* (the subbit program), and
#   accept.* for ResNet-20, MLP and FFN in every scheme and preset plus LeNet-5's single-image runs.
#   Leaves out: rtl.* (Verilator lint and yosys: external tools, no C++ of ours runs), tb.*,
#   Cosim.* and cosim.* (Verilated RTL: its C++ comes from Verilator's own build, uninstrumented,
#   and co-simulation under ASan costs minutes), python.* (PyTorch training and the 10,000-image
#   shipped-network check: minutes in release already; the same subbit paths run in accept.*),
#   accept.lenet5.<scheme> (100 images) and accept.resnet18.<scheme>: 35-100 s each under ASan,
#   about 6 more CI minutes for paths the other acceptance runs take (SUBBIT_SANITIZE_SLOW=1 runs them).
#   The subbit program still links the Verilated core (uninstrumented), built as in build/.
#   SystemC (Debian's shared library) is not instrumented and switches QuickThreads coroutine
#   stacks: its incomplete ASan fiber annotations are made no-ops (tests/support/sanitize_systemc.cpp),
#   fake stacks are off (detect_stack_use_after_return=0) and the leaks of threads still suspended
#   at exit are suppressed (tests/support/lsan.supp); see docs/fuzzing.md.
#   Measured on a fresh clone, 2 cores, no ccache: 643 s (build about 500 s, ctest 142 s, 486 tests).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = "--sanitize" ]; then
  shift
  ./scripts/install-deps.sh
  cmake -S . -B build-asan -G Ninja -DSUBBIT_SANITIZE=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1" >/dev/null
  # The subbit program (trace.*, accept.*, cli.*), then every GoogleTest program ctest still lists
  # as <target>_NOT_BUILT, except the co-simulation's; nothing else (no RTL benches, no benchmarks).
  cmake --build build-asan -j"$(nproc)" --target subbit
  mapfile -t gtests < <(cd build-asan && ctest -N | sed -n 's/^ *Test *#[0-9]*: \(.*\)_NOT_BUILT$/\1/p' | grep -vx cosim_tests)
  [ ${#gtests[@]} -eq 0 ] || cmake --build build-asan -j"$(nproc)" --target "${gtests[@]}"
  export SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1
  export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_stack_use_after_return=0:detect_leaks=1:check_initialization_order=1:strict_init_order=1}
  export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
  export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/tests/support/lsan.supp:print_suppressions=0}
  cd build-asan
  # Left out: see the header (SUBBIT_SANITIZE_SLOW=1 keeps LeNet-5's and ResNet-18's acceptance runs).
  exclude='^(rtl|tb|cosim|Cosim|python)\.|_NOT_BUILT'
  [ -n "${SUBBIT_SANITIZE_SLOW:-}" ] || exclude+='|^accept\.(lenet5|resnet18)\.(int8|binary|bcq2|uniform4|ternary|signed_binary|flexor0\.8)$'
  exec ctest --output-on-failure -j"$(nproc)" --timeout 900 -E "$exclude" "$@"
fi
./scripts/build.sh
export SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1
cd build
ctest --output-on-failure -j"$(nproc)" --timeout 600 "$@"
