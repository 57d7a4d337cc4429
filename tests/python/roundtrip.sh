#!/usr/bin/env bash
# Smoke-train a network, export it, and check that PyTorch's integer evaluation, `subbit golden`
# and `subbit run` (the accelerator model) predict the same classes on the same test images.
#   roundtrip.sh SUBBIT CONFIG WORKDIR MODEL SCHEME [TRAIN ARGS...]
set -euo pipefail
subbit=$1 config=$2 dir=$3 model=$4 scheme=$5
shift 5
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$dir"
net=$dir/$model-$scheme.safetensors
/usr/bin/python3 "$here/../../scripts/train/train.py" --model "$model" --scheme "$scheme" --smoke --threads 1 --out "$net" "$@" >/dev/null
"$subbit" golden --network "$net" --dataset fashion-mnist --images 1000 --json > "$dir/golden.json"
"$subbit" run --config "$config" --network "$net" --dataset fashion-mnist --images 50 --json > "$dir/run.json"
/usr/bin/python3 - "$net.json" "$dir/golden.json" "$dir/run.json" <<'PY'
import json, sys
torch_p = json.load(open(sys.argv[1]))["predictions"]
golden_p = json.load(open(sys.argv[2]))["predictions"]
run = json.load(open(sys.argv[3]))
assert run["golden_match"], "accelerator differs from golden"
diff = [i for i, (a, b) in enumerate(zip(torch_p, golden_p)) if a != b]
assert len(torch_p) == len(golden_p) == 1000, (len(torch_p), len(golden_p))
assert not diff, f"PyTorch and golden disagree on images {diff[:10]}"
assert run["predictions"] == golden_p[:50], "accelerator and golden predictions differ"
print(f"1000/1000 PyTorch = golden, 50/50 accelerator = golden")
PY
