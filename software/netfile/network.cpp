#include "netfile/network.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
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

// docs/numerics.md section 4: no accumulator may overflow 32 bits, whatever the summation order,
// i.e. sum_k |W[o][k]| * max|x| < 2^31 for every output channel o. Decided without expanding W:
// int8 and signed-binary rows are summed as stored (α[o] x mask bits); a bit-plane row is bounded
// by K * sum_i α_i[o], which is exact for one plane (|W| = α always). Only when that bound fails
// for several planes are the planes read bit by bit (never as int16 weights).
void check_accumulator(const QuantWeights& w, const ActType& in, const std::string& where) {
  const int64_t max_in = in.max_abs();
  auto check_row = [&](int o, int64_t abs_sum) {
    if (abs_sum * max_in >= kAccLimit)
      throw Error(where + ": output channel " + std::to_string(o) + " can reach |acc| = " + std::to_string(abs_sum * max_in) +
                  " with " + in.to_string() + " inputs, beyond the 32-bit accumulator (2^31)");
  };
  const size_t k = static_cast<size_t>(w.k);
  if (w.scheme == Scheme::Int8) {
    for (int o = 0; o < w.cout; ++o) {
      int64_t sum = 0;
      for (size_t kk = 0; kk < k; ++kk) sum += std::abs(int{w.int8[o * k + kk]});
      check_row(o, sum);
    }
    return;
  }
  if (w.scheme == Scheme::SignedBinary) {
    for (int o = 0; o < w.cout; ++o) {
      int64_t ones = 0;
      for (size_t kk = 0; kk < k; ++kk) ones += get_bit(w.mask.data(), o * k + kk);
      check_row(o, ones * w.alpha[o]);
    }
    return;
  }
  bool bound_holds = true;
  for (int o = 0; o < w.cout && bound_holds; ++o) {
    int64_t alpha_sum = 0;
    for (int i = 0; i < w.q; ++i) alpha_sum += w.alpha[static_cast<size_t>(i) * w.cout + o];
    if (static_cast<int64_t>(k) * alpha_sum * max_in >= kAccLimit) {
      if (w.q == 1) check_row(o, static_cast<int64_t>(k) * alpha_sum);  // exact: throws
      bound_holds = false;
    }
  }
  if (bound_holds) return;
  std::vector<std::vector<uint8_t>> planes;
  for (int i = 0; i < w.q; ++i) planes.push_back(w.plane_bits(i));
  for (int o = 0; o < w.cout; ++o) {
    int64_t sum = 0;
    for (size_t kk = 0; kk < k; ++kk) {
      int64_t v = 0;
      for (int i = 0; i < w.q; ++i) {
        const int64_t a = w.alpha[static_cast<size_t>(i) * w.cout + o];
        v += get_bit(planes[i].data(), o * k + kk) ? a : -a;
      }
      sum += std::abs(v);
    }
    check_row(o, sum);
  }
}

uint64_t sat_add(uint64_t a, uint64_t b) { return a > UINT64_MAX - b ? UINT64_MAX : a + b; }
uint64_t sat_mul(uint64_t a, uint64_t b) { return b != 0 && a > UINT64_MAX / b ? UINT64_MAX : a * b; }

std::string bytes_text(uint64_t b) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  double v = static_cast<double>(b);
  int u = 0;
  while (v >= 1024 && u < 6) v /= 1024, ++u;
  char buf[32];
  std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.1f %s", v, units[u]);
  return buf;
}

std::string ops_text(uint64_t ops) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g", static_cast<double>(ops));
  return buf;
}

}  // namespace

ResourceBudget& ResourceBudget::process_default() {
  static ResourceBudget budget;
  return budget;
}

uint64_t ResourceUse::memory_bytes() const { return sat_add(sat_add(activation_bytes, scratch_bytes), weight_bytes); }

std::string ResourceUse::to_string() const {
  return bytes_text(memory_bytes()) + " of memory (activations " + bytes_text(activation_bytes) + ", im2col and accumulators " +
         bytes_text(scratch_bytes) + ", expanded weights " + bytes_text(weight_bytes) + ") and " + ops_text(ops) + " operations";
}

void Network::validate(const std::string& file, const ResourceBudget& budget) {
  if (nodes.empty()) throw Error(file + ": the graph has no nodes");
  if (nodes.size() > kMaxNodes)
    throw Error(file + ": the graph has " + std::to_string(nodes.size()) + " nodes, at most " + std::to_string(kMaxNodes) + " are accepted");
  ResourceUse use;
  for (size_t i = 0; i < nodes.size(); ++i) {
    check_structure(i, file);
    charge(i, use, budget, file);
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
  if (n.op == Op::Relu && a.out.is_signed && a.out.bits == 1)
    throw Error(where + ": input '" + a.name + "' is signed 1-bit (values -1 and +1); max(x, 0) would give 0, which that type "
                "cannot hold (drop the relu, or requantize to an unsigned type first)");
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

void Network::charge(size_t i, ResourceUse& use, const ResourceBudget& budget, const std::string& file) const {
  const Node& n = nodes[i];
  const uint64_t out = n.shape.numel();
  use.activation_bytes = sat_add(use.activation_bytes, sat_mul(out, sizeof(int16_t)));
  uint64_t ops = out;  // element-wise: one operation per output
  if (n.has_weights()) {
    const uint64_t positions = static_cast<uint64_t>(n.shape.h) * n.shape.w;
    const uint64_t k = static_cast<uint64_t>(n.weights.k), cout = static_cast<uint64_t>(n.weights.cout);
    const uint64_t scratch = sat_add(sat_mul(sat_mul(positions, k), sizeof(int16_t)), sat_mul(sat_mul(positions, cout), sizeof(int32_t)));
    use.scratch_bytes = std::max(use.scratch_bytes, scratch);
    use.weight_bytes = sat_add(use.weight_bytes, sat_mul(sat_mul(cout, k), sizeof(int16_t)));
    ops = sat_mul(out, k);
  } else if (n.op == Op::MaxPool || n.op == Op::AvgPool) {
    ops = sat_mul(out, static_cast<uint64_t>(n.window.kh) * n.window.kw);
  }
  use.ops = sat_add(use.ops, ops);
  const bool over_memory = use.memory_bytes() > budget.memory_bytes, over_ops = use.ops > budget.ops;
  if (!over_memory && !over_ops) return;
  const std::string what = over_memory ? "memory budget of " + bytes_text(budget.memory_bytes) + " (raise it with --budget-memory or SUBBIT_BUDGET_MEMORY)"
                                       : "budget of " + ops_text(budget.ops) + " operations per inference (raise it with --budget-ops or SUBBIT_BUDGET_OPS)";
  throw Error(node_where(file, n) + ": the network up to this node needs " + use.to_string() + ", beyond the " + what);
}

ResourceUse Network::resource_use() const {
  ResourceUse use;
  const ResourceBudget unlimited{UINT64_MAX, UINT64_MAX};
  for (size_t i = 0; i < nodes.size(); ++i) charge(i, use, unlimited, name);
  return use;
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
