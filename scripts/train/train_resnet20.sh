#!/usr/bin/env bash
# Trains and exports the ResNet-20 Fashion-MNIST networks (networks/resnet20_*; docs/training.md,
# "ResNet-20"). The fp32 network first (2 threads), its checkpoint warm-starts every quantized one;
# the quantized ones then run as two single-thread queues side by side (on 2 cores that is faster
# than one queue with 2 threads). Each stays under 45 minutes: EPOCHS (default 4 quantized, 10 fp32)
# of about 6 minutes on one core, with --max-minutes 38 as a guard.
#   ./scripts/train/train_resnet20.sh [SEED] [OUTDIR] [fp32|staircase|rest|all]
#     staircase: binary, FleXOR 0.8/0.6/0.4, mixed N_in 19/16/7; rest: bcq q=2, ternary, signed-binary,
#     and ternary with 89 % zeros (entropy about 0.6 bit per weight: FleXOR 0.6's bytes, entropy-coded)
set -euo pipefail
cd "$(dirname "$0")/../.."
seed=${1:-1}
out=${2:-networks}
which=${3:-all}
qepochs=${QEPOCHS:-4}
fepochs=${FEPOCHS:-10}
suffix=$([ "$seed" = 1 ] && echo "" || echo "_seed$seed")
mkdir -p "$out"
train() {  # name threads args...
  local name=$1 threads=$2
  shift 2
  echo "== $name$suffix"
  /usr/bin/python3 scripts/train/train.py --model resnet20 --seed "$seed" --batch 128 --threads "$threads" --augment \
    --schedule cosine --warmup-epochs 0.5 "$@" --report "$out/$name$suffix.json" | tail -1 | cut -c1-300
}
quant() {  # name args...: warm-started from the fp32 checkpoint, exported
  local name=$1
  shift
  train "$name" 1 --epochs "$qepochs" --lr 1e-3 --max-minutes 38 --warm-start "$out/resnet20_fp32$suffix.pt" "$@" --out "$out/$name$suffix.safetensors"
}
flexor=(--scheme flexor --s-tanh-start 2 --s-tanh 10 --s-tanh-warmup 1)
if [ "$which" = fp32 ] || [ "$which" = all ]; then
  train resnet20_fp32 2 --scheme fp32 --epochs "$fepochs" --checkpoint "$out/resnet20_fp32$suffix.pt"
fi
if [ "$which" = staircase ] || [ "$which" = all ]; then
  (quant resnet20_binary --scheme binary; quant resnet20_flexor0.8 "${flexor[@]}" --bits 0.8; quant resnet20_flexor_mixed "${flexor[@]}" --n-in-stages 19,16,7) &
  (quant resnet20_flexor0.6 "${flexor[@]}" --bits 0.6; quant resnet20_flexor0.4 "${flexor[@]}" --bits 0.4) &
  wait
fi
if [ "$which" = rest ] || [ "$which" = all ]; then
  (quant resnet20_bcq2 --scheme bcq --q 2; quant resnet20_signed_binary --scheme signed_binary) &
  (quant resnet20_ternary --scheme ternary; quant resnet20_ternary_sparse0.89 --scheme ternary --ternary-sparsity 0.89) &
  wait
fi
