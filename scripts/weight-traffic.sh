#!/usr/bin/env bash
# DRAM weight traffic of binary and FleXOR 0.8/0.6/0.4 networks, next to their bits per weight.
# Runs on configs/large.yaml (programmable decryptor, so every N_in runs; its buffers hold each
# layer's weights once, so weight traffic is the stored size).
#   ./scripts/weight-traffic.sh [NETWORK ...]     (default: lenet5 resnet20 resnet18)
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x build/subbit ] || ./scripts/build.sh >/dev/null
export SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1
dir=build/weight-traffic
mkdir -p "$dir"
networks=("$@")
[ ${#networks[@]} -eq 0 ] && networks=(lenet5 resnet20 resnet18)
for net in "${networks[@]}"; do
  for scheme in binary 0.8 0.6 0.4; do
    args=(--scheme binary)
    [ "$scheme" != binary ] && args=(--scheme flexor --bits "$scheme")
    ./build/subbit netgen "$net" "${args[@]}" --all-layers -o "$dir/$net-$scheme.safetensors" >/dev/null
    ./build/subbit inspect --json "$dir/$net-$scheme.safetensors" > "$dir/$net-$scheme.inspect.json"
    ./build/subbit run --config configs/large.yaml --network "$dir/$net-$scheme.safetensors" --json > "$dir/$net-$scheme.run.json"
  done
done
/usr/bin/python3 - "$dir" "${networks[@]}" <<'PY'
import json, sys
d, nets = sys.argv[1], sys.argv[2:]
print(f"{'network':10} {'scheme':7} {'bits/w':>7} {'weight B read':>14} {'ratio':>7} {'bits ratio':>10} {'cycles':>12}")
for net in nets:
    base = None
    for scheme in ["binary", "0.8", "0.6", "0.4"]:
        ins = json.load(open(f"{d}/{net}-{scheme}.inspect.json"))
        run = json.load(open(f"{d}/{net}-{scheme}.run.json"))
        bpw, wb = ins["totals"]["bits_per_weight"], run["weight_read_bytes"]
        if base is None: base = (bpw, wb)
        print(f"{net:10} {scheme:7} {bpw:7.3f} {wb:14,d} {wb/base[1]:7.3f} {bpw/base[0]:10.3f} {run['cycles']:12,d}")
PY
