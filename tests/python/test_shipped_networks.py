#!/usr/bin/env python3
"""Every trained network shipped in networks/ still predicts what PyTorch predicted when it was
exported: `subbit golden` on the first GOLDEN_IMAGES test images and `subbit run` (the accelerator
model, on the config table.py uses) on the first RUN_IMAGES must equal the predictions stored in the
network's training report. Catches a change to the golden model, the lowering or the accelerator
that silently alters a trained network's answers.

  SUBBIT=build/subbit /usr/bin/python3 tests/python/test_shipped_networks.py
"""
import glob
import json
import os
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
sys.path.insert(0, os.path.join(ROOT, "scripts", "train"))
import table  # noqa: E402  (accelerator_config, run_json)

GOLDEN_IMAGES = 1000
RUN_IMAGES = 40


def first_difference(name, stage, expected, got):
    for i, (a, b) in enumerate(zip(expected, got)):
        if a != b:
            return f"{name}: {stage} predicts class {b} for test image {i}, PyTorch predicted {a}"
    if len(expected) != len(got):
        return f"{name}: {stage} returned {len(got)} predictions, expected {len(expected)}"
    return None


def main():
    subbit = os.environ.get("SUBBIT", table.SUBBIT)
    reports = sorted(glob.glob(os.path.join(ROOT, "networks", "*.json")))
    failures, checked = [], 0
    for path in reports:
        rep = json.load(open(path))
        if "network" not in rep:
            continue  # fp32 baseline: nothing exported
        name = os.path.basename(path)[:-5]
        net = os.path.join(ROOT, "networks", name + ".safetensors")
        golden = table.run_json(["golden", "--network", net, "--dataset", "fashion-mnist",
                                 "--images", str(GOLDEN_IMAGES)], subbit)
        config = os.path.join(ROOT, table.accelerator_config(rep))
        run = table.run_json(["run", "--config", config, "--network", net, "--dataset", "fashion-mnist",
                              "--images", str(RUN_IMAGES)], subbit)
        for stage, got, n in (("subbit golden", golden["predictions"], GOLDEN_IMAGES),
                              ("subbit run", run["predictions"], RUN_IMAGES)):
            problem = first_difference(name, stage, rep["predictions"][:n], got)
            if problem:
                failures.append(problem)
        if not run.get("golden_match", False):
            failures.append(f"{name}: subbit run reports outputs that differ from the golden reference")
        checked += 1
        print(f"{name}: {GOLDEN_IMAGES} golden and {RUN_IMAGES} accelerator predictions match PyTorch")
    if checked == 0:
        failures.append(f"no exported networks found under {os.path.join(ROOT, 'networks')}")
    for f in failures:
        print("FAIL " + f, file=sys.stderr)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
