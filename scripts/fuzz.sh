#!/usr/bin/env bash
# libFuzzer targets of tests/fuzz (docs/fuzzing.md), built with clang-14 into build-fuzz/ with
# ASan + UBSan (UB fatal) and coverage instrumentation of every library they link.
#
#   scripts/fuzz.sh TARGET SECONDS        fuzz one target for SECONDS
#   scripts/fuzz.sh all SECONDS [-j N]    every target in turn (N at a time, default 1)
#   scripts/fuzz.sh --smoke               every target for 10 s (SUBBIT_FUZZ_SMOKE_SECONDS), two
#                                         at a time: CI's smoke
#   scripts/fuzz.sh TARGET --repro FILE   replay one input (a reproducer) and report
#   scripts/fuzz.sh --list                the targets
#
# Targets: netfile golden arch_config stl replay idx input.
# Each run starts from the committed seeds in tests/fuzz/corpus/TARGET (read only) plus a working
# corpus in build-fuzz/work/TARGET/corpus, where new inputs go (never into the repository). A
# finding (sanitizer report, crash, timeout, out-of-memory, an exception other than subbit::Error,
# a failed FUZZ_CHECK) stops the run; the script prints the reproducer's path
# (build-fuzz/artifacts/TARGET/crash-..., timeout-..., oom-...) and exits 1. Executions and
# executions per second are printed per target.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
TARGETS=(netfile golden arch_config stl replay idx input)
BUILD=${SUBBIT_FUZZ_BUILD_DIR:-build-fuzz}

usage() { sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }

# Per-target options: largest input, dictionary.
max_len() {
  case $1 in
    netfile | golden) echo 16384 ;;
    idx | input) echo 8192 ;;
    *) echo 4096 ;;
  esac
}
dict() {
  case $1 in
    golden) echo tests/fuzz/netfile.dict ;;
    replay) echo tests/fuzz/stl.dict ;;
    *) [ -f "tests/fuzz/$1.dict" ] && echo "tests/fuzz/$1.dict" || true ;;
  esac
}

is_target() {
  local t
  for t in "${TARGETS[@]}"; do [ "$t" = "$1" ] && return 0; done
  return 1
}

build() {
  ./scripts/install-deps.sh
  if [ ! -f "$BUILD/build.ninja" ] || ! grep -q "SUBBIT_FUZZ:BOOL=ON" "$BUILD/CMakeCache.txt" 2>/dev/null; then
    cmake -S . -B "$BUILD" -G Ninja -DCMAKE_CXX_COMPILER=clang++-14 -DSUBBIT_FUZZ=ON \
      -DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g" >/dev/null
  fi
  local targets=()
  local t
  for t in "$@"; do targets+=(--target "fuzz_$t"); done
  if ! cmake --build "$BUILD" -j"$(nproc)" "${targets[@]}" >"$BUILD/build.log" 2>&1; then
    grep -v '^\[' "$BUILD/build.log" | tail -40
    echo "fuzz.sh: building the fuzz targets failed (log: $BUILD/build.log)" >&2
    exit 1
  fi
}

export SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1
# UB is fatal already (-fno-sanitize-recover=all); print where it happened.
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}

# fuzz TARGET SECONDS: returns 0 (no finding) or 1 (finding).
fuzz() {
  local t=$1 secs=$2
  local work=$BUILD/work/$t art=$BUILD/artifacts/$t
  mkdir -p "$work/corpus" "$work/tmp" "$art"
  local d
  d=$(dict "$t")
  local args=(-max_total_time="$secs" -max_len="$(max_len "$t")" -timeout=10 -rss_limit_mb=2048
              -print_final_stats=1 -artifact_prefix="$art/" -close_fd_mask=1)
  [ -n "$d" ] && args+=(-dict="$d")
  local log=$work/log.txt
  local rc=0
  TMPDIR=$ROOT/$work/tmp "$BUILD/fuzz/fuzz_$t" "${args[@]}" "$work/corpus" "tests/fuzz/corpus/$t" >"$log" 2>&1 || rc=$?
  local execs rate
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  local corpus
  corpus=$(ls "$work/corpus" | wc -l)
  if [ "$rc" -eq 0 ]; then
    printf 'fuzz %-12s %10s executions in %s s (%s/s), no finding; working corpus %s entries (+ %s seeds)\n' \
      "$t" "${execs:-?}" "$secs" "${rate:-?}" "$corpus" "$(ls "tests/fuzz/corpus/$t" | wc -l)"
    return 0
  fi
  echo "fuzz $t: FINDING after ${execs:-?} executions (libFuzzer exit $rc); log $log"
  grep -E "ERROR: |FUZZ FINDING|runtime error|terminate called|what\(\)|SUMMARY" "$log" | head -20 || true
  local repro
  repro=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)
  if [ -n "$repro" ]; then
    echo "fuzz $t: reproducer $repro"
    echo "fuzz $t: replay with: scripts/fuzz.sh $t --repro $repro"
  else
    tail -30 "$log"
  fi
  return 1
}

repro() {
  local t=$1 file=$2
  [ -f "$file" ] || { echo "fuzz.sh: no such file $file" >&2; exit 2; }
  local work=$BUILD/work/$t
  mkdir -p "$work/tmp"
  local rc=0
  TMPDIR=$ROOT/$work/tmp "$BUILD/fuzz/fuzz_$t" -timeout=30 -rss_limit_mb=2048 "$file" || rc=$?
  if [ "$rc" -eq 0 ]; then echo "fuzz $t: $file runs clean"; else echo "fuzz $t: $file reproduces a finding (exit $rc)"; fi
  return "$rc"
}

[ $# -ge 1 ] || usage
case $1 in
  --list) printf '%s\n' "${TARGETS[@]}"; exit 0 ;;
  -h | --help) usage ;;
  --smoke)
    secs=${SUBBIT_FUZZ_SMOKE_SECONDS:-10}
    smoke_jobs=$(nproc)
    [ "$smoke_jobs" -gt 2 ] && smoke_jobs=2
    set -- all "$secs" -j "$smoke_jobs" ;;
esac

target=$1
shift
[ $# -ge 1 ] || usage
if [ "$1" = "--repro" ]; then
  [ $# -eq 2 ] && is_target "$target" || usage
  build "$target"
  repro "$target" "$2"
  exit $?
fi
secs=$1
shift
[[ "$secs" =~ ^[0-9]+$ ]] && [ "$secs" -gt 0 ] || usage
jobs=1
if [ $# -ge 2 ] && [ "$1" = "-j" ]; then jobs=$2; shift 2; fi
[ $# -eq 0 ] || usage

if [ "$target" = all ]; then
  list=("${TARGETS[@]}")
else
  is_target "$target" || { echo "fuzz.sh: unknown target '$target' (targets: ${TARGETS[*]})" >&2; exit 2; }
  list=("$target")
fi

build "${list[@]}"
start=$(date +%s)
failed=()
if [ "$jobs" -le 1 ]; then
  for t in "${list[@]}"; do fuzz "$t" "$secs" || failed+=("$t"); done
else
  # N targets at a time; each writes its own summary to a file, printed in target order.
  mkdir -p "$BUILD/work"
  pids=()
  for t in "${list[@]}"; do
    while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do sleep 1; done
    ( fuzz "$t" "$secs" >"$BUILD/work/$t.summary" 2>&1 ) &
    pids+=("$!:$t")
  done
  for p in "${pids[@]}"; do
    if ! wait "${p%%:*}"; then failed+=("${p#*:}"); fi
    cat "$BUILD/work/${p#*:}.summary"
  done
fi
echo "fuzz: ${#list[@]} target(s), $(( $(date +%s) - start )) s"
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: FINDINGS in: ${failed[*]}"
  exit 1
fi
