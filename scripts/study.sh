#!/usr/bin/env bash
# The headline study (docs/study/README.md): `subbit sweep docs/study/study.yaml` (LeNet-5, ResNet-20,
# ResNet-18 and the FFN block under eight weight schemes, and the trained Fashion-MNIST networks, on
# every preset), then scripts/study/render.py writes docs/study/README.md, results.csv and the SVG
# figures (matplotlib from Debian). Starts afresh, so the wall time it reports is the whole study's;
# --resume keeps the points an interrupted study finished.
#
#   scripts/study.sh [--build-dir build] [--work DIR] [--out docs/study] [-j N] [--resume] [--spec FILE]
#
# --work: the sweep's directory (default BUILD/study); --spec: another sweep file (the test's smaller one).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="$root/build" work="" out="$root/docs/study" jobs="$(nproc)" fresh=1 spec="$root/docs/study/study.yaml"
while [ $# -gt 0 ]; do
  case "$1" in
    --build-dir) build="$(cd "$2" && pwd)"; shift 2 ;;
    --work) work="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    -j|--jobs) jobs="$2"; shift 2 ;;
    --resume) fresh=0; shift ;;
    --spec) spec="$2"; shift 2 ;;
    -h|--help) sed -n 2,11p "$0"; exit 0 ;;
    *) echo "study.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
[ -n "$work" ] || work="$build/study"
[ -x "$build/subbit" ] || { echo "study.sh: $build/subbit not built (run scripts/build.sh)" >&2; exit 2; }
/usr/bin/python3 -c "import matplotlib" 2>/dev/null || { echo "study.sh: matplotlib is missing (scripts/install-deps.sh installs python3-matplotlib)" >&2; exit 2; }
[ "$fresh" -eq 0 ] || rm -rf "$work"
start=$(date +%s)
# The default preset's hard-wired decryptor refuses FleXOR 0.6 and 0.4 (expected: the sweep exits 1
# and lists them); render.py accepts only that failure and stops on any other.
set +e
"$build/subbit" sweep "$spec" -o "$work" -j "$jobs"
status=$?
set -e
[ "$status" -le 1 ] || { echo "study.sh: the sweep failed (exit $status)" >&2; exit 1; }
[ -f "$work/results.json" ] || { echo "study.sh: the sweep wrote no results.json" >&2; exit 1; }
wall=$(( $(date +%s) - start ))
/usr/bin/python3 "$root/scripts/study/render.py" "$work" "$out" --command "scripts/study.sh" --wall "${wall} s with -j $jobs$([ "$fresh" -eq 1 ] || echo ', resumed')"
echo "study.sh: done in ${wall} s; $out/README.md"
