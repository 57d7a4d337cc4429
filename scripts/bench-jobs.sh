#!/usr/bin/env bash
# subbit run --jobs: 1,000 LeNet-5 Fashion-MNIST images (shipped binary network, default config) at
# --jobs 1 and --jobs N (default 2), side by side in one run. Prints each run's wall time (the whole
# process: loading, forking, merging), the speed-up and whether the two reports agree (predictions,
# accuracy, golden checks). Goal: >= 1.8x at --jobs 2 on 2 free cores. A figure, not a test: on a
# shared machine the ratio moves with the load (printed beside it).
#   scripts/bench-jobs.sh [IMAGES] [JOBS] [NETWORK] [CONFIG]     (SUBBIT=path/to/subbit to pick a build)
set -euo pipefail
cd "$(dirname "$0")/.."
images=${1:-1000}
jobs=${2:-2}
net=${3:-networks/lenet5_binary.safetensors}
cfg=${4:-configs/default.yaml}
subbit=${SUBBIT:-build/subbit}
[ -x "$subbit" ] || ./scripts/build.sh >/dev/null
export SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
timed() {  # timed OUT ARGS...: prints the wall seconds
  local out=$1 t0 t1
  shift
  t0=$(date +%s.%N)
  "$subbit" run --network "$net" --config "$cfg" --dataset fashion-mnist --images "$images" --json "$@" > "$out" 2>/dev/null
  t1=$(date +%s.%N)
  python3 -c "print($t1 - $t0)"
}
load0=$(cut -d' ' -f1 /proc/loadavg)
serial=$(timed "$tmp/1.json" --jobs 1)
parallel=$(timed "$tmp/n.json" --jobs "$jobs")
load1=$(cut -d' ' -f1 /proc/loadavg)
python3 - "$tmp/1.json" "$tmp/n.json" "$serial" "$parallel" "$jobs" "$images" "$load0" "$load1" "$(nproc)" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
serial, parallel, jobs, images = float(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
keys = ("predictions", "accuracy", "golden_match", "golden_mismatches", "cycles", "layers")
same = all(a.get(k) == b.get(k) for k in keys)
print(f"{a['name']} on {a['platform']}: {images} Fashion-MNIST images")
print(f"  --jobs 1:  {serial:8.2f} s wall ({images / serial:,.0f} images/s)")
print(f"  --jobs {jobs}:  {parallel:8.2f} s wall ({images / parallel:,.0f} images/s)")
print(f"  speed-up:  {serial / parallel:.2f}x with {jobs} processes on {sys.argv[9]} cores (load average {sys.argv[7]} before, {sys.argv[8]} after)")
print(f"  reports agree (predictions, accuracy, golden checks, first-image figures): {same}; mean_cycles {a['mean_cycles']} vs {b['mean_cycles']}")
print(f"  goal >= 1.8x at --jobs 2: {'PASS' if serial / parallel >= 1.8 else 'MISS'}")
PY
