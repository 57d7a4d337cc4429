#!/usr/bin/env python3
"""The ResNet-20 FleXOR staircase (docs/training.md, "ResNet-20"): accuracy of the exported networks
(PyTorch's integer evaluation = `subbit golden`, all 10,000 test images) per seed, the steps between
rungs, beside the FleXOR paper's CIFAR-10 ResNet-20 row; the other schemes; the equal-bytes baseline
(ternary with enough zeros that its entropy-coded size matches FleXOR 0.6); train time per model; the
lever ablation (DIR/ablation: a FleXOR network with one training lever changed, against the shipped
recipe); the per-stage N_in experiment at FleXOR 0.4's bytes (DIR/ablation/*_stages).

  /usr/bin/python3 scripts/train/staircase.py [--dir networks] > table.md
"""
import argparse
import glob
import json
import os

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
RUNGS = [("fp32", "resnet20_fp32"), ("binary (1 b)", "resnet20_binary"), ("FleXOR 0.8 b", "resnet20_flexor0.8"),
         ("FleXOR 0.6 b", "resnet20_flexor0.6"), ("FleXOR 0.4 b", "resnet20_flexor0.4")]
PAPER = [91.87, 90.44, 89.91, 89.16, 88.23]  # FleXOR paper, CIFAR-10 ResNet-20 (fp32, 1.0, 0.8, 0.6, 0.4 b)
PAPER_MIXED = (0.47, 89.29)
OTHERS = [("mixed N_in 19/16/7", "resnet20_flexor_mixed"), ("bcq q=2 (2 b)", "resnet20_bcq2"), ("ternary (2 b)", "resnet20_ternary"),
          ("signed-binary", "resnet20_signed_binary"), ("ternary, 89 % zeros", "resnet20_ternary_sparse0.89")]


def acc(rep):
    return rep.get("pytorch_integer_accuracy", rep.get("pytorch_fakequant_accuracy")) if rep else None


def load(d, name, seed):
    path = os.path.join(d, name + ("" if seed == 1 else f"_seed{seed}") + ".json")
    return json.load(open(path)) if os.path.exists(path) else None


# (suffix, what the variant changes, whether the variant has the lever on: the recipe's 4-epoch cosine
# schedule is the lever's "off", so the "_long" variant turns it on and its effect is variant - base)
ABLATION = [("_random_bits", "encrypted bits start random (not at the nearest decryption of the fp32 signs)", False),
            ("_cold", "no warm start (random initialization, fp32 network unused)", False),
            ("_fixed_s_tanh", "S_tanh fixed at 10 (no ramp from 2)", False),
            ("_long", "a longer cosine schedule: 7 epochs instead of 4", True)]
# Not a lever: a different per-stage N_in at FleXOR 0.4's bytes, against uniform N_in 8.
EXPERIMENTS = [("_stages", "N_in per stage instead of uniform")]


def f2(v):
    return "—" if v is None else f"{v:.2f}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", default=os.path.join(ROOT, "networks"))
    a = ap.parse_args()
    seeds = sorted({1} | {int(p.rsplit("_seed", 1)[1][:-5]) for p in glob.glob(os.path.join(a.dir, "resnet20_*_seed*.json"))})
    print("| | " + " | ".join(r for r, _ in RUNGS) + " |")
    print("|---|" + "---|" * len(RUNGS))
    for seed in seeds:
        reps = [load(a.dir, n, seed) for _, n in RUNGS]
        accs = [acc(r) for r in reps]
        print(f"| seed {seed} | " + " | ".join(f2(v) for v in accs) + " |")
        steps = ["", f"{accs[1] - accs[0]:+.2f} from fp32" if None not in accs[:2] else "—"]
        steps += [f"{accs[i] - accs[i - 1]:+.2f}" if accs[i] is not None and accs[i - 1] is not None else "—" for i in range(2, len(accs))]
        print(f"| step, seed {seed} | " + " | ".join(steps) + " |")
    print("| FleXOR paper, CIFAR-10 ResNet-20 | " + " | ".join(
        f"{v:.2f}" + (f" ({v - PAPER[i - 1]:+.2f})" if i > 0 else "") for i, v in enumerate(PAPER)) + " |")
    print()
    print("| network | bits/weight (quantized layers) | " + " | ".join(f"seed {s}" for s in seeds) + " | train time (min, " + ", ".join(f"seed {s}" for s in seeds) + ") | epochs |")
    print("|---|---|" + "---|" * len(seeds) + "---|---|")
    for label, name in RUNGS + OTHERS:
        reps = [load(a.dir, name, s) for s in seeds]
        r1 = reps[0] or next((r for r in reps if r), None)
        if r1 is None:
            continue
        bits = r1.get("stored_bits_per_weight")
        if "ternary_entropy_bits_per_weight" in r1 and "sparse" in name:
            bits_text = f"2 stored, {r1['ternary_entropy_bits_per_weight']:.3f} entropy-coded ({100 * r1['ternary_zero_share']:.0f} % zeros)"
        else:
            bits_text = "32" if r1["scheme"] == "fp32" else (f"{bits:.3f}" if bits is not None else "—")
        print(f"| {label} | {bits_text} | " + " | ".join(f2(acc(r)) for r in reps) +
              " | " + " / ".join("—" if r is None else f"{r['train_seconds'] / 60:.0f}" for r in reps) +
              f" | {r1.get('epochs_run', r1['epochs'])} |")
    print(f"\nThe paper's mixed setting: {PAPER_MIXED[0]} b/w at {PAPER_MIXED[1]:.2f} % (CIFAR-10).")
    ablation = sorted(glob.glob(os.path.join(a.dir, "ablation", "resnet20_*.json")))
    rows, experiments = [], []
    for path in ablation:
        name = os.path.basename(path)[:-5]
        seed = int(name.rsplit("_seed", 1)[1]) if "_seed" in name else 1
        base_name = name.rsplit("_seed", 1)[0] if seed != 1 else name
        variant = json.load(open(path))
        for suffix, what, lever_on in ABLATION:
            if base_name.endswith(suffix):
                base = base_name[: -len(suffix)]
                # the base is a shipped network, or itself an experiment (e.g. the per-stage N_in one)
                on, off = acc(variant), acc(load(a.dir, base, seed) or load(os.path.join(a.dir, "ablation"), base, seed))
                if not lever_on:
                    on, off = off, on
                effect = f"{on - off:+.2f}" if None not in (on, off) else "—"
                rows.append(f"| {base} | {what} | {seed} | {f2(off)} | {f2(on)} | {effect} |")
        for suffix, what in EXPERIMENTS:
            if base_name.endswith(suffix):
                base = load(a.dir, base_name[: -len(suffix)], seed)
                experiments.append(
                    f"| {base_name} | {what}: {'/'.join(map(str, variant.get('n_in_stages', [])))} against "
                    f"{round(20 * base['bits']) if base else '—'} "
                    f"| {seed} | {variant.get('stored_bits_per_weight', 0):.4f} | {f2(acc(variant))} "
                    f"| {base.get('stored_bits_per_weight', 0) if base else 0:.4f} | {f2(acc(base))} |")
    if rows:
        print("\n| network | lever | seed | accuracy, lever off | lever on | lever's effect |")
        print("|---|---|---|---|---|---|")
        print("\n".join(rows))
    if experiments:
        print("\n| network | change | seed | bits/weight | accuracy | base bits/weight | base accuracy |")
        print("|---|---|---|---|---|---|---|")
        print("\n".join(experiments))


if __name__ == "__main__":
    main()
