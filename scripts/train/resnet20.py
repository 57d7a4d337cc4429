"""ResNet-20 (He et al. 2016, the FleXOR paper's CIFAR-10 network) for Fashion-MNIST, quantized as
the accelerator computes it (docs/numerics.md), its export to a SubBit network file, and an integer
evaluation of the exported graph with torch ops.

Shape: the paper's 16/32/64 channels, three stages of three basic blocks, adapted to the 28x28
single-channel input instead of padding it to 32x32: stages at 28x28, 14x14 and 7x7, a 7x7 average
pool and a 64 -> 10 classifier. Shortcuts where the shape changes are 1x1 convolutions with stride 2
(option B; the accelerator has no zero-padding channel shortcut), quantized like the other hidden
layers; identity shortcuts elsewhere. First convolution and classifier int8 (fp32 in the fp32
baseline), activations unsigned 8-bit after every ReLU; a block's second convolution and its
shortcut convolution produce signed 8-bit (no ReLU before the add), the add requantizes
relu(a + b) to unsigned 8-bit.

Per-stage FleXOR N_in (the paper's mixed setting, e.g. 19/16/7 of N_out 20): `stage_wq` gives each
stage its own weight-quantizer options.
"""
import json
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from subbit_quant import ActQuant, WeightQuant, requant_params, round_ste

WIDTHS = (16, 32, 64)


class QConv(nn.Module):
    """A quantized convolution (or the classifier) with folded batch-norm, optional ReLU and 8-bit
    activations, unsigned after ReLU, signed otherwise."""

    def __init__(self, cin, cout, scheme, kernel=3, stride=1, padding=1, relu=True, linear=False, **wq):
        super().__init__()
        self.cin, self.cout, self.kernel, self.stride, self.padding, self.relu, self.linear = cin, cout, kernel, stride, padding, relu, linear
        init = nn.Linear(cin, cout, bias=False) if linear else nn.Conv2d(cin, cout, kernel, bias=False)
        nn.init.kaiming_normal_(init.weight, nonlinearity="relu")
        self.wq = WeightQuant(init.weight, scheme, **wq)
        if linear:
            self.bias = nn.Parameter(torch.zeros(cout))
        else:
            self.bn = nn.BatchNorm2d(cout)
        self.act = ActQuant(signed=not relu)

    def forward(self, x):
        w = self.wq()
        if self.linear:
            y = F.linear(x, w) + self.bias
        else:
            y = self.bn(F.conv2d(x, w.reshape(self.cout, self.cin, self.kernel, self.kernel), stride=self.stride, padding=self.padding))
        if self.relu:
            y = F.relu(y)
        return self.act(y)


class Block(nn.Module):
    def __init__(self, cin, cout, stride, scheme, **wq):
        super().__init__()
        self.conv1 = QConv(cin, cout, scheme, stride=stride, **wq)
        self.conv2 = QConv(cout, cout, scheme, relu=False, **wq)
        self.down = QConv(cin, cout, scheme, kernel=1, stride=stride, padding=0, relu=False, **wq) if stride != 1 or cin != cout else None
        self.act = ActQuant(signed=False)

    def forward(self, x):
        y = self.conv2(self.conv1(x))
        return self.act(F.relu(y + (self.down(x) if self.down is not None else x)))


class ResNet20(nn.Module):
    model = "resnet20"

    def __init__(self, scheme, stage_wq):
        super().__init__()
        edge = "fp32" if scheme == "fp32" else "int8"
        self.conv1 = QConv(1, WIDTHS[0], edge)
        blocks, cin = [], WIDTHS[0]
        for s, width in enumerate(WIDTHS):
            for b in range(3):
                blocks.append(Block(cin, width, 2 if s > 0 and b == 0 else 1, scheme, **stage_wq[s]))
                cin = width
        self.blocks = nn.ModuleList(blocks)
        self.pool_act = ActQuant(signed=False)
        self.fc = QConv(WIDTHS[-1], 10, edge, relu=False, linear=True)
        if scheme == "fp32":
            for m in self.modules():
                if isinstance(m, ActQuant):
                    m.enabled = False
        self.fp32 = scheme == "fp32"

    def forward(self, pixels):
        x = self.conv1(pixels.float() / 255.0)
        for b in self.blocks:
            x = b(x)
        x = F.avg_pool2d(x, 7)
        if not self.fp32:
            # The exported average pool keeps the input's scale: sum * round(2^16 / 49) >> 16.
            s = self.blocks[-1].act.scale()
            x = torch.clamp(round_ste(x / s), 0, 255) * s
        return self.fc(x.flatten(1))

    def weight_layers(self):
        """(name, QConv) of every layer with weights, in export order."""
        out = [("conv1", self.conv1)]
        for i, b in enumerate(self.blocks):
            name = f"layer{i // 3 + 1}.{i % 3}"
            out += [(name + ".conv1", b.conv1), (name + ".conv2", b.conv2)] + ([(name + ".down", b.down)] if b.down is not None else [])
        return out + [("fc", self.fc)]


# ---------------------------------------------------------------- export


@torch.no_grad()
def export(net, path, write_safetensors):
    """Writes the network file; returns the integer graph (list of nodes with integer tensors) for
    integer_eval()."""
    net.eval()
    nodes, tensors, graph = [], {}, []
    scale = {"input": 1.0 / 255}
    nodes.append({"name": "input", "op": "input", "shape": [1, 28, 28], "out": {"bits": 8, "signed": False, "scale": scale["input"]}})
    graph.append({"name": "input", "op": "input"})

    def conv(name, layer, src):
        record, wt, w_scale = layer.wq.export()
        w_int = layer.wq.effective_int(record, wt)
        s_in, s_out = scale[src], layer.act.scale()
        if layer.linear:
            real_mult, real_bias = s_in * w_scale / s_out, layer.bias / s_out
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
        node = {"name": name, "op": "linear" if layer.linear else "conv2d", "inputs": [src], "weights": weights,
                "requant": {"mult": f"{name}.mult", "bias": f"{name}.bias", "shift": shift, "relu": layer.relu},
                "out": {"bits": 8, "signed": not layer.relu, "scale": s_out}}
        if layer.linear:
            node["out_features"] = layer.cout
        else:
            node.update({"out_channels": layer.cout, "kernel": [layer.kernel] * 2, "stride": [layer.stride] * 2, "padding": [layer.padding] * 2})
        nodes.append(node)
        graph.append({"name": name, "op": node["op"], "inputs": [src], "w": w_int, "cin": layer.cin, "cout": layer.cout, "kernel": layer.kernel,
                      "stride": layer.stride, "padding": layer.padding, "mult": mult, "bias": bias, "shift": shift, "relu": layer.relu,
                      "signed": not layer.relu})
        scale[name] = s_out
        return name

    x = conv("conv1", net.conv1, "input")
    for i, b in enumerate(net.blocks):
        name = f"layer{i // 3 + 1}.{i % 3}"
        y = conv(name + ".conv1", b.conv1, x)
        y = conv(name + ".conv2", b.conv2, y)
        sc = conv(name + ".down", b.down, x) if b.down is not None else x
        # out = relu(a s_a + b s_b) / s_out: mult_a / 2^shift = s_a / s_out, mult_b / 2^shift = s_b / s_out.
        s_out = b.act.scale()
        shift = 20
        mult_a, mult_b = round(scale[y] / s_out * 2 ** shift), round(scale[sc] / s_out * 2 ** shift)
        if max(abs(mult_a), abs(mult_b)) >= 2 ** 31:
            raise SystemExit(f"export: add '{name}.add': scale ratio too large for int32 multipliers")
        nodes.append({"name": name + ".add", "op": "add", "inputs": [y, sc], "mult_a": mult_a, "mult_b": mult_b, "bias": 0, "shift": shift,
                      "relu": True, "out": {"bits": 8, "signed": False, "scale": s_out}})
        graph.append({"name": name + ".add", "op": "add", "inputs": [y, sc], "mult_a": mult_a, "mult_b": mult_b, "shift": shift})
        scale[name + ".add"] = s_out
        x = name + ".add"
    pool_mult = round(2 ** 16 / 49)
    nodes.append({"name": "avgpool", "op": "avgpool", "inputs": [x], "kernel": [7, 7], "stride": [7, 7], "padding": [0, 0],
                  "mult": pool_mult, "shift": 16, "relu": False, "out": {"bits": 8, "signed": False, "scale": scale[x]}})
    graph.append({"name": "avgpool", "op": "avgpool", "inputs": [x], "mult": pool_mult, "shift": 16})
    scale["avgpool"] = scale[x]
    nodes.append({"name": "flatten", "op": "flatten", "inputs": ["avgpool"]})
    graph.append({"name": "flatten", "op": "flatten", "inputs": ["avgpool"]})
    scale["flatten"] = scale["avgpool"]
    conv("fc", net.fc, "flatten")
    write_safetensors(path, {"subbit.format": "1", "subbit.graph": json.dumps({"name": "resnet20", "nodes": nodes})}, tensors)
    return graph


def round_shift(v, shift):
    return (v + (1 << (shift - 1))) >> shift if shift > 0 else v


@torch.no_grad()
def integer_eval(graph, pixels, batch=500):
    """docs/numerics.md on the exported graph with torch ops: float64 convolutions of integer
    tensors are exact (|acc| < 2^31 < 2^53), requantization and adds in int64. Returns top-1 with
    ties to the lowest index, as the golden reference."""
    preds = []
    for b0 in range(0, len(pixels), batch):
        v = {"input": pixels[b0:b0 + batch].long()}
        for n in graph:
            op = n["op"]
            if op == "input":
                continue
            x = v[n["inputs"][0]]
            if op in ("conv2d", "linear"):
                w = n["w"].double()
                if op == "conv2d":
                    acc = F.conv2d(x.double(), w.reshape(n["cout"], n["cin"], n["kernel"], n["kernel"]), stride=n["stride"], padding=n["padding"])
                    shape = (1, -1, 1, 1)
                else:
                    acc = F.linear(x.double().flatten(1), w)
                    shape = (1, -1)
                r = round_shift(acc.round().long() * n["mult"].reshape(shape) + n["bias"].reshape(shape), n["shift"])
                if n["relu"]:
                    r = r.clamp_min(0)
                v[n["name"]] = r.clamp(-128, 127) if n["signed"] else r.clamp(0, 255)
            elif op == "add":
                r = round_shift(x * n["mult_a"] + v[n["inputs"][1]] * n["mult_b"], n["shift"])
                v[n["name"]] = r.clamp_min(0).clamp(0, 255)
            elif op == "avgpool":
                s = x.reshape(x.shape[0], x.shape[1], -1).sum(dim=2, keepdim=True).unsqueeze(3)
                v[n["name"]] = round_shift(s * n["mult"], n["shift"]).clamp(0, 255)
            elif op == "flatten":
                v[n["name"]] = x.flatten(1)
            else:
                raise ValueError(op)
        out = v[graph[-1]["name"]].double()
        preds.append(torch.argmax(out + torch.arange(out.shape[1], 0, -1, dtype=torch.float64) * 1e-6, dim=1))
    return torch.cat(preds)


def stored_bits_per_weight(net):
    """Stored weight bits per weight over the quantized hidden layers (first conv and fc excluded)."""
    bits = count = 0
    for name, layer in net.weight_layers():
        if name in ("conv1", "fc"):
            continue
        wq = layer.wq
        n = wq.cout * wq.k
        count += n
        if wq.scheme == "flexor":
            bits += wq.q * wq.slices * wq.n_in
        elif wq.scheme in ("binary",):
            bits += n
        elif wq.scheme in ("bcq", "ternary"):
            bits += (wq.q if wq.scheme == "bcq" else 2) * n
        elif wq.scheme == "signed_binary":
            bits += n + wq.cout * math.ceil(wq.k / wq.region)
        elif wq.scheme == "int8":
            bits += 8 * n
        else:
            bits += 32 * n
    return bits / max(1, count)
