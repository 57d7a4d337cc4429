#!/usr/bin/env bash
# The DRAM figures on the command line (docs/dram.md):
#   run-per-layer:  `subbit run` reports each layer's DRAM traffic as the DRAM counted it (the DMA
#                   tags every transfer with its layer): bytes equal the layer's DMA bytes, the
#                   layers' row hits add up to the run's, and the table has a row-hit column.
#   replay-labels:  `subbit dram-replay` says its latency counts from arrival, names the command
#                   arbiter and the write-drain watermarks, and an unloaded LPDDR4 read takes 46.25 ns.
#   dram_report.sh SUBBIT ROOT CHECK
set -euo pipefail
subbit=$1 root=$2 check=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
net="$root/networks/lenet5_flexor0.8.safetensors"
cfg="$root/configs/default.yaml"
case "$check" in
  run-per-layer)
    "$subbit" run --network "$net" --config "$cfg" --json > "$tmp/run.json"
    /usr/bin/python3 - "$tmp/run.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
hits = 0
for l in d["layers"]:
    m = l["dram"]
    assert m["bytes_read"] + m["bytes_written"] == l["dram_bytes"], (l["name"], m, l["dram_bytes"])
    assert 0 <= m["row_hit_rate"] <= 1, m
    assert m["row_hits"] + m["row_misses"] + m["row_conflicts"] > 0, m
    hits += m["row_hits"]
assert hits == d["dram"]["row_hits"], (hits, d["dram"])
PY
    # grep without -q reads to the end: with pipefail, an early exit would SIGPIPE the report.
    "$subbit" run --network "$net" --config "$cfg" | grep 'row hit %' > /dev/null
    ;;
  replay-labels)
    printf '0: read 0x0\n' > "$tmp/one.stl"
    "$subbit" dram-replay "$tmp/one.stl" --config "$cfg" --json > "$tmp/one.json"
    /usr/bin/python3 - "$tmp/one.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["latency_from"] == "arrival", d
assert d["dram"]["cmd_arbiter"] == "oldest", d["dram"]
assert abs(d["latency_ns"]["mean"] - 46.25) < 1e-9, d["latency_ns"]
PY
    "$subbit" dram-replay "$tmp/one.stl" --config "$cfg" | grep 'from arrival' >/dev/null
    sed 's/^  scheduler: fr-fcfs$/  scheduler: fr-fcfs-wm/' "$cfg" > "$tmp/wm.yaml"
    "$subbit" dram-replay "$tmp/one.stl" --config "$tmp/wm.yaml" | grep -F 'fr-fcfs-wm (writes drain at 24 down to 8), command arbiter oldest' >/dev/null
    "$subbit" dram-replay "$tmp/one.stl" --config "$tmp/wm.yaml" --json | grep '"high": 24' >/dev/null
    ;;
  *) echo "unknown check $check" >&2; exit 2 ;;
esac
