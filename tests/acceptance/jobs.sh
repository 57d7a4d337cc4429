#!/usr/bin/env bash
# subbit run --jobs N (docs/accelerator.md, "Parallel runs"): images spread over worker processes.
#   identical:   --jobs 2 and 3 give the report of --jobs 1, text and --json, on 20 Fashion-MNIST images
#                (LeNet-5 binary and FleXOR 0.8): equal but for the wall-clock fields and mean_cycles (an
#                image's cycles depend a little on the simulated time it starts at, e.g. the DRAM refresh
#                phase, and a worker starts its share at time 0). --jobs above the image count is clamped.
#   bad-jobs:    --jobs 0, -1, abc refused; --trace, --fidelity rtl, --inject refused with --jobs 2.
#   worker-fails: a worker that crashes (SIGSEGV), exits with an error or reports a golden mismatch
#                (SUBBIT_JOBS_TEST_FAULT, software/cli/parallel_run.h) makes the run fail, naming the
#                worker, the image and its message; no report on stdout unless every image ran.
#   jobs.sh SUBBIT ROOT CHECK
set -euo pipefail
subbit=$1 root=$2 check=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cfg="$root/configs/default.yaml"
lenet="$root/networks/lenet5_binary.safetensors"
flexor="$root/networks/lenet5_flexor0.8.safetensors"
fail() { echo "FAIL: $*" >&2; exit 1; }
# Drops the wall-clock fields and mean_cycles.
normalize() { grep -v -e '"wall_s"' -e '"mean_cycles"' -e 'inference(s) in .* s wall' "$1"; }
same() {  # same NAME ARGS...: --jobs 1 vs 2 and 3, text and JSON
  local name=$1
  shift
  "$subbit" run "$@" --jobs 1 > "$tmp/$name.1.txt"
  "$subbit" run "$@" --jobs 1 --json > "$tmp/$name.1.json"
  for j in 2 3; do
    "$subbit" run "$@" --jobs $j > "$tmp/$name.$j.txt"
    "$subbit" run "$@" --jobs $j --json > "$tmp/$name.$j.json"
    diff <(normalize "$tmp/$name.1.txt") <(normalize "$tmp/$name.$j.txt") || fail "$name: --jobs $j text differs"
    diff <(normalize "$tmp/$name.1.json") <(normalize "$tmp/$name.$j.json") || fail "$name: --jobs $j JSON differs"
  done
  grep -q '"predictions"' "$tmp/$name.2.json" || fail "$name: no predictions"
}
case "$check" in
  identical)
    same lenet --config "$cfg" --network "$lenet" --dataset fashion-mnist --images 20
    same flexor --config "$cfg" --network "$flexor" --dataset fashion-mnist --images 20
    same ideal --config "$cfg" --network "$lenet" --dataset fashion-mnist --images 20 --memory ideal
    # Clamped: more jobs than images.
    "$subbit" run --config "$cfg" --network "$lenet" --dataset fashion-mnist --images 3 --jobs 1 --json > "$tmp/c1.json"
    "$subbit" run --config "$cfg" --network "$lenet" --dataset fashion-mnist --images 3 --jobs 16 --json > "$tmp/c16.json"
    diff <(normalize "$tmp/c1.json") <(normalize "$tmp/c16.json") || fail "--jobs 16 on 3 images differs"
    "$subbit" run --config "$cfg" --network "$lenet" --jobs 4 > /dev/null || fail "--jobs 4 on one random input"
    ;;
  bad-jobs)
    for j in 0 -1; do
      ! "$subbit" run --config "$cfg" --network "$lenet" --jobs $j > "$tmp/out" 2> "$tmp/err" || fail "--jobs $j accepted"
      grep -q "run --jobs: expected a positive number of worker processes, got $j" "$tmp/err" || fail "--jobs $j: $(cat "$tmp/err")"
      [ ! -s "$tmp/out" ] || fail "--jobs $j: output on stdout"
    done
    ! "$subbit" run --config "$cfg" --network "$lenet" --jobs abc 2> "$tmp/err" > /dev/null || fail "--jobs abc accepted"
    grep -q -- '--jobs' "$tmp/err" || fail "--jobs abc: $(cat "$tmp/err")"
    for opt in "--trace $tmp/t.log" "--fidelity rtl" "--inject weights:count=1"; do
      # shellcheck disable=SC2086
      ! "$subbit" run --config "$cfg" --network "$lenet" --dataset fashion-mnist --images 4 --jobs 2 $opt 2> "$tmp/err" > /dev/null || fail "$opt accepted with --jobs 2"
      grep -q -- "run --jobs: ${opt%% *}.* runs in one process only" "$tmp/err" || fail "$opt: $(cat "$tmp/err")"
    done
    ;;
  worker-fails)
    run() { SUBBIT_JOBS_TEST_FAULT=$1 "$subbit" run --config "$cfg" --network "$lenet" --dataset fashion-mnist --images 20 --jobs "$2" --json > "$tmp/out" 2> "$tmp/err"; }
    ! run crash:15 2 || fail "crash: exit status 0"
    grep -q 'run --jobs: worker 1 (images 10-19) was killed by signal 11 (Segmentation fault) at image 15' "$tmp/err" || fail "crash: $(cat "$tmp/err")"
    [ ! -s "$tmp/out" ] || fail "crash: output on stdout"
    ! run fail:7 3 || fail "fail: exit status 0"
    grep -q 'run --jobs: worker 1 (images 6-12) failed (exit status 1) at image 7: test fault (SUBBIT_JOBS_TEST_FAULT=fail:7)' "$tmp/err" || fail "fail: $(cat "$tmp/err")"
    [ ! -s "$tmp/out" ] || fail "fail: output on stdout"
    ! run crash:19 4 || fail "crash in the last worker: exit status 0"
    grep -q 'worker 3 (images 15-19) was killed by signal 11 .* at image 19' "$tmp/err" || fail "crash in the last worker: $(cat "$tmp/err")"
    # A golden mismatch in a worker: the full report (as a serial run prints it), then the error.
    ! run mismatch:12 2 || fail "mismatch: exit status 0"
    grep -q 'the accelerator disagreed with the golden reference (image 12: test mismatch' "$tmp/err" || fail "mismatch: $(cat "$tmp/err")"
    grep -q '"golden_mismatches": 1' "$tmp/out" || fail "mismatch: not in the report"
    ;;
  *)
    echo "unknown check $check" >&2
    exit 2
    ;;
esac
