#!/usr/bin/env python3
"""Trainer pieces with an exact answer, checked against an independent computation.

  /usr/bin/python3 tests/python/test_quant_init.py

1. FleXOR's warm start (WeightQuant.init_encrypted): for every slice, the decryption of the chosen
   encrypted word scores <w, decrypt(x)> as high as the best of all 2^N_in words, where this test
   decrypts with plain XOR of the M-xor rows (as the hardware does), not the trainer's +-1 product.
2. ActQuant's fused FakeQuant: the same values as clamp(round_ste(x / s)) * s, and the same gradient
   (zero in the same places, equal elsewhere to float rounding).
"""
import itertools
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "scripts", "train"))
from subbit_quant import ActQuant, WeightQuant, round_ste, xor_matrix  # noqa: E402

failures = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures.append(what)


def xor_decrypt(rows, bits):
    """bits: tuple of 0/1 (encrypted); returns +-1 weights (bit 1 -> +1, as docs/numerics.md maps them)."""
    return [1.0 if sum(b for b, m in zip(bits, row) if m) % 2 else -1.0 for row in rows]


def test_init_encrypted():
    torch.manual_seed(3)
    for cout, k, n_in, n_out in [(3, 14, 6, 8), (5, 9, 4, 20), (2, 33, 8, 20)]:
        w = torch.randn(cout, k)
        wq = WeightQuant(w, "flexor", n_in=n_in, n_out=n_out, n_tap=2, xor_seed=1)
        wq.init_from(w, "nearest")
        rows = xor_matrix(n_out, n_in, "tap", 2, 1)
        flat = torch.nn.functional.pad(w.flatten(), (0, wq.slices * n_out - w.numel())).reshape(wq.slices, n_out)
        got = torch.nn.functional.pad(wq.signs()[0].flatten(), (0, wq.slices * n_out - w.numel())).reshape(wq.slices, n_out)
        table = torch.tensor([xor_decrypt(rows, bits) for bits in itertools.product((0, 1), repeat=n_in)])
        best = (flat @ table.T).max(dim=1).values
        mine = (flat * got).sum(dim=1)
        check(torch.allclose(mine, best, rtol=0, atol=1e-5), f"init_encrypted {cout}x{k}, N_in {n_in}, N_out {n_out}: every slice at the best of 2^{n_in} words")
        b = wq.signs()[0]
        check(torch.allclose(wq.alpha, ((w * b).mean(dim=1)).clamp_min(1e-4)), "init_encrypted: alpha is the least-squares scale of the chosen signs")
        check(bool((wq.encrypted.abs() == 0.05).all()), "init_encrypted: encrypted values at +-0.05")
    w = torch.randn(4, 10)
    wq = WeightQuant(w, "flexor", n_in=8)
    before = wq.encrypted.detach().clone()
    wq.init_from(w, "random")
    check(torch.equal(before, wq.encrypted), "init_from(random) keeps the random encrypted start")


def test_fake_quant():
    torch.manual_seed(0)
    for signed in (False, True):
        act = ActQuant(signed)
        act.train()
        act(torch.randn(8, 4, 9, 9))  # the running maximum now sits below the next batch's, which clamps
        x = (torch.randn(8, 4, 9, 9) * 3).requires_grad_()
        y = act(x)
        g = torch.randn_like(y)
        y.backward(g)
        s = act.running_max.clamp_min(1e-8) / act.qmax
        x2 = x.detach().clone().requires_grad_()
        y2 = torch.clamp(round_ste(x2 / s), -act.qmax - 1 if signed else 0, act.qmax) * s
        y2.backward(g)
        check(torch.equal(y, y2), f"FakeQuant (signed={signed}) values equal the composed ops")
        check(torch.equal(x.grad == 0, x2.grad == 0) and torch.allclose(x.grad, x2.grad, rtol=1e-6, atol=0),
              f"FakeQuant (signed={signed}) gradient equals the composed ops'")
        check(bool((x2.grad == 0).any()) and bool((x2.grad != 0).any()), f"FakeQuant (signed={signed}): the case clamps some values and passes others")


test_init_encrypted()
test_fake_quant()
sys.exit(1 if failures else 0)
