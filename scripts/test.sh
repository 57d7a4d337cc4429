#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test through ctest.
#
# scripts/test.sh --sanitize [CTEST ARGS]: the suite under AddressSanitizer + UndefinedBehaviorSanitizer
# (GCC; -fsanitize=address,undefined,float-cast-overflow -fno-sanitize-recover=all, so any UB
# fails its test) in build-asan/ (docs/fuzzing.md, "Sanitized test run").
#   Covers: core.* (quantization, netfile, golden, netgen, IDX), driver.*, the model tests (config,
#   DRAM, RTL generator, accelerator units, mapper), trace.* and accept.* (the subbit program
#   through the driver on the TLM model, every network and scheme) and cli.*.
#   Leaves out: rtl.* (Verilator lint and yosys: external tools, no C++ of ours runs), tb.*,
#   Cosim.* and cosim.* (Verilated RTL: its C++ comes from Verilator's own build, uninstrumented,
#   and co-simulation under ASan costs minutes), python.* (PyTorch training and the 10,000-image
#   shipped-network check: minutes in release already; the same subbit paths run in accept.*).
#   The subbit program still links the Verilated core (uninstrumented), built as in build/.
#   SystemC (Debian's shared library) is not instrumented; its QuickThreads coroutines switch
#   stacks, which ASan tolerates with detect_stack_use_after_return=0 (see docs/fuzzing.md).
#   Measured on the 2-core CI machine: SANITIZE_TIMES.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = "--sanitize" ]; then
  shift
  ./scripts/install-deps.sh
  cmake -S . -B build-asan -G Ninja -DSUBBIT_SANITIZE=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1" >/dev/null
  cmake --build build-asan -j"$(nproc)" --target core_tests driver_tests test_arch_config test_dram_units test_dram_timing \
    test_dram_system test_rtlgen accel_tests mapper_tests subbit
  export SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1
  export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_stack_use_after_return=0:detect_leaks=1:check_initialization_order=1:strict_init_order=1}
  export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
  export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/tests/support/lsan.supp:print_suppressions=0}
  cd build-asan
  # Left out: see the header. Tests of targets not built here would show up as *_NOT_BUILT.
  exec ctest --output-on-failure -j"$(nproc)" --timeout 900 \
    -E '^(rtl|tb|cosim|Cosim|python)\.|_NOT_BUILT|^accept\.(lenet5|resnet18)\.(int8|binary|bcq2|uniform4|ternary|signed_binary|flexor0\.8)$' "$@"
fi
./scripts/build.sh
export SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1
cd build
ctest --output-on-failure -j"$(nproc)" --timeout 600 "$@"
