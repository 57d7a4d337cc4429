#!/bin/sh
# cli.area_report (docs/area.md): `subbit run --json` has an "area" object with a positive total,
# the XOR decryptor's share and unit shares summing to 1; a bad --area-table is refused naming the
# file, the line and the field; a missing one names the path. Usage: area_report.sh SUBBIT SOURCE_DIR
set -e
subbit=$1
src=$2
net="$src/networks/lenet5_flexor0.8.safetensors"
cfg="$src/configs/default.yaml"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$subbit" run --json --config "$cfg" --network "$net" > "$tmp/run.json"
python3 - "$tmp/run.json" <<'PY'
import json, sys
a = json.load(open(sys.argv[1]))["area"]
assert a["total_mm2"] > 0, a
assert 0 < a["xor_decrypt_share"] < 1, a
assert abs(sum(u["share"] for u in a["units"]) - 1) < 1e-9, a
assert [u["name"] for u in a["units"]] == ["pe_array", "post_processor", "xor_decryptor", "weight_buffer", "activation_buffer", "accumulator_buffer"], a
assert a["not_modelled"] == ["dma", "registers", "dram_controller"], a
assert abs(a["total_um2"] - a["logic_um2"] - a["sram_um2"]) < 1e-3 * a["total_um2"], a
for k in ("table", "table_name", "version", "source", "technology_nm"):
    assert k in a, k
PY
"$subbit" run --config "$cfg" --network "$net" | grep -q '^area [0-9.]* mm² at 180 nm: .*XOR decryption [0-9.]*%'

sed 's/^  bitcell_um2: 4.6/  bitcell_um2: -1/' "$src/configs/area/osu018.yaml" > "$tmp/bad.yaml"
line=$(grep -n '^  bitcell_um2:' "$tmp/bad.yaml" | cut -d: -f1)
if "$subbit" run --config "$cfg" --network "$net" --area-table "$tmp/bad.yaml" > "$tmp/out" 2>&1; then echo "bad table accepted"; exit 1; fi
grep -qF "$tmp/bad.yaml:$line: field 'sram.bitcell_um2': expected a number > 0 and ≤ 1000 (µm² per bit cell), got \"-1\"" "$tmp/out" || { cat "$tmp/out"; exit 1; }
if "$subbit" run --config "$cfg" --network "$net" --area-table "$tmp/missing.yaml" > "$tmp/out" 2>&1; then echo "missing table accepted"; exit 1; fi
grep -qF "$tmp/missing.yaml" "$tmp/out" || { cat "$tmp/out"; exit 1; }
echo ok
