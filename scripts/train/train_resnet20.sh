#!/usr/bin/env bash
# Trains and exports the ResNet-20 Fashion-MNIST networks (networks/resnet20_*; docs/training.md,
# "ResNet-20"). The fp32 network first (2 threads), its checkpoint warm-starts every quantized one;
# the quantized ones then run as two single-thread queues side by side (on 2 cores that is faster
# than one queue with 2 threads). Each stays under 45 minutes: EPOCHS (default 4 quantized, 10 fp32)
# of about 5 minutes on one core, with --max-minutes 38 as a guard. QUEUES=N sets the number of queues.
#   ./scripts/train/train_resnet20.sh [SEED] [OUTDIR] [SET|NAME[,NAME...]]
#     fp32; staircase: binary, FleXOR 0.8/0.6/0.4, mixed N_in 19/16/7; rest: bcq q=2, ternary,
#     signed-binary, and ternary with 89 % zeros (entropy about 0.6 bit per weight: FleXOR 0.6's bytes,
#     entropy-coded); ablation: FleXOR 0.6 with one lever off each (random encrypted bits, no warm
#     start, a fixed S_tanh; the longer schedule the other way: 7 epochs instead of 4); all: fp32, staircase and rest.
#     Or network names, e.g. resnet20_flexor0.8,resnet20_flexor0.6. The ablation's networks go to
#     OUTDIR/ablation (not shipped networks: the shipped-networks test does not re-check them).
set -euo pipefail
cd "$(dirname "$0")/../.."
seed=${1:-1}
out=${2:-networks}
which=${3:-all}
qepochs=${QEPOCHS:-4}
fepochs=${FEPOCHS:-10}
suffix=$([ "$seed" = 1 ] && echo "" || echo "_seed$seed")
mkdir -p "$out"
common=(--model resnet20 --seed "$seed" --batch 128 --augment --schedule cosine --warmup-epochs 0.5)
cold=(--epochs "$qepochs" --lr 1e-3 --max-minutes 38)
warm=("${cold[@]}" --warm-start "$out/resnet20_fp32$suffix.pt")
flexor=(--scheme flexor --s-tanh-start 2 --s-tanh 10 --s-tanh-warmup 1)
recipe() {  # name -> the arguments after train.py's common ones
  case $1 in
    resnet20_fp32) echo --scheme fp32 --epochs "$fepochs" --checkpoint "$out/resnet20_fp32$suffix.pt" ;;
    resnet20_binary) echo "${warm[@]}" --scheme binary ;;
    resnet20_flexor0.8 | resnet20_flexor0.6 | resnet20_flexor0.4) echo "${warm[@]}" "${flexor[@]}" --bits "${1#resnet20_flexor}" ;;
    resnet20_flexor_mixed) echo "${warm[@]}" "${flexor[@]}" --n-in-stages 19,16,7 ;;
    resnet20_bcq2) echo "${warm[@]}" --scheme bcq --q 2 ;;
    resnet20_ternary) echo "${warm[@]}" --scheme ternary ;;
    resnet20_ternary_sparse0.89) echo "${warm[@]}" --scheme ternary --ternary-sparsity 0.89 ;;
    resnet20_signed_binary) echo "${warm[@]}" --scheme signed_binary ;;
    # The lever ablation, each FleXOR 0.6 with one lever off.
    resnet20_flexor*_random_bits) echo "$(recipe "${1%_random_bits}")" --flexor-warm-bits random ;;
    resnet20_flexor0.6_cold) echo "${cold[@]}" "${flexor[@]}" --bits 0.6 ;;
    resnet20_flexor0.6_fixed_s_tanh) echo "${warm[@]}" --scheme flexor --s-tanh 10 --bits 0.6 ;;
    # The longer cosine schedule, measured the other way round: 7 epochs instead of 4 (the 45-minute cap).
    resnet20_flexor0.6_long) echo "${warm[@]}" "${flexor[@]}" --bits 0.6 --epochs 7 --max-minutes 44 ;;  # the later flags win
    # Closing the 0.6 -> 0.4 gap: N_in per stage at fewer bytes than uniform N_in 8 (0.3925 against 0.4003 b/w).
    resnet20_flexor0.4_stages) echo "${warm[@]}" "${flexor[@]}" --n-in-stages 16,9,7 ;;
    resnet20_flexor0.4_stages_long) echo "$(recipe resnet20_flexor0.4_stages)" --epochs 7 --max-minutes 44 ;;
    *) echo "train_resnet20.sh: unknown network '$1'" >&2; return 1 ;;
  esac
}
train() {  # name threads
  local name=$1 threads=$2 args
  args=$(recipe "$name")
  local dir=$out
  case $name in *_random_bits | *_cold | *_fixed_s_tanh | *_long | *_stages) dir=$out/ablation && mkdir -p "$dir" ;; esac
  local export=(--out "$dir/$name$suffix.safetensors")
  [ "$name" = resnet20_fp32 ] && export=()
  echo "== $name$suffix"
  # shellcheck disable=SC2086  # the recipe's words are separate arguments
  /usr/bin/python3 scripts/train/train.py "${common[@]}" --threads "$threads" $args "${export[@]}" \
    --report "$dir/$name$suffix.json" | tail -1 | cut -c1-300
}
queues() {  # names...: QUEUES (default 2) single-thread queues, alternating
  local names=("$@") i n=${QUEUES:-2}
  for ((q = 0; q < n; q++)); do
    (for ((i = q; i < ${#names[@]}; i += n)); do train "${names[$i]}" 1; done) &
  done
  wait
}
staircase=(resnet20_binary resnet20_flexor0.6 resnet20_flexor0.8 resnet20_flexor0.4 resnet20_flexor_mixed)
rest=(resnet20_bcq2 resnet20_ternary resnet20_signed_binary resnet20_ternary_sparse0.89)
ablation=(resnet20_flexor0.6_random_bits resnet20_flexor0.6_cold resnet20_flexor0.6_fixed_s_tanh resnet20_flexor0.6_long)
case $which in
  fp32) train resnet20_fp32 2 ;;
  staircase) queues "${staircase[@]}" ;;
  rest) queues "${rest[@]}" ;;
  ablation) queues "${ablation[@]}" ;;
  all) train resnet20_fp32 2 && queues "${staircase[@]}" "${rest[@]}" ;;
  *) IFS=, read -r -a names <<<"$which" && for n in "${names[@]}"; do recipe "$n" >/dev/null; done && queues "${names[@]}" ;;
esac
