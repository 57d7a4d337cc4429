#!/usr/bin/env python3
"""The Python trainer builds the same M-xor matrices as the C++ core.

  /usr/bin/python3 tests/python/test_xor_generator.py [--write]   (SUBBIT=build/subbit)

1. Checks the Python generator against tests/python/xor_vectors.json (the C++ test
   core.XorGenerator.CrossLanguageVectors checks the same file against XorMatrix::generate);
   --write regenerates the file from Python.
2. Checks it against a matrix the C++ side wrote: `subbit netgen --explicit-matrix` stores M-xor as a
   tensor, read back here.
"""
import json
import os
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "scripts", "train"))
from subbit_quant import xor_matrix  # noqa: E402

CASES = [(20, 16, "tap", 2, 1), (20, 12, "tap", 2, 7), (20, 8, "tap", 2, 42), (6, 4, "random", 0, 3), (20, 16, "random", 0, 5),
         (64, 32, "tap", 5, 2**64 - 1)]
VECTORS = os.path.join(HERE, "xor_vectors.json")


def vectors():
    return {"vectors": [{"n_out": o, "n_in": i, "fill": f, "n_tap": t, "seed": str(s),
                         "rows": ["".join(map(str, r)) for r in xor_matrix(o, i, f, t, s)]} for o, i, f, t, s in CASES]}


def read_safetensors_tensor(path, name):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        b, e = header[name]["data_offsets"]
        f.seek(8 + n + b)
        return header[name]["shape"], f.read(e - b)


def main():
    if "--write" in sys.argv:
        with open(VECTORS, "w") as f:
            json.dump(vectors(), f, indent=1)
        print("wrote", VECTORS)
    with open(VECTORS) as f:
        assert json.load(f) == vectors(), "tests/python/xor_vectors.json differs from the Python generator"
    subbit = os.environ.get("SUBBIT", os.path.join(HERE, "..", "..", "build", "subbit"))
    checked = 0
    with tempfile.TemporaryDirectory() as d:
        for n_in, seed in [(16, 1), (12, 7), (8, 12345)]:
            net = os.path.join(d, "m.safetensors")
            subprocess.run([subbit, "netgen", "mlp", "--scheme", "flexor", "--n-in", str(n_in), "--xor-seed", str(seed), "--explicit-matrix",
                            "-o", net], check=True, capture_output=True)
            shape, data = read_safetensors_tensor(net, "fc2.xor")
            cpp = [list(data[r * shape[1]:(r + 1) * shape[1]]) for r in range(shape[0])]
            assert cpp == xor_matrix(20, n_in, "tap", 2, seed), f"n_in {n_in} seed {seed}: C++ and Python matrices differ"
            checked += 1
    print(f"{len(CASES)} vectors and {checked} C++-written matrices agree")


if __name__ == "__main__":
    main()
