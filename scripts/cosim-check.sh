#!/usr/bin/env bash
# Co-simulation acceptance (issue 10): every network below runs on `subbit run --fidelity rtl`, where
# the Verilated compute core and XOR decryptor compute every tile. Checks RTL = TLM on every tile
# output, accelerator = golden on every network output, and prints per network the largest
# per-layer difference between the TLM model's and the RTL's cycles (PE array + post-processing).
#   scripts/cosim-check.sh [--quick] [--jobs N] [--images N] [--out FILE.json]
# --quick: 10 images instead of 100, and the FFN block at 16 tokens. Exit status 1 on any mismatch.
set -euo pipefail
cd "$(dirname "$0")/.."
images=100 jobs=2 quick=0 out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1; images=10 ;;
    --jobs) jobs="$2"; shift ;;
    --images) images="$2"; shift ;;
    --out) out="$2"; shift ;;
    *) echo "cosim-check: unknown option '$1' (expected --quick, --jobs N, --images N, --out FILE)" >&2; exit 2 ;;
  esac
  shift
done
[ -x build/subbit ] || ./scripts/build.sh >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1

# network file | config | extra run arguments
runs=()
for n in lenet5 mlp; do
  for s in binary flexor0.8; do runs+=("networks/${n}_${s}.safetensors|configs/default.yaml|--dataset fashion-mnist --images $images"); done
  for s in flexor0.6 flexor0.4; do runs+=("networks/${n}_${s}.safetensors|configs/edge-membound.yaml|--dataset fashion-mnist --images $images"); done
done
tokens=()
[ "$quick" = 1 ] && tokens=(--tokens 16)
for net in resnet20 mlp ffn; do
  extra=()
  [ "$net" = ffn ] && extra=("${tokens[@]}")
  gen() {  # name config netgen-args...
    local name=$1 cfg=$2; shift 2
    build/subbit netgen "$net" "${extra[@]}" "$@" -o "$work/${net}_$name.safetensors" >/dev/null
    runs+=("$work/${net}_$name.safetensors|$cfg|")
  }
  gen int8 configs/default.yaml --scheme int8
  gen binary configs/default.yaml --scheme binary
  gen bcq2 configs/default.yaml --scheme bcq --q 2
  gen uniform2 configs/default.yaml --scheme uniform --q 2
  gen ternary configs/default.yaml --scheme ternary
  gen signed_binary configs/default.yaml --scheme signed_binary
  gen xnor configs/default.yaml --scheme binary --act-bits 1
  gen flexor0.8 configs/default.yaml --scheme flexor --bits 0.8
  gen flexor0.6 configs/edge-membound.yaml --scheme flexor --bits 0.6 --explicit-matrix
  gen flexor0.4 configs/edge-membound.yaml --scheme flexor --bits 0.4 --explicit-matrix
done

i=0
for r in "${runs[@]}"; do
  IFS='|' read -r net cfg args <<<"$r"
  echo "$i|$net|$cfg|$args"
  i=$((i + 1))
done >"$work/list"

run_one() {
  IFS='|' read -r i net cfg args <<<"$1"
  # shellcheck disable=SC2086
  if build/subbit run --network "$net" --config "$cfg" --fidelity rtl --json $args >"run$i.json.tmp" 2>"run$i.err"; then :; fi
  mv "run$i.json.tmp" "run$i.json"
}
export -f run_one
cd "$work" && ln -s "$OLDPWD/build" build && ln -s "$OLDPWD/networks" networks && ln -s "$OLDPWD/configs" configs
while IFS= read -r line; do echo "$line"; done <list | xargs -P "$jobs" -I{} bash -c 'run_one "$@"' _ {}
python3 - "$work" "${out}" <<'PY'
import json, os, sys
work, out = sys.argv[1], sys.argv[2]
rows, bad = [], 0
for line in open(os.path.join(work, "list")):
    line = line.rstrip("\n")
    i, net, cfg, args = line.split("|")
    try:
        txt = open(os.path.join(work, f"run{i}.json")).read()
        j = json.loads(txt[txt.index("{"):])
    except Exception:
        err = open(os.path.join(work, f"run{i}.err")).read().strip()
        rows.append(dict(network=os.path.basename(net), config=os.path.basename(cfg), error=err)); bad += 1
        continue
    layers = j["layers"]
    tlm = sum(l["tlm_pe_cycles"] + l["tlm_post_cycles"] for l in layers)
    rtl = sum(l["rtl_pe_cycles"] + l["rtl_post_cycles"] for l in layers)
    worst = max(layers, key=lambda l: abs(l["rtl_tlm_difference"]))
    ok = j["rtl_match"] and j["golden_match"]
    bad += not ok
    rows.append(dict(network=os.path.basename(net), config=os.path.basename(cfg), images=j["images"], rtl_match=j["rtl_match"],
                     golden_match=j["golden_match"], tlm_cycles=tlm, rtl_cycles=rtl, worst_layer=worst["name"],
                     worst_difference=worst["rtl_tlm_difference"], accuracy=j.get("accuracy"), wall_s=j["wall_s"],
                     rtl_cycles_per_s=j["rtl_cycles_per_s"]))
print(f"{'network':34} {'config':20} {'img':>4} {'RTL=TLM':>8} {'=golden':>8} {'TLM cycles':>12} {'RTL cycles':>12} {'worst layer diff':>26} {'wall s':>8}")
for r in rows:
    if "error" in r:
        print(f"{r['network']:34} {r['config']:20} ERROR: {r['error'][:200]}")
        continue
    print(f"{r['network']:34} {r['config']:20} {r['images']:>4} {str(r['rtl_match']):>8} {str(r['golden_match']):>8} {r['tlm_cycles']:>12,} "
          f"{r['rtl_cycles']:>12,} {r['worst_layer'][:16]:>16} {100*r['worst_difference']:>8.2f}% {r['wall_s']:>8.1f}")
print(f"\n{len(rows) - bad} of {len(rows)} runs: RTL = TLM on every tile and = golden on every output")
if out:
    tmp = out + ".tmp"
    json.dump(rows, open(tmp, "w"), indent=1)
    os.replace(tmp, out)
sys.exit(1 if bad else 0)
PY
