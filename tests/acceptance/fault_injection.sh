#!/bin/sh
# subbit run/golden --inject on the command line (docs/fault-injection.md).
#   fault_injection.sh SUBBIT SOURCE_DIR CHECK
# CHECK: bad-specs | deterministic | rate-zero | run-equals-golden
set -eu
SUBBIT=$1
SRC=$2
CHECK=$3
NETS=$SRC/networks
CFG=$SRC/configs/default.yaml
field() {  # field FILE EXPR: a Python expression over the JSON document d
  python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"
}
fail() {
  echo "FAIL: $*" >&2
  exit 1
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

case $CHECK in
bad-specs)
  # Each bad spec is refused naming the option, the spec, the field and what was expected.
  while IFS='|' read -r spec want; do
    for cmd in run golden; do
      [ $cmd = run ] && set -- --config "$CFG" || set --
      out=$("$SUBBIT" $cmd "$@" --network "$NETS/mlp_flexor0.8.safetensors" --inject "$spec" 2>&1) && fail "$cmd accepted --inject '$spec'"
      echo "$out" | grep -qF "$cmd --inject '$spec': $want" || fail "$cmd --inject '$spec': expected '$want', got: $out"
    done
  done <<EOF
weights|expected TARGET:FIELD=VALUE[,FIELD=VALUE...] with TARGET weights, params, activations or decryptor
dram:ber=1e-3|unknown target 'dram' (expected weights, params, activations or decryptor)
weights:ber=2|ber=2: expected a bit-error rate, a number from 0 to 1 (e.g. 1e-4)
weights:ber=1e-3,count=3|give ber or count, not both
weights:layers=fc2|weights needs ber=P (a probability per stored bit) or count=N (exactly N distinct bits)
weights:ber=1e-3,layers=conv9|layers: 'conv9' is not a layer of network 'mlp' with weights (expected fc1, fc2, fc3)
activations:rate=1|unknown field 'rate' for activations (expected ber, count or layers)
weights:count=99999999|count=99999999 is more than the 3461952 bits of weights
decryptor:stuck-at-0=@20|stuck-at-0: output 20 does not exist (the decryptor's M⊕ has N_out = 20 outputs, 0..19)
decryptor:stuck-at-1=x|stuck-at-1=x: expected a number of outputs (chosen by --inject-seed) or @R+R... (outputs R of M⊕, e.g. @0+7)
EOF
  "$SUBBIT" run --config "$CFG" --network "$NETS/mlp_flexor0.8.safetensors" --inject weights:ber=0 --inject weights:count=1 2>&1 |
    grep -qF "run --inject 'weights:count=1': a second weights spec (one per target; the first was 'weights:ber=0')" || fail "second weights spec"
  "$SUBBIT" golden --network "$NETS/mlp_flexor0.8.safetensors" --inject-seed 4 2>&1 | grep -qF "golden --inject-seed: no --inject given" || fail "seed alone"
  "$SUBBIT" run --config "$CFG" --network "$NETS/mlp_flexor0.8.safetensors" --inject weights:ber=0 --inject-seed -1 2>&1 |
    grep -qF "run --inject-seed: expected a non-negative integer seed, got '-1'" || fail "negative seed"
  ;;
deterministic)
  # The same seed gives the same flips and outputs; another seed other flips.
  for s in 7a 7b 8; do
    "$SUBBIT" run --config "$CFG" --network "$NETS/lenet5_flexor0.8.safetensors" --dataset fashion-mnist --images 5 \
      --inject weights:ber=1e-3 --inject activations:ber=1e-4 --inject decryptor:stuck-at-0=1 --inject-seed "${s%[ab]}" --json >"$tmp/run$s.json"
  done
  a=$tmp/run7a.json
  b=$tmp/run7b.json
  c=$tmp/run8.json
  [ "$(field "$a" "d['faults'], d['predictions']")" = "$(field "$b" "d['faults'], d['predictions']")" ] || fail "seed 7 twice gave different faults"
  [ "$(field "$a" "d['faults']['tensors']")" != "$(field "$c" "d['faults']['tensors']")" ] || fail "seeds 7 and 8 gave the same flips"
  [ "$(field "$a" "d['golden_match']")" = True ] || fail "the run disagreed with the faulted golden reference"
  ;;
rate-zero)
  # Rate 0 on every target: bit-identical outputs to no injection (and the fault-free golden reference).
  "$SUBBIT" run --config "$CFG" --network "$NETS/lenet5_flexor0.8.safetensors" --dataset fashion-mnist --images 10 --json >"$tmp/none.json"
  "$SUBBIT" run --config "$CFG" --network "$NETS/lenet5_flexor0.8.safetensors" --dataset fashion-mnist --images 10 --json \
    --inject weights:ber=0 --inject params:ber=0 --inject activations:ber=0 >"$tmp/zero.json"
  [ "$(field "$tmp/zero.json" "d['faults']['fault_free_output_differences'], d['faults']['flipped'], d['faults']['activations']['flipped']")" = "0 0 0" ] ||
    fail "rate 0 changed outputs: $(field "$tmp/zero.json" "d['faults']")"
  [ "$(field "$tmp/none.json" "d['predictions'], d['cycles']")" = "$(field "$tmp/zero.json" "d['predictions'], d['cycles']")" ] || fail "rate 0 differs from no injection"
  ;;
run-equals-golden)
  # The accelerator model (faults in device memory, the DMA's write-back and the decryptor) and the
  # golden reference on the faulted network agree image by image: the fault study's shortcut.
  for net in lenet5_binary lenet5_flexor0.8 mlp_flexor0.8; do
    set -- --network "$NETS/$net.safetensors" --dataset fashion-mnist --images 20 --inject weights:ber=3e-3 --inject activations:ber=1e-4 --inject-seed 12 --json
    "$SUBBIT" run --config "$CFG" "$@" >"$tmp/run.json" || fail "$net: subbit run failed (a mismatch with the faulted golden reference?)"
    "$SUBBIT" golden "$@" >"$tmp/golden.json"
    [ "$(field "$tmp/run.json" "d['predictions'], d['faults']['weights']")" = "$(field "$tmp/golden.json" "d['predictions'], d['faults']['weights']")" ] ||
      fail "$net: run and golden disagree under the same faults"
    [ "$(field "$tmp/run.json" "d['faults']['weights']['flipped'] > 0 and d['golden_match']")" = True ] || fail "$net: no flips or no match"
  done
  ;;
*)
  fail "unknown check $CHECK"
  ;;
esac
echo "ok: $CHECK"
