#include "netfile/network.h"

#include <cstdlib>

#include "quant/error.h"

namespace subbit {

const char* op_name(Op op) {
  switch (op) {
    case Op::Input: return "input";
    case Op::Conv2d: return "conv2d";
    case Op::Linear: return "linear";
    case Op::Relu: return "relu";
    case Op::MaxPool: return "maxpool";
    case Op::AvgPool: return "avgpool";
    case Op::Add: return "add";
    case Op::Flatten: return "flatten";
    case Op::Requant: return "requant";
  }
  return "?";
}

std::string Shape::to_string() const {
  return std::to_string(c) + "x" + std::to_string(h) + "x" + std::to_string(w);
}

int Network::find(const std::string& n) const {
  for (size_t i = 0; i < nodes.size(); ++i)
    if (nodes[i].name == n) return static_cast<int>(i);
  return -1;
}

int64_t Network::macs(const Node& n) const {
  if (!n.has_weights()) return 0;
  return static_cast<int64_t>(n.shape.c) * n.shape.h * n.shape.w * n.weights.k;
}

int64_t Network::total_macs() const {
  int64_t t = 0;
  for (const auto& n : nodes) t += macs(n);
  return t;
}

size_t Network::weight_count() const {
  size_t t = 0;
  for (const auto& n : nodes)
    if (n.has_weights()) t += n.weights.numel();
  return t;
}

size_t Network::stored_weight_bytes() const {
  size_t t = 0;
  for (const auto& n : nodes)
    if (n.has_weights()) t += n.weights.stored_bytes();
  return t;
}

double Network::sub_byte_bits_per_weight() const {
  double bits = 0;
  size_t count = 0;
  for (const auto& n : nodes)
    if (n.has_weights() && n.weights.is_sub_byte()) {
      bits += n.weights.bits_per_weight() * n.weights.numel();
      count += n.weights.numel();
    }
  return count ? bits / count : 0.0;
}

double Network::bits_per_weight() const {
  double bits = 0;
  size_t count = 0;
  for (const auto& n : nodes)
    if (n.has_weights()) {
      bits += n.weights.bits_per_weight() * n.weights.numel();
      count += n.weights.numel();
    }
  return count ? bits / count : 0.0;
}

namespace {

void check_act(const ActType& t, const std::string& where) {
  if (t.bits < 1 || t.bits > 8) throw Error(where + ": activation bits must be in [1, 8], got " + std::to_string(t.bits));
  if (!(t.scale > 0)) throw Error(where + ": activation scale must be > 0");
}

void check_window(const Window& w, const Shape& in, const std::string& where) {
  if (w.kh < 1 || w.kw < 1) throw Error(where + ": kernel must be >= 1");
  if (w.sh < 1 || w.sw < 1) throw Error(where + ": stride must be >= 1");
  if (w.ph < 0 || w.pw < 0 || w.ph >= w.kh || w.pw >= w.kw) throw Error(where + ": padding must be in [0, kernel - 1]");
  if (in.h + 2 * w.ph < w.kh || in.w + 2 * w.pw < w.kw)
    throw Error(where + ": kernel " + std::to_string(w.kh) + "x" + std::to_string(w.kw) + " does not fit input " + in.to_string() +
                " with padding " + std::to_string(w.ph) + "x" + std::to_string(w.pw));
}

Shape window_output(const Window& w, const Shape& in, int channels) {
  return Shape{channels, (in.h + 2 * w.ph - w.kh) / w.sh + 1, (in.w + 2 * w.pw - w.kw) / w.sw + 1};
}

void check_requant(const Requant& rq, size_t channels, const std::string& where) {
  if (rq.mult.size() != channels && rq.mult.size() != 1)
    throw Error(where + ": requant mult has " + std::to_string(rq.mult.size()) + " entries, expected " + std::to_string(channels) + " or 1");
  if (rq.bias.size() != rq.mult.size())
    throw Error(where + ": requant bias has " + std::to_string(rq.bias.size()) + " entries, expected " + std::to_string(rq.mult.size()));
  if (rq.shift < 0 || rq.shift > kMaxShift) throw Error(where + ": requant shift must be in [0, 62], got " + std::to_string(rq.shift));
  for (size_t i = 0; i < rq.bias.size(); ++i)
    if (std::llabs(rq.bias[i]) > kMaxBiasAbs)
      throw Error(where + ": requant bias[" + std::to_string(i) + "] = " + std::to_string(rq.bias[i]) + " exceeds |bias| <= 2^61");
}

// docs/numerics.md section 4: no accumulator may overflow 32 bits, whatever the summation order.
void check_accumulator(const QuantWeights& w, const ActType& in, const std::string& where) {
  const std::vector<int16_t> eff = w.effective();
  for (int o = 0; o < w.cout; ++o) {
    int64_t sum = 0;
    for (int k = 0; k < w.k; ++k) sum += std::abs(eff[static_cast<size_t>(o) * w.k + k]);
    if (sum * in.max_abs() >= kAccLimit)
      throw Error(where + ": output channel " + std::to_string(o) + " can reach |acc| = " + std::to_string(sum * in.max_abs()) +
                  " with " + in.to_string() + " inputs, beyond the 32-bit accumulator (2^31)");
  }
}

}  // namespace

void Network::validate(const std::string& file) {
  if (nodes.empty()) throw Error(file + ": the graph has no nodes");
  for (size_t i = 0; i < nodes.size(); ++i) {
    check_structure(i, file);
    check_tensors(i, file);
  }
}

static std::string node_where(const std::string& file, const Node& n) {
  return file + ": node '" + n.name + "' (" + op_name(n.op) + ")";
}

void Network::check_structure(size_t i, const std::string& file) {
  Node& n = nodes[i];
  const std::string where = node_where(file, n);
  if (n.name.empty()) throw Error(file + ": node " + std::to_string(i) + " has an empty name");
  for (size_t j = 0; j < i; ++j)
    if (nodes[j].name == n.name) throw Error(where + ": name used twice");
  if (i == 0) {
    if (n.op != Op::Input) throw Error(where + ": the first node must be the input");
    if (n.shape.c < 1 || n.shape.h < 1 || n.shape.w < 1 || n.shape.numel() > kMaxActivationElements)
      throw Error(where + ": input shape must be positive and hold at most 2^28 elements, got " + n.shape.to_string());
    check_act(n.out, where);
    return;
  }
  if (n.op == Op::Input) throw Error(where + ": only the first node may be an input");
  const size_t arity = n.op == Op::Add ? 2 : 1;
  if (n.inputs.size() != arity)
    throw Error(where + ": takes " + std::to_string(arity) + " input(s), got " + std::to_string(n.inputs.size()));
  for (int in : n.inputs)
    if (in < 0 || static_cast<size_t>(in) >= i) throw Error(where + ": input must be an earlier node");
  const Node& a = nodes[n.inputs[0]];
  switch (n.op) {
    case Op::Conv2d:
      check_window(n.window, a.shape, where);
      if (n.weights.cout < 1) throw Error(where + ": out_channels must be >= 1");
      {
        const int64_t k = int64_t{a.shape.c} * n.window.kh * n.window.kw;  // must not wrap in int
        if (k > INT32_MAX) throw Error(where + ": reduction length K = " + std::to_string(k) + " exceeds 2^31 - 1");
        n.weights.k = static_cast<int>(k);
      }
      n.shape = window_output(n.window, a.shape, n.weights.cout);
      break;
    case Op::Linear:
      if (n.weights.cout < 1) throw Error(where + ": out_features must be >= 1");
      n.weights.k = a.shape.c;
      n.shape = Shape{n.weights.cout, a.shape.h, a.shape.w};
      break;
    case Op::Relu:
    case Op::Flatten:
      if (n.op == Op::Flatten && a.shape.numel() > static_cast<size_t>(INT32_MAX))
        throw Error(where + ": flattened length " + std::to_string(a.shape.numel()) + " exceeds 2^31 - 1");
      n.out = a.out;
      n.shape = n.op == Op::Flatten ? Shape{static_cast<int>(a.shape.numel()), 1, 1} : a.shape;
      break;
    case Op::MaxPool:
      check_window(n.window, a.shape, where);
      n.out = a.out;
      n.shape = window_output(n.window, a.shape, a.shape.c);
      break;
    case Op::AvgPool:
      check_window(n.window, a.shape, where);
      n.shape = window_output(n.window, a.shape, a.shape.c);
      break;
    case Op::Add:
      if (!(nodes[n.inputs[1]].shape == a.shape))
        throw Error(where + ": inputs have shapes " + a.shape.to_string() + " and " + nodes[n.inputs[1]].shape.to_string() + ", expected equal");
      n.shape = a.shape;
      break;
    case Op::Requant:
      n.shape = a.shape;
      break;
    case Op::Input:
      break;
  }
  check_act(n.out, where);
  if (n.shape.c < 1 || n.shape.h < 1 || n.shape.w < 1 || n.shape.numel() > kMaxActivationElements)
    throw Error(where + ": output shape " + n.shape.to_string() + " must be positive and hold at most 2^28 elements");
}

void Network::check_tensors(size_t i, const std::string& file) const {
  const Node& n = nodes[i];
  const std::string where = node_where(file, n);
  switch (n.op) {
    case Op::Conv2d:
    case Op::Linear:
      n.weights.validate(where);
      check_requant(n.rq, static_cast<size_t>(n.weights.cout), where);
      if (n.rq.mult.size() != static_cast<size_t>(n.weights.cout))
        throw Error(where + ": requant mult must have one entry per output channel (" + std::to_string(n.weights.cout) + ")");
      check_accumulator(n.weights, nodes[n.inputs[0]].out, where);
      break;
    case Op::AvgPool:
    case Op::Add:
      check_requant(n.rq, 1, where);
      break;
    case Op::Requant:
      check_requant(n.rq, static_cast<size_t>(n.shape.c), where);
      break;
    default:
      break;
  }
}

}  // namespace subbit
