#!/usr/bin/env python3
"""The trained-networks table: for every networks/*.json report, bits per weight and weight bytes
(subbit inspect), accuracy of PyTorch's integer evaluation, of `subbit golden` and of `subbit run`
(the accelerator model) on the 10,000 Fashion-MNIST test images, and how many predictions agree.

  /usr/bin/python3 scripts/train/table.py [--images N] [--only GLOB] [--jobs N] [--golden-only] > table.md
"""
import argparse
import glob
import json
import os
import subprocess
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
SUBBIT = os.path.join(ROOT, "build", "subbit")


def run_json(args, subbit=SUBBIT):
    out = subprocess.run([subbit] + args + ["--json"], check=True, capture_output=True, text=True, env=dict(os.environ, SYSTEMC_DISABLE_COPYRIGHT_MESSAGE="1"))
    return json.loads(out.stdout)


def accelerator_config(report):
    """The architecture config a trained network runs on: the default one has a single decryptor
    hard-wired to N_in/N_out = 16/20, so FleXOR 0.6 and 0.4 (N_in 12 and 8) need the large config's
    programmable decryptors, and the mixed per-stage N_in of ResNet-20 (up to 19) a 20-input one
    (tests/configs/large-nin20.yaml, not a preset)."""
    if report["scheme"] == "flexor" and max(report.get("n_in_stages", [0])) > 16:
        return "tests/configs/large-nin20.yaml"
    if report["scheme"] == "flexor" and abs(report.get("bits", 0.8) - 0.8) > 1e-9:
        return "configs/large.yaml"
    return "configs/default.yaml"


SCHEME_ORDER = ["fp32", "binary", "flexor 0.8", "flexor 0.6", "flexor 0.4", "flexor mixed", "bcq", "ternary", "signed_binary"]
MODEL_ORDER = ["lenet5", "mlp", "resnet20"]
HEADER = ("| network | scheme | bits/weight (quantized layers) | weight bytes | PyTorch acc. | golden acc. | accelerator acc. "
          "| same predictions (PyTorch = golden, accelerator = golden) | train time | command |\n"
          "|---|---|---|---|---|---|---|---|---|---|")


def row_for(path, images, jobs=1, accelerator=True):
    """One table row (sort key, markdown) for a networks/*.json training report."""
    rep = json.load(open(path))
    name = os.path.basename(path)[:-5]
    scheme = rep["scheme"] + (f" {rep['bits']}" if rep["scheme"] == "flexor" else "")
    if "n_in_stages" in rep:
        scheme = "flexor mixed"
    key = (MODEL_ORDER.index(rep["model"]), SCHEME_ORDER.index(scheme))
    if scheme == "flexor mixed":
        scheme = "flexor N_in " + "/".join(str(v) for v in rep["n_in_stages"])
    if scheme == "bcq":  # the q is only in the command line
        scheme = "bcq q=" + rep["command"].split("--q ")[1].split()[0]
    if "network" not in rep:  # fp32 baseline: PyTorch only
        return key, (f"| {rep['model']} | fp32 | 32 | — | {rep['pytorch_fakequant_accuracy']:.2f} | — | — | — "
                     f"| {rep['train_seconds']:.0f} s | `{rep['command']}` |")
    net = os.path.join(ROOT, "networks", name + ".safetensors")
    ins = run_json(["inspect", net])
    golden = run_json(["golden", "--network", net, "--dataset", "fashion-mnist", "--images", str(images)])
    config = accelerator_config(rep)
    acc = run_json(["run", "--config", os.path.join(ROOT, config), "--network", net, "--dataset", "fashion-mnist",
                    "--images", str(images), "--jobs", str(jobs)]) if accelerator else None
    torch_p, gold_p = rep["predictions"][:images], golden["predictions"]
    # The report's integer accuracy covers all 10,000 images; on a subset recompute it from its predictions.
    torch_acc = rep["pytorch_integer_accuracy"] if images == 10000 else None
    agree_tg = sum(a == b for a, b in zip(torch_p, gold_p))
    t = f"{torch_acc:.2f}" if torch_acc is not None else "—"
    if acc is None:
        acc_text, agree_ag = "not run", "not run"
    else:
        acc_text = f"{acc['accuracy']:.2f}"
        agree_ag = f"{sum(a == b for a, b in zip(acc['predictions'], gold_p)):,}/{images:,} ({config.split('/')[-1]})"
    print(f"{name}: done" + (" (golden only)" if acc is None else ""), file=sys.stderr)
    return key, (f"| {rep['model']} | {scheme} | {ins['totals']['sub_byte_bits_per_weight']:.3f} | "
                 f"{ins['totals']['stored_weight_bytes']:,} | {t} | {golden['accuracy']:.2f} | {acc_text} "
                 f"| {agree_tg:,}/{images:,}, {agree_ag} | {rep['train_seconds']:.0f} s | `{rep['command']}` |")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--images", type=int, default=10000)
    ap.add_argument("--only", default="*", help="glob of report names, e.g. 'lenet5_*'")
    ap.add_argument("--jobs", type=int, default=1, help="subbit run --jobs: images simulated in parallel")
    ap.add_argument("--golden-only", action="store_true", help="PyTorch against golden only (no accelerator run)")
    args = ap.parse_args()
    paths = sorted(glob.glob(os.path.join(ROOT, "networks", args.only + ".json")))
    if not paths:
        sys.exit(f"table.py: no networks/{args.only}.json training reports")
    rows = sorted(row_for(p, args.images, args.jobs, not args.golden_only) for p in paths)
    print(HEADER)
    for _, r in rows:
        print(r)


if __name__ == "__main__":
    main()
