#!/usr/bin/env python3
"""Quantization-aware training on Fashion-MNIST and export to a SubBit network file.

  /usr/bin/python3 scripts/train/train.py --model lenet5 --scheme flexor --bits 0.8 \
      --epochs 8 --out networks/lenet5_flexor0.8.safetensors

Models: lenet5, mlp, resnet20 (scripts/train/resnet20.py). Schemes: fp32, int8, binary, bcq (--q 2),
ternary, signed_binary, flexor (--bits 0.8|0.6|0.4, N_out 20, N_tap 2; ResNet-20 also per stage,
--n-in-stages 19,16,7). First and last layers are int8 (fp32 for the fp32 baseline).

Training levers (docs/training.md): --warm-start CKPT (initialize from a trained fp32 network's
--checkpoint), --s-tanh-start/--s-tanh-warmup (FleXOR's S_tanh ramped over the first epochs),
--schedule cosine with --warmup-epochs (else one-cycle), --augment (random 2-pixel shifts and
horizontal flips). Activations are
unsigned 8-bit after every ReLU, as the hardware computes them (docs/numerics.md). The export is
evaluated by an integer pipeline written with torch ops ("quantized evaluation"), which is the
arithmetic of docs/numerics.md; its predictions are written next to the network for comparison
with `subbit golden` and `subbit run`.
"""
import argparse
import gzip
import json
import math
import os
import struct
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from subbit_quant import ActQuant, WeightQuant, requant_params  # noqa: E402
import resnet20  # noqa: E402

DATA = "/usr/share/datasets/fashion-mnist"


def load_idx(split):
    prefix = "t10k" if split == "test" else "train"
    with gzip.open(f"{DATA}/{prefix}-images-idx3-ubyte.gz") as f:
        images = np.frombuffer(f.read(), dtype=np.uint8, offset=16).reshape(-1, 1, 28, 28)
    with gzip.open(f"{DATA}/{prefix}-labels-idx1-ubyte.gz") as f:
        labels = np.frombuffer(f.read(), dtype=np.uint8, offset=8)
    return torch.from_numpy(images.copy()), torch.from_numpy(labels.astype(np.int64))


class QLayer(nn.Module):
    """conv2d or linear with quantized weights, then batch-norm + ReLU + u8 activations, or (the
    last layer) a bias and signed 8-bit logits."""

    def __init__(self, kind, cin, cout, scheme, last=False, kernel=1, padding=0, **wq):
        super().__init__()
        self.kind, self.cin, self.cout, self.kernel, self.padding, self.last = kind, cin, cout, kernel, padding, last
        init = nn.Conv2d(cin, cout, kernel, bias=False) if kind == "conv" else nn.Linear(cin, cout, bias=False)
        self.wq = WeightQuant(init.weight, scheme, **wq)
        if last:
            self.bias = nn.Parameter(torch.zeros(cout))
        else:
            self.bn = nn.BatchNorm2d(cout) if kind == "conv" else nn.BatchNorm1d(cout)
        self.act = ActQuant(signed=last)

    def forward(self, x):
        w = self.wq()
        if self.kind == "conv":
            y = F.conv2d(x, w.reshape(self.cout, self.cin, self.kernel, self.kernel), padding=self.padding)
        else:
            y = F.linear(x, w)
        y = y + self.bias if self.last else F.relu(self.bn(y))
        return self.act(y)


class Net(nn.Module):
    def __init__(self, model, scheme, **wq):
        super().__init__()
        edge = "fp32" if scheme == "fp32" else "int8"
        self.model = model
        if model == "lenet5":  # 32C5-MP2-64C5-MP2-512FC-10, padding 2
            self.layers = nn.ModuleList([
                QLayer("conv", 1, 32, edge, kernel=5, padding=2),
                QLayer("conv", 32, 64, scheme, kernel=5, padding=2, **wq),
                QLayer("fc", 64 * 7 * 7, 512, scheme, **wq),
                QLayer("fc", 512, 10, edge, last=True),
            ])
        elif model == "mlp":  # 784-512-512-10
            self.layers = nn.ModuleList([
                QLayer("fc", 784, 512, edge),
                QLayer("fc", 512, 512, scheme, **wq),
                QLayer("fc", 512, 10, edge, last=True),
            ])
        else:
            raise SystemExit(f"--model: expected lenet5 or mlp, got {model}")
        if scheme == "fp32":
            for m in self.modules():
                if isinstance(m, ActQuant):
                    m.enabled = False

    def forward(self, pixels):
        x = pixels.float() / 255.0  # the u8 input with scale 1/255 is exact
        if self.model == "lenet5":
            x = F.max_pool2d(self.layers[0](x), 2)
            x = F.max_pool2d(self.layers[1](x), 2)
            x = self.layers[2](x.flatten(1))
            return self.layers[3](x)
        x = x.flatten(1)
        for layer in self.layers:
            x = layer(x)
        return x


# ---------------------------------------------------------------- export


@torch.no_grad()
def export(net, path):
    """Writes the network file; returns the integer graph for quantized evaluation."""
    net.eval()
    nodes, tensors, graph_layers = [], {}, []
    s_in, prev, in_shape = 1.0 / 255, "input", (1, 28, 28)
    nodes.append({"name": "input", "op": "input", "shape": [1, 28, 28], "out": {"bits": 8, "signed": False, "scale": s_in}})
    names = ["conv1", "conv2", "fc1", "fc2"] if net.model == "lenet5" else ["fc1", "fc2", "fc3"]
    for i, (layer, name) in enumerate(zip(net.layers, names)):
        record, wt, w_scale = layer.wq.export()
        w_int = layer.wq.effective_int(record, wt)
        s_out = layer.act.scale()
        if layer.last:
            real_mult = s_in * w_scale / s_out
            real_bias = layer.bias / s_out
        else:
            g = layer.bn.weight / torch.sqrt(layer.bn.running_var + layer.bn.eps)
            real_mult = g * s_in * w_scale / s_out
            real_bias = (layer.bn.bias - g * layer.bn.running_mean) / s_out
        mult, bias, shift = requant_params(real_mult, real_bias)
        weights = dict(record)
        for suffix, (dtype, shape, data) in wt.items():
            weights[suffix] = f"{name}.{suffix}"
            tensors[f"{name}.{suffix}"] = (dtype, shape, data)
        tensors[f"{name}.mult"] = ("I32", [layer.cout], mult.int().numpy().astype("<i4").tobytes())
        tensors[f"{name}.bias"] = ("I64", [layer.cout], bias.numpy().astype("<i8").tobytes())
        if layer.kind == "fc" and prev != "flatten" and len(in_shape) == 3 and in_shape[1] * in_shape[2] > 1:
            nodes.append({"name": "flatten", "op": "flatten", "inputs": [prev]})
            prev = "flatten"
        node = {"name": name, "op": "conv2d" if layer.kind == "conv" else "linear", "inputs": [prev], "weights": weights,
                "requant": {"mult": f"{name}.mult", "bias": f"{name}.bias", "shift": shift, "relu": not layer.last},
                "out": {"bits": 8, "signed": layer.last, "scale": s_out}}
        if layer.kind == "conv":
            node.update({"out_channels": layer.cout, "kernel": [layer.kernel] * 2, "stride": [1, 1], "padding": [layer.padding] * 2})
        else:
            node["out_features"] = layer.cout
        nodes.append(node)
        graph_layers.append({"name": name, "kind": layer.kind, "w": w_int, "mult": mult, "bias": bias, "shift": shift, "relu": not layer.last,
                             "signed": layer.last, "kernel": layer.kernel, "padding": layer.padding, "cin": layer.cin, "cout": layer.cout})
        prev, s_in = name, s_out
        if net.model == "lenet5" and layer.kind == "conv":
            pool = f"pool{i + 1}"
            nodes.append({"name": pool, "op": "maxpool", "inputs": [prev], "kernel": [2, 2], "stride": [2, 2], "padding": [0, 0]})
            prev = pool
            in_shape = (layer.cout, 7, 7)
        elif layer.kind == "fc":
            in_shape = (layer.cout,)
    write_safetensors(path, {"subbit.format": "1", "subbit.graph": json.dumps({"name": net.model, "nodes": nodes})}, tensors)
    return graph_layers


def write_safetensors(path, metadata, tensors):
    header, offset, blobs = {"__metadata__": metadata}, 0, []
    for name, (dtype, shape, data) in tensors.items():
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    text = json.dumps(header).encode()
    text += b" " * ((8 - (8 + len(text)) % 8) % 8)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))
    os.replace(tmp, path)


@torch.no_grad()
def integer_eval(model, layers, pixels, batch=1000):
    """The exported network's integer arithmetic (docs/numerics.md) with torch ops: float64
    convolutions of integer tensors are exact (|acc| < 2^31), requantization in int64."""
    preds = []
    for b0 in range(0, len(pixels), batch):
        x = pixels[b0:b0 + batch].double()  # u8 input values
        for i, L in enumerate(layers):
            w = L["w"].double()
            if L["kind"] == "conv":
                acc = F.conv2d(x, w.reshape(L["cout"], L["cin"], L["kernel"], L["kernel"]), padding=L["padding"])
                shape = (1, -1, 1, 1)
            else:
                acc = F.linear(x.flatten(1), w)
                shape = (1, -1)
            v = acc.round().long() * L["mult"].reshape(shape) + L["bias"].reshape(shape)
            r = (v + (1 << (L["shift"] - 1))) >> L["shift"] if L["shift"] > 0 else v
            if L["relu"]:
                r = r.clamp_min(0)
            r = r.clamp(-128, 127) if L["signed"] else r.clamp(0, 255)
            x = r.double()
            if model == "lenet5" and L["kind"] == "conv":
                x = F.max_pool2d(x, 2)
        # top-1 with ties to the lowest index, as the golden reference
        preds.append(torch.argmax(x + torch.arange(x.shape[1], 0, -1, dtype=torch.float64) * 1e-6, dim=1))
    return torch.cat(preds)


# ---------------------------------------------------------------- training


def accuracy(net, images, labels, batch=1000):
    net.eval()
    correct = 0
    with torch.no_grad():
        for b0 in range(0, len(images), batch):
            correct += (net(images[b0:b0 + batch]).argmax(1) == labels[b0:b0 + batch]).sum().item()
    return 100.0 * correct / len(images)


def augment(x):
    """Random shifts of up to 2 pixels (zero fill) and horizontal flips of u8 images [N, 1, 28, 28]."""
    n = x.shape[0]
    padded = F.pad(x, (2, 2, 2, 2))
    dx, dy = torch.randint(0, 5, (n,)), torch.randint(0, 5, (n,))
    rows = (dy[:, None] + torch.arange(28)[None, :])[:, :, None].expand(n, 28, 28)
    cols = (dx[:, None] + torch.arange(28)[None, :])[:, None, :].expand(n, 28, 28)
    out = padded[torch.arange(n)[:, None, None], 0, rows, cols].unsqueeze(1)
    flip = torch.rand(n) < 0.5
    out[flip] = out[flip].flip(3)
    return out


def warm_start(net, path, flexor_bits="nearest"):
    """Loads a --checkpoint of a full-precision network into `net`: batch-norm, biases and activation
    ranges as saved; each quantized weight initialized from the saved weight (WeightQuant.init_from,
    FleXOR's encrypted bits as `flexor_bits` says). Returns the share of FleXOR weights whose
    decrypted sign matches the saved weight's (None without FleXOR layers)."""
    state = torch.load(path, map_location="cpu")
    own = net.state_dict()
    loaded, agree, flexor_weights = 0, 0, 0
    for key, value in state.items():
        if key.endswith(".wq.weight"):
            wq = net.get_submodule(key[: -len(".weight")])
            wq.init_from(value, flexor_bits)
            if wq.scheme == "flexor":
                agree += int(((wq.signs()[0] > 0) == (value.reshape(wq.cout, wq.k) >= 0)).sum())
                flexor_weights += wq.cout * wq.k
            loaded += 1
        elif key in own and own[key].shape == value.shape and ".wq." not in key:
            own[key].copy_(value)
            loaded += 1
    if loaded == 0:
        raise SystemExit(f"--warm-start {path}: no parameter matches this model")
    print(f"warm start from {path}: {loaded} tensors", flush=True)
    return agree / flexor_weights if flexor_weights else None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default="lenet5", choices=["lenet5", "mlp", "resnet20"])
    ap.add_argument("--scheme", default="flexor", choices=["fp32", "int8", "binary", "bcq", "ternary", "signed_binary", "flexor"])
    ap.add_argument("--bits", type=float, default=0.8, help="flexor bits per weight (n_in = bits * 20)")
    ap.add_argument("--q", type=int, default=2, help="bcq planes")
    ap.add_argument("--region", type=int, default=8, help="signed-binary region length")
    ap.add_argument("--ternary-sparsity", type=float, default=None, help="ternary: share of zero weights (default: TWN's 0.7 mean|W| threshold)")
    ap.add_argument("--s-tanh", type=float, default=10.0)
    ap.add_argument("--s-tanh-start", type=float, default=None, help="FleXOR: S_tanh at the start, ramped linearly to --s-tanh")
    ap.add_argument("--s-tanh-warmup", type=float, default=0, help="FleXOR: epochs of the S_tanh ramp")
    ap.add_argument("--n-in-stages", default=None, help="resnet20 flexor: N_in per stage, e.g. 19,16,7 (N_out 20)")
    ap.add_argument("--warm-start", default=None, help="initialize from a --checkpoint of a trained (fp32) network")
    ap.add_argument("--flexor-warm-bits", default="nearest", choices=["nearest", "random"],
                    help="--warm-start of FleXOR: encrypted bits whose decryption best matches the saved weight's signs, or random")
    ap.add_argument("--checkpoint", default=None, help="write the trained model's state (for --warm-start)")
    ap.add_argument("--schedule", default="onecycle", choices=["onecycle", "cosine"])
    ap.add_argument("--warmup-epochs", type=float, default=1.0, help="cosine: linear warm-up epochs")
    ap.add_argument("--weight-decay", type=float, default=0.0)
    ap.add_argument("--augment", action="store_true", help="random 2-pixel shifts and horizontal flips of the training images")
    ap.add_argument("--max-minutes", type=float, default=None, help="stop training after this many minutes (the report says so)")
    ap.add_argument("--epochs", type=int, default=8)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--smoke", action="store_true", help="CI: 2048 training images, one epoch, 1000 test images")
    ap.add_argument("--out", help="network file to write (not for fp32)")
    ap.add_argument("--report", help="JSON report path (default: OUT.json)")
    args = ap.parse_args()
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    train_x, train_y = load_idx("train")
    test_x, test_y = load_idx("test")
    epochs = args.epochs
    if args.smoke:
        train_x, train_y, epochs = train_x[:2048], train_y[:2048], 1
        test_x, test_y = test_x[:1000], test_y[:1000]
    wq = {}
    if args.scheme == "flexor":
        n_in = round(args.bits * 20)
        if abs(n_in - args.bits * 20) > 1e-9:
            raise SystemExit(f"--bits {args.bits}: bits * 20 must be an integer N_in")
        wq = {"n_in": n_in, "n_out": 20, "n_tap": 2, "xor_seed": 1, "s_tanh": args.s_tanh}
    elif args.scheme == "bcq":
        wq = {"q": args.q}
    elif args.scheme == "signed_binary":
        wq = {"region": args.region}
    elif args.scheme == "ternary" and args.ternary_sparsity is not None:
        wq = {"sparsity": args.ternary_sparsity}
    stage_n_in = None
    if args.n_in_stages:
        if args.model != "resnet20" or args.scheme != "flexor":
            raise SystemExit("--n-in-stages: only for --model resnet20 --scheme flexor")
        stage_n_in = [int(v) for v in args.n_in_stages.split(",")]
        if len(stage_n_in) != 3 or not all(1 <= v <= 20 for v in stage_n_in):
            raise SystemExit(f"--n-in-stages: expected three N_in values 1-20 (N_out 20), got '{args.n_in_stages}'")
    if args.model == "resnet20":
        stage_wq = [dict(wq, n_in=stage_n_in[i]) if stage_n_in else dict(wq) for i in range(3)]
        net = resnet20.ResNet20(args.scheme, stage_wq)
    else:
        net = Net(args.model, args.scheme, **wq)
    if args.warm_start:
        warm_sign_agreement = warm_start(net, args.warm_start, args.flexor_warm_bits)
    flexor_layers = [m for m in net.modules() if isinstance(m, WeightQuant) and m.scheme == "flexor"]
    opt = torch.optim.Adam(net.parameters(), lr=args.lr, weight_decay=args.weight_decay)
    per_epoch = math.ceil(len(train_x) / args.batch)
    steps = epochs * per_epoch
    if args.schedule == "onecycle":
        sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=args.lr, total_steps=steps, pct_start=0.15)
    else:
        warm = max(1, int(args.warmup_epochs * per_epoch))
        sched = torch.optim.lr_scheduler.LambdaLR(
            opt, lambda i: (i + 1) / warm if i < warm else 0.5 * (1 + math.cos(math.pi * (i - warm) / max(1, steps - warm))))
    t0 = time.time()
    step, stopped_early, history = 0, False, []
    for epoch in range(epochs):
        net.train()
        perm = torch.randperm(len(train_x))
        for b0 in range(0, len(train_x), args.batch):
            if args.s_tanh_start is not None and flexor_layers:
                ramp = min(1.0, step / max(1.0, args.s_tanh_warmup * per_epoch))
                for m in flexor_layers:
                    m.s_tanh = args.s_tanh_start + ramp * (args.s_tanh - args.s_tanh_start)
            idx = perm[b0:b0 + args.batch]
            x = augment(train_x[idx]) if args.augment else train_x[idx]
            loss = F.cross_entropy(net(x), train_y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            step += 1
        history.append({"epoch": epoch + 1, "loss": round(loss.item(), 4), "test_fakequant": accuracy(net, test_x, test_y), "seconds": round(time.time() - t0, 1)})
        print(f"epoch {epoch + 1}/{epochs}: loss {loss.item():.3f}, test {history[-1]['test_fakequant']:.2f}%, {history[-1]['seconds']:.0f} s", flush=True)
        if args.max_minutes is not None and time.time() - t0 > 60 * args.max_minutes and epoch + 1 < epochs:
            print(f"stopping after epoch {epoch + 1}: --max-minutes {args.max_minutes}", flush=True)
            stopped_early = True
            break
    report = {"model": args.model, "scheme": args.scheme, "train_seconds": round(time.time() - t0, 1), "epochs": epochs, "smoke": args.smoke,
              "epochs_run": epoch + 1, "stopped_early": stopped_early, "seed": args.seed,
              "levers": {"warm_start": args.warm_start, "flexor_warm_bits": args.flexor_warm_bits if args.warm_start and args.scheme == "flexor" else None, "s_tanh": args.s_tanh, "s_tanh_start": args.s_tanh_start, "s_tanh_warmup": args.s_tanh_warmup,
                         "schedule": args.schedule, "warmup_epochs": args.warmup_epochs, "augment": args.augment, "lr": args.lr,
                         "weight_decay": args.weight_decay, "batch": args.batch},
              "command": " ".join(["/usr/bin/python3"] + sys.argv), "pytorch_fakequant_accuracy": accuracy(net, test_x, test_y),
              "history": history}
    if args.scheme == "flexor":
        report["bits"] = args.bits
        if args.warm_start:  # share of the decrypted signs equal to the fp32 network's at the start
            report["flexor_warm_sign_agreement"] = round(warm_sign_agreement, 4)
    if stage_n_in:
        report["n_in_stages"] = stage_n_in
    if args.model == "resnet20":
        report["stored_bits_per_weight"] = resnet20.stored_bits_per_weight(net)
        if stage_n_in:
            report["bits"] = round(report["stored_bits_per_weight"], 4)
    if args.scheme == "ternary":
        ws = [m for m in net.modules() if isinstance(m, WeightQuant) and m.scheme == "ternary"]
        n = sum(m.cout * m.k for m in ws)
        report["ternary_entropy_bits_per_weight"] = sum(m.ternary_entropy_bits() * m.cout * m.k for m in ws) / max(1, n)
        report["ternary_zero_share"] = sum(float((m.weight.abs() <= m.ternary_delta()).float().mean()) * m.cout * m.k for m in ws) / max(1, n)
    if args.checkpoint:
        torch.save(net.state_dict(), args.checkpoint)
    if args.out and args.scheme != "fp32":
        if args.model == "resnet20":
            graph = resnet20.export(net, args.out, write_safetensors)
            preds = resnet20.integer_eval(graph, test_x)
        else:
            layers = export(net, args.out)
            preds = integer_eval(args.model, layers, test_x)
        report["pytorch_integer_accuracy"] = 100.0 * (preds == test_y).float().mean().item()
        report["predictions"] = preds.tolist()
        report["network"] = args.out
    path = args.report or (args.out + ".json" if args.out else None)
    if path:
        with open(path, "w") as f:
            json.dump(report, f)
    print(json.dumps({k: v for k, v in report.items() if k != "predictions"}))


if __name__ == "__main__":
    main()
