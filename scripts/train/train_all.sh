#!/usr/bin/env bash
# Trains and exports the shipped networks (networks/*.safetensors + .json reports), one at a time.
#   ./scripts/train/train_all.sh [mlp|lenet5|all]
# (lenet5_queue_a/b can be run alone: ./scripts/train/train_all.sh lenet5-a|lenet5-b)
# Times on this 2-core machine: MLP ~1 min/epoch, LeNet-5 ~220 s/epoch (FleXOR), batch 256.
set -euo pipefail
cd "$(dirname "$0")/../.."
mkdir -p networks
train() {  # model epochs name args...
  local model=$1 epochs=$2 name=$3
  shift 3
  echo "== $name"
  /usr/bin/python3 scripts/train/train.py --model "$model" --epochs "$epochs" --batch 256 "$@" \
    --out "networks/$name.safetensors" --report "networks/$name.json" | tail -1
}
which=${1:-all}
if [ "$which" = mlp ] || [ "$which" = all ]; then
  /usr/bin/python3 scripts/train/train.py --model mlp --scheme fp32 --epochs 4 --batch 256 --report networks/mlp_fp32.json | tail -1
  train mlp 4 mlp_binary --scheme binary
  train mlp 4 mlp_flexor0.8 --scheme flexor --bits 0.8
  train mlp 4 mlp_flexor0.6 --scheme flexor --bits 0.6
  train mlp 4 mlp_flexor0.4 --scheme flexor --bits 0.4
  train mlp 4 mlp_bcq2 --scheme bcq --q 2
  train mlp 4 mlp_ternary --scheme ternary
  train mlp 4 mlp_signed_binary --scheme signed_binary
fi
# LeNet-5 runs as two single-threaded queues side by side: on 2 cores that finishes about twice
# as fast as one queue with --threads 2 (PyTorch's conv kernels scale poorly at batch 256).
lenet5_queue_a() {
  /usr/bin/python3 scripts/train/train.py --model lenet5 --scheme fp32 --epochs 3 --batch 256 --threads 1 --report networks/lenet5_fp32.json | tail -1
  # The shipped FleXOR 0.8 network was trained with the default --threads 2 (thread count can change
  # float summation order, so it stays as it was run).
  train lenet5 3 lenet5_flexor0.8 --scheme flexor --bits 0.8
  train lenet5 3 lenet5_flexor0.6 --scheme flexor --bits 0.6 --threads 1
  train lenet5 3 lenet5_flexor0.4 --scheme flexor --bits 0.4 --threads 1
}
lenet5_queue_b() {
  train lenet5 3 lenet5_binary --scheme binary --threads 1
  train lenet5 3 lenet5_bcq2 --scheme bcq --q 2 --threads 1
  train lenet5 3 lenet5_ternary --scheme ternary --threads 1
  train lenet5 3 lenet5_signed_binary --scheme signed_binary --threads 1
}
if [ "$which" = lenet5 ] || [ "$which" = all ]; then
  lenet5_queue_a & a=$!
  lenet5_queue_b & b=$!
  wait $a; wait $b
fi
if [ "$which" = lenet5-a ]; then lenet5_queue_a; fi
if [ "$which" = lenet5-b ]; then lenet5_queue_b; fi
