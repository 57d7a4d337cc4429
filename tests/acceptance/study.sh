#!/usr/bin/env bash
# scripts/study.sh end to end on a small sweep (tests/acceptance/study_smoke.yaml): the README has
# every section with numbers, the figures are SVG, the hard-wired preset's refusals are the only n/a,
# and a second, resumed run renders the same README.   study.sh BUILD ROOT
set -euo pipefail
build=$(cd "$1" && pwd) root=$(cd "$2" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
"$root/scripts/study.sh" --build-dir "$build" --work "$tmp/work" --out "$tmp/out" -j 2 --spec "$root/tests/acceptance/study_smoke.yaml" > "$tmp/log" 2>&1 ||
  { cat "$tmp/log"; fail "study.sh failed"; }
readme="$tmp/out/README.md"
for section in "## 1. Latency" "## 2. What decryption costs" "## 3. Speed-up" "## 4. Where signed-binary" "## 5. Which scheme"; do
  grep -q "^$section" "$readme" || fail "README lacks '$section'"
done
[ "$(grep -c '^\*\*Answer.\*\*' "$readme")" -eq 4 ] || fail "expected 4 answers"
for f in energy_latency area fractional_speedup accuracy_energy accuracy_latency energy_breakdown_resnet18; do
  head -c 200 "$tmp/out/$f.svg" | grep -q "<svg\|<?xml" || fail "$f.svg is not SVG"
done
grep -q "| FleXOR 0.4 | 0.40 | n/a | " "$readme" || fail "the hard-wired preset's FleXOR 0.4 is not n/a"
grep -q "LeNet-5 on edge-membound-16x16 .*× at 0.4 b" "$readme" || fail "no fractional speed-up on the membound preset"
[ "$(wc -l < "$tmp/out/results.csv")" -eq 15 ] || fail "results.csv: expected 14 points"
! grep -q "$root" "$tmp/out/results.csv" || fail "results.csv holds absolute paths"
cp "$readme" "$tmp/first.md"
"$root/scripts/study.sh" --build-dir "$build" --work "$tmp/work" --out "$tmp/out" -j 2 --resume --spec "$root/tests/acceptance/study_smoke.yaml" > "$tmp/log2" 2>&1 ||
  { cat "$tmp/log2"; fail "resumed study.sh failed"; }
diff <(grep -v "the sweep took" "$tmp/first.md") <(grep -v "the sweep took" "$readme") || fail "the resumed study differs"
echo "ok: study smoke"
