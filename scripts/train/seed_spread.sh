#!/usr/bin/env bash
# Seed-to-seed spread of LeNet-5 accuracy: retrains fp32, binary and FleXOR 0.8/0.6/0.4 with another
# seed (initialisation and batch order; M⊕ stays seed 1) into OUTDIR, in two single-thread queues,
# and prints each accuracy next to the shipped network's. About 45 min on 2 cores.
#   ./scripts/train/seed_spread.sh SEED OUTDIR
set -euo pipefail
seed=${1:?seed} out=${2:?output directory}
cd "$(dirname "$0")/../.."
mkdir -p "$out"
train() {  # name args...
  local name=$1
  shift
  local net=()
  [ "$name" = fp32 ] || net=(--out "$out/lenet5_$name.safetensors")
  /usr/bin/python3 scripts/train/train.py --model lenet5 --epochs 3 --batch 256 --threads 1 --seed "$seed" \
    "$@" "${net[@]}" --report "$out/lenet5_$name.json" > "$out/lenet5_$name.log"
}
( train flexor0.4 --scheme flexor --bits 0.4; train flexor0.8 --scheme flexor --bits 0.8; train fp32 --scheme fp32 ) &
a=$!
( train flexor0.6 --scheme flexor --bits 0.6; train binary --scheme binary ) &
b=$!
wait $a
wait $b
printf '| scheme | seed 1 (shipped) | seed %s |\n|---|---|---|\n' "$seed"
for name in fp32 binary flexor0.8 flexor0.6 flexor0.4; do
  /usr/bin/python3 -c 'import json, sys
a, b = (json.load(open(p))["pytorch_fakequant_accuracy"] for p in sys.argv[2:])
print(f"| {sys.argv[1]} | {a:.2f} | {b:.2f} |")' "$name" "networks/lenet5_$name.json" "$out/lenet5_$name.json"
done
