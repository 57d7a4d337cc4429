#include "netgen/netgen.h"

#include <algorithm>
#include <cmath>

#include "quant/error.h"
#include "quant/prng.h"

namespace subbit {

const std::vector<std::string>& netgen_networks() {
  static const std::vector<std::string> names = {"lenet5", "resnet20", "resnet18", "mlp", "ffn", "fc"};
  return names;
}

namespace {

// Builds the graph node by node, tracking a rough RMS of every tensor to size requantization.
class Builder {
 public:
  explicit Builder(const NetgenOptions& opt) : opt_(opt), rng_(opt.seed) {
    if (opt.act_bits < 1 || opt.act_bits > 8) throw Error("netgen: --act-bits must be in [1, 8], got " + std::to_string(opt.act_bits));
  }

  Network net;

  ActType hidden() const {
    if (opt_.act_bits == 1) return ActType{1, true, 1.0};
    return ActType{opt_.act_bits, false, 1.0 / ((1 << opt_.act_bits) - 1)};
  }
  ActType signed_act() const { return opt_.act_bits == 1 ? ActType{1, true, 1.0} : ActType{std::max(2, opt_.act_bits), true, 1.0 / 127}; }
  bool relu_for(const ActType& t) const { return !t.is_signed; }

  int input(Shape s, ActType t) {
    Node n;
    n.name = "input";
    n.op = Op::Input;
    n.shape = s;
    n.out = t;
    return push(std::move(n), t.is_signed ? t.hi() / 2.0 : t.hi() / 2.5);
  }

  int conv(const std::string& name, int in, int cout, int k, int stride, int pad, ActType out, bool edge_layer) {
    Node n = layer(name, Op::Conv2d, in, cout, out);
    n.window = Window{k, k, stride, stride, pad, pad};
    return finish_layer(std::move(n), edge_layer);
  }

  int linear(const std::string& name, int in, int cout, ActType out, bool edge_layer) {
    return finish_layer(layer(name, Op::Linear, in, cout, out), edge_layer);
  }

  int pool(const std::string& name, Op op, int in, int k, int stride, int pad) {
    Node n;
    n.name = name;
    n.op = op;
    n.inputs = {in};
    n.window = Window{k, k, stride, stride, pad, pad};
    double r = rms_[in];
    if (op == Op::AvgPool) {
      n.out = net.nodes[in].out;
      n.rq.shift = 16;
      // A 1-bit output is the sign of the window sum (1/window would give -1 only below a mean of -1/2).
      n.rq.mult = {n.out.bits == 1 ? 65536 : static_cast<int32_t>(std::lround(65536.0 / (k * k)))};
      n.rq.bias = {0};
    } else {
      r *= 1.3;
    }
    return push(std::move(n), r);
  }

  int simple(const std::string& name, Op op, int in) {
    Node n;
    n.name = name;
    n.op = op;
    n.inputs = {in};
    return push(std::move(n), rms_[in]);
  }

  // out = (a + b) / 2 with ReLU for an unsigned output.
  int add(const std::string& name, int a, int b, ActType out) {
    Node n;
    n.name = name;
    n.op = Op::Add;
    n.inputs = {a, b};
    n.out = out;
    n.mult_a = 1 << 14;
    n.mult_b = 1 << 14;
    n.rq = Requant{{1}, {0}, 15, relu_for(out)};
    // 1-bit: (a + b) / 2 ties at 0 when a != b, which rounds to +1 (an OR) and drifts to all +1 over
    // stacked blocks; every other residual add breaks the tie to -1 instead (an AND).
    if (out.bits == 1 && adds_++ % 2 == 1) n.rq.bias = {-(int64_t{1} << 14) - 1};
    return push(std::move(n), (rms_[a] + rms_[b]) / 2);
  }

 private:
  int push(Node n, double rms) {
    net.nodes.push_back(std::move(n));
    rms_.push_back(std::max(rms, 1.0));
    net.check_structure(net.nodes.size() - 1, "netgen");
    return static_cast<int>(net.nodes.size() - 1);
  }

  Node layer(const std::string& name, Op op, int in, int cout, ActType out) {
    Node n;
    n.name = name;
    n.op = op;
    n.inputs = {in};
    n.out = out;
    n.weights.cout = cout;
    return n;
  }

  void random_bits(std::vector<uint8_t>& bytes, size_t bits, double p_one = 0.5) {
    std::fill(bytes.begin(), bytes.end(), 0);
    for (size_t i = 0; i < bits; ++i)
      if (p_one == 0.5 ? rng_.coin() : (rng_.next() >> 11) * 0x1.0p-53 < p_one) set_bit(bytes.data(), i, true);
  }

  int finish_layer(Node n, bool edge_layer) {
    const int idx = push(std::move(n), 1.0);  // learn K first
    Node& L = net.nodes[idx];
    QuantWeights& w = L.weights;
    const int cout = w.cout, k = w.k;
    const ActType& in = net.nodes[L.inputs[0]].out;
    w.scheme = edge_layer && opt_.int8_first_last ? Scheme::Int8 : opt_.scheme;
    // Largest α that keeps every accumulator within 32 bits (docs/numerics.md section 4).
    const int planes = w.scheme == Scheme::Ternary ? 2 : (w.scheme == Scheme::Binary || w.scheme == Scheme::SignedBinary) ? 1 : opt_.q;
    const int64_t alpha_cap = std::min<int64_t>(255, (kAccLimit - 1) / (static_cast<int64_t>(k) * planes * in.max_abs()));
    if (w.scheme != Scheme::Int8 && w.scheme != Scheme::Uniform && alpha_cap < 1)
      throw Error("netgen: layer '" + L.name + "' (K=" + std::to_string(k) + ") cannot keep its accumulator within 32 bits");
    auto alphas = [&](int count) {
      w.alpha.resize(static_cast<size_t>(count) * cout);
      for (auto& a : w.alpha) a = static_cast<uint8_t>(rng_.range(std::max<int64_t>(1, alpha_cap / 2), alpha_cap));
    };
    double w_rms = 1.0;
    switch (w.scheme) {
      case Scheme::Int8: {
        const int64_t cap = std::min<int64_t>(127, (kAccLimit - 1) / (static_cast<int64_t>(k) * in.max_abs()));
        w.int8.resize(w.numel());
        for (auto& v : w.int8) v = static_cast<int8_t>(rng_.range(-cap, cap));
        w_rms = cap / std::sqrt(3.0);
        break;
      }
      case Scheme::Binary:
      case Scheme::Bcq:
      case Scheme::Ternary:
      case Scheme::Uniform:
        w.q = planes;
        w.planes.resize(static_cast<size_t>(w.q) * w.plane_bytes());
        for (int i = 0; i < w.q; ++i) {
          std::vector<uint8_t> p(w.plane_bytes());
          random_bits(p, w.numel());
          std::copy(p.begin(), p.end(), w.planes.begin() + static_cast<size_t>(i) * w.plane_bytes());
        }
        if (w.scheme == Scheme::Uniform) {
          w.alpha.resize(static_cast<size_t>(w.q) * cout);
          for (int i = 0; i < w.q; ++i) std::fill_n(w.alpha.begin() + static_cast<size_t>(i) * cout, cout, static_cast<uint8_t>(1u << i));
          w_rms = std::pow(2.0, w.q) / std::sqrt(3.0);
        } else {
          alphas(w.q);
          if (w.scheme == Scheme::Ternary) std::copy_n(w.alpha.begin(), cout, w.alpha.begin() + cout);
          w_rms = 0.75 * alpha_cap * std::sqrt(static_cast<double>(w.q));
        }
        break;
      case Scheme::SignedBinary:
        w.region = std::min(opt_.region, k);
        w.mask.resize(w.plane_bytes());
        random_bits(w.mask, w.numel(), opt_.density);
        w.signs.resize(bytes_for_bits(static_cast<size_t>(cout) * w.regions_per_channel()));
        random_bits(w.signs, static_cast<size_t>(cout) * w.regions_per_channel());
        alphas(1);
        w_rms = 0.75 * alpha_cap * std::sqrt(opt_.density);
        break;
      case Scheme::Flexor:
        w.q = opt_.q;
        w.flexor = FlexorSpec::seeded(opt_.n_in, opt_.n_out, opt_.fill, opt_.n_tap, opt_.xor_seed);
        w.flexor.explicit_matrix = opt_.explicit_matrix;
        w.planes.resize(static_cast<size_t>(w.q) * w.encrypted_plane_bytes());
        for (int i = 0; i < w.q; ++i) {
          std::vector<uint8_t> p(w.encrypted_plane_bytes());
          random_bits(p, w.slices() * opt_.n_in);
          std::copy(p.begin(), p.end(), w.planes.begin() + static_cast<size_t>(i) * w.encrypted_plane_bytes());
        }
        alphas(w.q);
        w_rms = 0.75 * alpha_cap * std::sqrt(static_cast<double>(w.q));
        break;
    }
    // Requantization: map the accumulator's expected RMS onto a quarter of the output range.
    const double acc_rms = std::sqrt(static_cast<double>(k)) * w_rms * rms_[L.inputs[0]];
    const double target = L.out.bits == 1 ? 1.0 : L.out.hi() / 3.0;
    const double scale = target / acc_rms;
    int shift = std::clamp(14 - static_cast<int>(std::floor(std::log2(scale))), 0, kMaxShift - 1);
    L.rq.shift = shift;
    L.rq.relu = relu_for(L.out);
    L.rq.mult.resize(cout);
    L.rq.bias.resize(cout);
    for (int o = 0; o < cout; ++o) {
      const double jitter = 0.75 + 0.5 * (rng_.next() >> 11) * 0x1.0p-53;  // a folded batch-norm's per-channel scale
      L.rq.mult[o] = static_cast<int32_t>(std::lround(scale * jitter * std::ldexp(1.0, shift)));
      const double b = (((rng_.next() >> 11) * 0x1.0p-53) - 0.5) * target;
      L.rq.bias[o] = static_cast<int64_t>(std::llround(b * std::ldexp(1.0, shift)));
      // 1-bit: r = 0 maps to +1, so without this the outputs lean to +1; this makes the output sign(v).
      if (L.out.bits == 1 && shift > 0) L.rq.bias[o] -= int64_t{1} << (shift - 1);
    }
    rms_[idx] = target;
    return idx;
  }

  const NetgenOptions& opt_;
  SplitMix64 rng_;
  std::vector<double> rms_;
  int adds_ = 0;  // residual adds so far
};

int basic_block(Builder& b, const std::string& name, int in, int cin, int cout, int stride) {
  const ActType hid = b.hidden();
  const int c1 = b.conv(name + ".conv1", in, cout, 3, stride, 1, hid, false);
  const int c2 = b.conv(name + ".conv2", c1, cout, 3, 1, 1, b.signed_act(), false);
  int shortcut = in;
  if (stride != 1 || cin != cout) shortcut = b.conv(name + ".down", in, cout, 1, stride, 0, b.signed_act(), false);
  return b.add(name + ".add", c2, shortcut, hid);
}

}  // namespace

Network make_network(const NetgenOptions& opt) {
  Builder b(opt);
  b.net.name = opt.network;
  const ActType image{8, false, 1.0 / 255};
  const ActType logits{8, true, 1.0 / 16};
  const ActType hid = b.hidden();
  if (opt.network == "lenet5") {
    int x = b.input({1, 28, 28}, image);
    x = b.conv("conv1", x, 32, 5, 1, 2, hid, true);
    x = b.pool("pool1", Op::MaxPool, x, 2, 2, 0);
    x = b.conv("conv2", x, 64, 5, 1, 2, hid, false);
    x = b.pool("pool2", Op::MaxPool, x, 2, 2, 0);
    x = b.simple("flatten", Op::Flatten, x);
    x = b.linear("fc1", x, 512, hid, false);
    b.linear("fc2", x, 10, logits, true);
  } else if (opt.network == "mlp") {
    int x = b.input({1, 28, 28}, image);
    x = b.simple("flatten", Op::Flatten, x);
    x = b.linear("fc1", x, 512, hid, true);
    x = b.linear("fc2", x, 512, hid, false);
    b.linear("fc3", x, 10, logits, true);
  } else if (opt.network == "resnet20") {
    int x = b.input({3, 32, 32}, image);
    x = b.conv("conv1", x, 16, 3, 1, 1, hid, true);
    int cin = 16;
    const int widths[] = {16, 32, 64};
    for (int s = 0; s < 3; ++s)
      for (int blk = 0; blk < 3; ++blk) {
        const int stride = (s > 0 && blk == 0) ? 2 : 1;
        x = basic_block(b, "layer" + std::to_string(s + 1) + "." + std::to_string(blk), x, cin, widths[s], stride);
        cin = widths[s];
      }
    x = b.pool("avgpool", Op::AvgPool, x, 8, 8, 0);
    x = b.simple("flatten", Op::Flatten, x);
    b.linear("fc", x, 10, logits, true);
  } else if (opt.network == "resnet18") {
    int x = b.input({3, 224, 224}, image);
    x = b.conv("conv1", x, 64, 7, 2, 3, hid, true);
    x = b.pool("maxpool", Op::MaxPool, x, 3, 2, 1);
    int cin = 64;
    const int widths[] = {64, 128, 256, 512};
    for (int s = 0; s < 4; ++s)
      for (int blk = 0; blk < 2; ++blk) {
        const int stride = (s > 0 && blk == 0) ? 2 : 1;
        x = basic_block(b, "layer" + std::to_string(s + 1) + "." + std::to_string(blk), x, cin, widths[s], stride);
        cin = widths[s];
      }
    x = b.pool("avgpool", Op::AvgPool, x, 7, 7, 0);
    x = b.simple("flatten", Op::Flatten, x);
    b.linear("fc", x, 1000, logits, true);
  } else if (opt.network == "ffn") {
    if (opt.tokens < 1 || opt.tokens > 65536) throw Error("netgen: --tokens must be in [1, 65536]");
    const ActType tok{8, true, 1.0 / 32};
    const int x = b.input({768, opt.tokens, 1}, tok);
    const int h = b.linear("fc1", x, 3072, hid, false);
    const int y = b.linear("fc2", h, 768, tok, false);
    b.add("residual", y, x, tok);
  } else if (opt.network == "fc") {
    // A hidden layer: the scheme applies even with int8 first and last layers.
    if (opt.in_features < 1 || opt.in_features > (1 << 20) || opt.out_features < 1 || opt.out_features > 65536)
      throw Error("netgen: fc needs --in-features in [1, 2^20] and --out-features in [1, 65536]");
    const int x = b.input({opt.in_features, 1, 1}, hid);
    b.linear("fc", x, opt.out_features, hid, false);
  } else {
    std::string all;
    for (const auto& n : netgen_networks()) all += (all.empty() ? "" : ", ") + n;
    throw Error("netgen: unknown network '" + opt.network + "', expected one of " + all);
  }
  b.net.validate("netgen " + opt.network);
  return std::move(b.net);
}

std::vector<int16_t> random_input(const Network& net, uint64_t seed) {
  SplitMix64 rng(seed);
  const ActType& t = net.input().out;
  std::vector<int16_t> x(net.input().shape.numel());
  for (auto& v : x) {
    v = static_cast<int16_t>(rng.range(t.lo(), t.hi()));
    if (t.is_signed && t.bits == 1 && v == 0) v = 1;
  }
  return x;
}

}  // namespace subbit
