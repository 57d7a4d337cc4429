#!/usr/bin/env python3
"""The trained-networks table: for every networks/*.json report, bits per weight and weight bytes
(subbit inspect), accuracy of PyTorch's integer evaluation, of `subbit golden` and of `subbit run`
(the accelerator model) on the 10,000 Fashion-MNIST test images, and how many predictions agree.

  /usr/bin/python3 scripts/train/table.py [--images N] > table.md
"""
import argparse
import glob
import json
import os
import subprocess
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
SUBBIT = os.path.join(ROOT, "build", "subbit")


def run_json(args):
    out = subprocess.run([SUBBIT] + args + ["--json"], check=True, capture_output=True, text=True, env=dict(os.environ, SYSTEMC_DISABLE_COPYRIGHT_MESSAGE="1"))
    return json.loads(out.stdout)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--images", type=int, default=10000)
    ap.add_argument("--only", default="*", help="glob of report names, e.g. 'lenet5_*'")
    args = ap.parse_args()
    rows = []
    for path in sorted(glob.glob(os.path.join(ROOT, "networks", args.only + ".json"))):
        rep = json.load(open(path))
        name = os.path.basename(path)[:-5]
        if "network" not in rep:  # fp32 baseline: PyTorch only
            rows.append(f"| {rep['model']} | fp32 | 32 | — | {rep['pytorch_fakequant_accuracy']:.2f} | — | — | — | {rep['train_seconds']:.0f} s | `{rep['command']}` |")
            continue
        net = os.path.join(ROOT, "networks", name + ".safetensors")
        ins = run_json(["inspect", net])
        golden = run_json(["golden", "--network", net, "--dataset", "fashion-mnist", "--images", str(args.images)])
        config = "configs/default.yaml"
        if rep["scheme"] == "flexor" and abs(rep.get("bits", 0.8) - 0.8) > 1e-9:
            config = "configs/large.yaml"  # N_in 12 or 8: a programmable decryptor
        acc = run_json(["run", "--config", os.path.join(ROOT, config), "--network", net, "--dataset", "fashion-mnist", "--images", str(args.images)])
        n = args.images
        torch_p, gold_p, acc_p = rep["predictions"][:n], golden["predictions"], acc["predictions"]
        torch_acc = rep["pytorch_integer_accuracy"] if n == 10000 else None
        agree_tg = sum(a == b for a, b in zip(torch_p, gold_p))
        agree_ag = sum(a == b for a, b in zip(acc_p, gold_p))
        scheme = rep["scheme"] + (f" {rep['bits']}" if rep["scheme"] == "flexor" else "")
        t = f"{torch_acc:.2f}" if torch_acc is not None else "—"
        rows.append(f"| {rep['model']} | {scheme} | {ins['totals']['sub_byte_bits_per_weight']:.3f} | {ins['totals']['stored_weight_bytes']:,} | "
                    f"{rep['pytorch_fakequant_accuracy']:.2f} | {t} | {golden['accuracy']:.2f} | {acc['accuracy']:.2f} "
                    f"({agree_tg}/{n} torch=golden, {agree_ag}/{n} accel=golden, {config.split('/')[-1]}) | {rep['train_seconds']:.0f} s | `{rep['command']}` |")
        print(f"{name}: done", file=sys.stderr)
    if args.only != "*":
        print("\n".join(rows))
        return
    print("| network | scheme | bits/weight (quantized layers) | weight bytes | PyTorch fake-quant acc. | PyTorch integer acc. | golden acc. | accelerator acc. | train time | command |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(r)


if __name__ == "__main__":
    main()
