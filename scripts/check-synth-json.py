#!/usr/bin/env python3
"""Checks a scripts/synth.sh JSON: the named units synthesized, each with cells > 0 and flip_flops > 0,
and area > 0 where a liberty was used (null otherwise). Exit 1 naming what is wrong.

    scripts/check-synth-json.py build/synth/default.json --units xor_decryptor,requant
"""
import argparse
import json
import sys


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("json")
    ap.add_argument("--units", required=True, help="comma-separated units that must be present")
    a = ap.parse_args()
    try:
        with open(a.json, encoding="utf-8") as f:
            doc = json.load(f)
    except (OSError, ValueError) as e:
        sys.exit(f"check-synth-json: cannot read {a.json}: {e}")
    errors = []
    for key in ("config", "design", "config_hash", "tools", "library", "units"):
        if doc.get(key) in (None, ""):
            errors.append(f"missing {key}")
    liberty = doc.get("liberty") is not None
    units = doc.get("units") or {}
    for u in [u.strip() for u in a.units.split(",") if u.strip()]:
        r = units.get(u)
        if r is None:
            errors.append(f"unit {u}: missing")
            continue
        if r.get("status") != "ok":
            errors.append(f"unit {u}: status {r.get('status')} ({r.get('error')})")
            continue
        if not isinstance(r.get("cells"), int) or r["cells"] <= 0:
            errors.append(f"unit {u}: cells {r.get('cells')}, want > 0")
        if not isinstance(r.get("flip_flops"), int) or r["flip_flops"] <= 0:
            errors.append(f"unit {u}: flip_flops {r.get('flip_flops')}, want > 0")
        if sum((r.get("cells_by_type") or {}).values()) != r.get("cells"):
            errors.append(f"unit {u}: cells_by_type does not add up to cells")
        if liberty and not (isinstance(r.get("area"), (int, float)) and r["area"] > 0):
            errors.append(f"unit {u}: area {r.get('area')}, want > 0 (liberty {doc['liberty'].get('path')})")
        if not liberty and r.get("area") is not None:
            errors.append(f"unit {u}: area {r.get('area')} without a liberty, want null")
        if not r.get("yosys"):
            errors.append(f"unit {u}: no yosys command recorded")
    if errors:
        for e in errors:
            print(f"check-synth-json: {a.json}: {e}", file=sys.stderr)
        sys.exit(1)
    print(f"check-synth-json: {a.json}: {doc['library']}; " + ", ".join(
        f"{u} {units[u]['cells']} cells {units[u]['flip_flops']} FFs area {units[u]['area']}"
        for u in a.units.split(",")))


if __name__ == "__main__":
    main()
