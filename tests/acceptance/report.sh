#!/usr/bin/env bash
# subbit report / subbit run --report (docs/reports.md): the evaluation report's files.
#   files:     `subbit report -o DIR` on LeNet-5 FleXOR 0.8 (3 Fashion-MNIST images) with --trace: the JSON,
#              CSV and Chrome trace agree with each other and with --trace's first inference
#              (tests/acceptance/check_report.py); report.json is `run --json`'s output but for wall_s.
#   html:      headless Chromium renders report.html (ResNet-20 synthetic binary, large preset): status ok,
#              every chart drawn with points, nothing on the console, nothing loaded from outside.
#   jobs:      `run --report DIR --jobs 2` writes the report of --jobs 1 (but for wall-clock fields).
#   bad-dir:   a report directory that cannot be made is named in the error; nothing else is written.
#   report.sh SUBBIT ROOT CHECK
set -euo pipefail
subbit=$1 root=$2 check=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cfg="$root/configs/default.yaml"
flexor="$root/networks/lenet5_flexor0.8.safetensors"
check_report="$root/tests/acceptance/check_report.py"
fail() { echo "FAIL: $*" >&2; exit 1; }
normalize() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d.pop("wall_s",None); d.pop("mean_cycles",None); print(json.dumps(d, sort_keys=True, indent=1))' "$1"; }
case "$check" in
  files)
    "$subbit" report --config "$cfg" --network "$flexor" --dataset fashion-mnist --images 3 --trace "$tmp/trace.log" -o "$tmp/r" > "$tmp/out.txt"
    grep -q "report: $tmp/r/report.html" "$tmp/out.txt" || fail "no report line in the output"
    python3 "$check_report" "$tmp/r" --trace "$tmp/trace.log"
    "$subbit" run --config "$cfg" --network "$flexor" --dataset fashion-mnist --images 3 --json > "$tmp/run.json"
    diff <(normalize "$tmp/run.json") <(normalize "$tmp/r/report.json") || fail "report.json differs from run --json"
    ;;
  html)
    "$subbit" netgen resnet20 --scheme binary -o "$tmp/resnet20.safetensors" > /dev/null
    "$subbit" run --config "$root/configs/large.yaml" --network "$tmp/resnet20.safetensors" --report "$tmp/r" > /dev/null
    python3 "$check_report" "$tmp/r" --html
    ;;
  jobs)
    "$subbit" run --config "$cfg" --network "$flexor" --dataset fashion-mnist --images 4 --report "$tmp/j1" --json > /dev/null
    "$subbit" run --config "$cfg" --network "$flexor" --dataset fashion-mnist --images 4 --report "$tmp/j2" --jobs 2 --json > /dev/null
    diff <(normalize "$tmp/j1/report.json") <(normalize "$tmp/j2/report.json") || fail "--jobs 2 report.json differs"
    for f in layers.csv area.csv timeline.trace.json; do cmp "$tmp/j1/$f" "$tmp/j2/$f" || fail "--jobs 2 $f differs"; done
    ;;
  bad-dir)
    touch "$tmp/file"
    if "$subbit" report --config "$cfg" --network "$flexor" -o "$tmp/file/sub" > "$tmp/out.txt" 2> "$tmp/err.txt"; then fail "a directory under a file was accepted"; fi
    grep -q "$tmp/file/sub: cannot create the report directory" "$tmp/err.txt" || fail "unexpected error: $(cat "$tmp/err.txt")"
    if "$subbit" report --config "$cfg" --network "$flexor" > "$tmp/out.txt" 2> "$tmp/err.txt"; then fail "report without -o accepted"; fi
    grep -q -- "--output is required" "$tmp/err.txt" || fail "unexpected error: $(cat "$tmp/err.txt")"
    ;;
  *) fail "unknown check $check" ;;
esac
echo "ok: $check"
