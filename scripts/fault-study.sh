#!/bin/sh
# Accuracy vs. weight bit-error rate on Fashion-MNIST: binary vs. FleXOR networks of (nearly) the
# same accuracy, faults flipped in the stored weight bits (docs/fault-injection.md).
#
#   ./scripts/fault-study.sh [--subbit PATH] [--out DIR] [--seeds N] [--lenet-images N] [--mlp-images N] [--jobs N]
#
# Uses `subbit golden --inject` (the golden reference on the network with the same stored-bit flips
# the accelerator model would read from device memory: identical image by image, checked here on a
# few images with `subbit run --inject` and by the CTest cli.inject.run-equals-golden). Writes
# DIR/fault-study.csv (one row per run) and DIR/fault-study.md (the tables). About 3 minutes on 2 cores
# with the defaults.
set -eu
cd "$(dirname "$0")/.."
exec /usr/bin/python3 - "$@" <<'PY'
import argparse, concurrent.futures as cf, json, math, os, subprocess, sys, time

ap = argparse.ArgumentParser(prog="fault-study.sh")
ap.add_argument("--subbit", default=os.environ.get("SUBBIT", "build/subbit"))
ap.add_argument("--out", default="out/fault-study")
ap.add_argument("--seeds", type=int, default=5)
ap.add_argument("--lenet-images", type=int, default=1000)
ap.add_argument("--mlp-images", type=int, default=10000)
ap.add_argument("--jobs", type=int, default=2)
ap.add_argument("--verify-images", type=int, default=50, help="images of the subbit run vs golden check (0: skip)")
a = ap.parse_args()
if not os.access(a.subbit, os.X_OK):
    sys.exit(f"fault-study.sh: {a.subbit} is not an executable subbit (build it, or pass --subbit)")
os.makedirs(a.out, exist_ok=True)
t0 = time.time()

# Pairs of the same model: binary (1 bit/weight) vs FleXOR 0.8 (16/20, N_tap = 2), accuracies from
# networks/*.json. Faults go to the layers the two differ in (the int8 first and last layers are the
# same in both); table 3 adds the int8 layers (the default target, every weight bit array).
PAIRS = [("lenet5", "conv2+fc1", a.lenet_images), ("mlp", "fc2", a.mlp_images)]
# The asked-for rates (0 to 1e-2), then two more to find where the networks break.
BERS = [0, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 3e-2, 1e-1]
COUNTS = [10, 100, 1000, 10000, 100000]
SEEDS = list(range(1, a.seeds + 1))

def acc_of(net):
    with open(f"networks/{net}.json") as f:
        return json.load(f)["pytorch_integer_accuracy"]

jobs = []  # (key, argv)
for model, layers, images in PAIRS:
    for scheme in ("binary", "flexor0.8"):
        net = f"{model}_{scheme}"
        base = [a.subbit, "golden", "--network", f"networks/{net}.safetensors", "--dataset", "fashion-mnist", "--images", str(images), "--json"]
        jobs.append(((net, "clean", "ber", 0, 0), base))
        for scope, sel in (("sub-byte", f",layers={layers}"), ("all", "")):
            if scope == "all" and model != "lenet5":
                continue
            for ber in BERS[1:]:
                for s in SEEDS:
                    jobs.append(((net, scope, "ber", ber, s), base + ["--inject", f"weights:ber={ber:g}{sel}", "--inject-seed", str(s)]))
            if scope == "sub-byte":
                for c in COUNTS:
                    for s in SEEDS:
                        jobs.append(((net, scope, "count", c, s), base + ["--inject", f"weights:count={c}{sel}", "--inject-seed", str(s)]))

def run(job):
    key, argv = job
    r = subprocess.run(argv, capture_output=True, text=True)
    if r.returncode:
        raise SystemExit(f"fault-study.sh: {' '.join(argv)} failed:\n{r.stderr}")
    return key, json.loads(r.stdout)

results = {}
with cf.ThreadPoolExecutor(a.jobs) as ex:
    for i, (key, d) in enumerate(ex.map(run, jobs)):
        results[key] = d
        print(f"\r{i + 1}/{len(jobs)} runs", end="", file=sys.stderr, flush=True)
print(file=sys.stderr)

# The shortcut's check: the accelerator model (faults flipped in device memory, through the driver)
# predicts exactly what the golden reference on the faulted network predicts.
verified = []
if a.verify_images:
    for model, layers, _ in PAIRS:
        for scheme in ("binary", "flexor0.8"):
            net = f"{model}_{scheme}"
            common = ["--network", f"networks/{net}.safetensors", "--dataset", "fashion-mnist", "--images", str(a.verify_images),
                      "--inject", f"weights:ber=1e-3,layers={layers}", "--inject-seed", "1", "--json"]
            g = json.loads(subprocess.run([a.subbit, "golden"] + common, check=True, capture_output=True, text=True).stdout)
            r = subprocess.run([a.subbit, "run", "--config", "configs/default.yaml"] + common, capture_output=True, text=True)
            ok = r.returncode == 0 and json.loads(r.stdout)["predictions"] == g["predictions"]
            verified.append((net, ok))
            if not ok:
                raise SystemExit(f"fault-study.sh: subbit run and subbit golden disagree on {net} under the same faults:\n{r.stderr}")

rows = []
for (net, scope, mode, value, seed), d in results.items():
    clean = results[(net, "clean", "ber", 0, 0)]
    f = d.get("faults", {})
    changed = sum(p != q for p, q in zip(d["predictions"], clean["predictions"]))
    w = f.get("weights", {"bits": 0, "flipped": 0})
    rows.append(dict(network=net, scope=scope, mode=mode, value=value, seed=seed, images=d["images"], accuracy=d["accuracy"],
                     top1_changed=changed, stored_bits=w["bits"], flipped=w["flipped"], weights_changed=f.get("weights_changed", 0)))
rows.sort(key=lambda r: (r["network"], r["scope"], r["mode"], r["value"], r["seed"]))
with open(os.path.join(a.out, "fault-study.csv"), "w") as out:
    cols = list(rows[0].keys())
    out.write(",".join(cols) + "\n")
    for r in rows:
        out.write(",".join(str(r[c]) for c in cols) + "\n")

def group(net, scope, mode, value):
    if mode == "ber" and value == 0:
        return [r for r in rows if r["network"] == net and r["scope"] == "clean"]
    return [r for r in rows if r["network"] == net and r["scope"] == scope and r["mode"] == mode and r["value"] == value]

def mean(v):
    return sum(v) / len(v) if v else float("nan")

def cell(g):
    acc = [r["accuracy"] for r in g]
    ch = mean([100.0 * r["top1_changed"] / r["images"] for r in g])
    spread = f" ({min(acc):.2f}–{max(acc):.2f})" if len(acc) > 1 else ""
    return f"{mean(acc):.2f}{spread}", f"{ch:.2f}", f"{mean([r['flipped'] for r in g]):,.0f}", f"{mean([r['weights_changed'] for r in g]):,.0f}"

def table(model, scope, mode, values, title):
    nets = [f"{model}_binary", f"{model}_flexor0.8"]
    head = f"| {'BER' if mode == 'ber' else 'flipped bits'} |"
    rule = "|---|"
    for n in nets:
        head += f" {n} acc. % | top-1 changed % | bits flipped | weights changed |"
        rule += "---|---|---|---|"
    lines = [title, "", head, rule]
    for v in values:
        line = f"| {v:g} |"
        for n in nets:
            line += " " + " | ".join(cell(group(n, scope, mode, v))) + " |"
        lines.append(line)
    return "\n".join(lines) + "\n"

md = ["# Fault study: accuracy vs. bit-error rate in the stored weights (Fashion-MNIST)", ""]
md.append(f"Command: `./scripts/fault-study.sh --seeds {a.seeds} --lenet-images {a.lenet_images} --mlp-images {a.mlp_images}`; "
          f"{len(jobs)} golden-reference runs with `--inject`, {time.time() - t0:.0f} s on this machine. Accuracy: mean over "
          f"{a.seeds} seeds (min–max); top-1 changed: images whose prediction differs from the fault-free network's; bits flipped "
          "and weights changed (effective W[o][k] that differ): means over the seeds.")
md.append("")
md.append("Networks (PyTorch integer accuracy on all 10,000 test images): " +
          ", ".join(f"{m}_{s} {acc_of(f'{m}_{s}'):.2f}" for m, _, _ in PAIRS for s in ("binary", "flexor0.8")) + ".")
md.append("")
for model, layers, images in PAIRS:
    md.append(table(model, "sub-byte", "ber", BERS,
                    f"**{model}, equal BER per stored bit**, faults in the binary/FleXOR layers ({layers.replace('+', ', ')}), first {images} test images:"))
    md.append(table(model, "sub-byte", "count", COUNTS,
                    f"**{model}, equal number of flipped stored bits** in the same layers:"))
md.append(table("lenet5", "all", "ber", BERS, "**lenet5, equal BER over every weight bit array** (int8 conv1 and fc2 included, the `weights` target's default):"))
# Analytic expectation (docs/fault-injection.md): a binary layer's weight flips when its stored bit
# does (p per weight); a FleXOR weight is the XOR of the N_tap = 2 encrypted bits its row of M⊕
# taps, so it flips when exactly one of them does: 2p(1 - p). At a count k of B stored bits, p = k/B.
md.append("**Weights changed, analytic vs. measured** (binary: W·p; FleXOR 16/20, N_tap = 2: W·2p(1−p), W the weights of the faulted "
          "layers, p the BER or flipped/stored bits; means over the seeds):")
md.append("")
md.append("| network | BER or flipped bits | binary expected | binary measured | FleXOR expected | FleXOR measured | FleXOR / binary | FleXOR changed per flipped bit |")
md.append("|---|---|---|---|---|---|---|---|")
for model, layers, _ in PAIRS:
    sel = layers.split("+")
    for mode, values in (("ber", BERS[1:]), ("count", COUNTS)):
        for v in values:
            e, m, per = {}, {}, ""
            for scheme in ("binary", "flexor0.8"):
                net = f"{model}_{scheme}"
                g = group(net, "sub-byte", mode, v)
                W = sum(l["weights"] for l in results[(net, "sub-byte", mode, v, SEEDS[0])]["faults"]["layers"] if l["layer"] in sel)
                p = v if mode == "ber" else v / g[0]["stored_bits"]
                e[scheme] = W * p if scheme == "binary" else W * 2 * p * (1 - p)
                m[scheme] = mean([r["weights_changed"] for r in g])
                if scheme != "binary":
                    fl = mean([r["flipped"] for r in g])
                    per = f"{m[scheme] / fl:.2f}" if fl else "-"
            ratio = f"{m['flexor0.8'] / m['binary']:.2f}" if m["binary"] else "-"
            md.append(f"| {model} | {'BER ' if mode == 'ber' else ''}{v:g} | {e['binary']:,.0f} | {m['binary']:,.0f} | {e['flexor0.8']:,.0f} | "
                      f"{m['flexor0.8']:,.0f} | {ratio} | {per} |")
md.append("")
md.append("One flipped encrypted bit changes as many decrypted weights as its column of M⊕ has ones: 2.5 on average (N_out·N_tap/N_in = "
          "20·2/16), fewer when two flips of one slice share a row and cancel.")
if verified:
    md.append("")
    md.append(f"Check: `subbit run --inject weights:ber=1e-3` (the TLM model, faults in device memory) and `subbit golden` with the same "
              f"faults gave identical predictions on {a.verify_images} images for " + ", ".join(n for n, _ in verified) + ".")
with open(os.path.join(a.out, "fault-study.md"), "w") as out:
    out.write("\n".join(md) + "\n")
print("\n".join(md))
print(f"\nwrote {a.out}/fault-study.csv and {a.out}/fault-study.md ({time.time() - t0:.0f} s)", file=sys.stderr)
PY
