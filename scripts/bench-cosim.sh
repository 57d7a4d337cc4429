#!/usr/bin/env bash
# Co-simulation speed: one LeNet-5 inference (shipped binary network, first Fashion-MNIST test image)
# on the default config, TLM only and with the Verilated compute core (--fidelity rtl), side by side
# in one run. Prints wall times, their ratio and the RTL's simulated clock cycles per wall second.
# Goal (issue 10): <= 60 s for the co-simulated LeNet-5 inference.
#   scripts/bench-cosim.sh [NETWORK] [CONFIG]
set -euo pipefail
cd "$(dirname "$0")/.."
net=${1:-networks/lenet5_binary.safetensors}
cfg=${2:-configs/default.yaml}
[ -x build/subbit ] || ./scripts/build.sh >/dev/null
export SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1
run() { build/subbit run --network "$net" --config "$cfg" --dataset fashion-mnist --images 1 --json "$@"; }
tlm=$(run)
rtl=$(run --fidelity rtl)
python3 - "$tlm" "$rtl" <<'PY'
import json, sys
tlm, rtl = (json.loads(t[t.index("{"):]) for t in sys.argv[1:3])
print(f"{rtl['name']} on {rtl['platform']}")
print(f"  TLM model:       {tlm['wall_s']:8.2f} s wall, {tlm['cycles']:,} accelerator cycles")
print(f"  RTL co-sim:      {rtl['wall_s']:8.2f} s wall ({rtl['wall_s'] / tlm['wall_s']:.1f}x the TLM run), {rtl['rtl_clock_cycles']:,} RTL clock cycles "
      f"(loads included), {rtl['rtl_cycles_per_s']:,.0f} RTL cycles/s")
print(f"  RTL = TLM on every tile: {rtl['rtl_match']}; golden: {rtl['golden_match']}")
print(f"  goal <= 60 s per co-simulated inference: {'PASS' if rtl['wall_s'] <= 60 else 'MISS'}")
PY
