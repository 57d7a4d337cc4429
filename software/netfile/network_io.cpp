// Network file <-> Network: the graph lives in the safetensors metadata ("subbit.graph", JSON),
// the quantized tensors in the data section. Schema: docs/network-format.md.
#include <cstring>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "netfile/network.h"
#include "netfile/safetensors.h"
#include "quant/error.h"

namespace subbit {

namespace {

using nlohmann::json;
constexpr int kFormatVersion = 1;

const std::map<std::string, Op> kOps = {{"input", Op::Input},     {"conv2d", Op::Conv2d}, {"linear", Op::Linear},
                                        {"relu", Op::Relu},       {"maxpool", Op::MaxPool}, {"avgpool", Op::AvgPool},
                                        {"add", Op::Add},         {"flatten", Op::Flatten}, {"requant", Op::Requant}};

// Typed access to one JSON object, with errors that name the file, the node and the field.
class Fields {
 public:
  Fields(const json& obj, std::string where) : obj_(obj), where_(std::move(where)) {
    if (!obj_.is_object()) fail("", "expected a JSON object");
  }
  [[noreturn]] void fail(const std::string& key, const std::string& msg) const {
    throw Error(where_ + (key.empty() ? "" : ": field '" + key + "'") + ": " + msg);
  }
  const json& at(const std::string& key) {
    seen_.insert(key);
    if (!obj_.contains(key)) fail(key, "missing");
    return obj_.at(key);
  }
  bool has(const std::string& key) const { return obj_.contains(key); }
  int64_t integer(const std::string& key, int64_t lo, int64_t hi) {
    const json& v = at(key);
    if (!v.is_number_integer()) fail(key, "expected an integer, got " + v.dump());
    // An unsigned value above INT64_MAX would wrap to a negative int64 (2^64 - 1 -> -1).
    const bool wraps = v.is_number_unsigned() && v.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX);
    const int64_t x = v.get<int64_t>();
    if (wraps || x < lo || x > hi) fail(key, "expected an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "], got " + v.dump());
    return x;
  }
  uint64_t unsigned64(const std::string& key) {
    const json& v = at(key);
    if (!v.is_number_unsigned()) fail(key, "expected a non-negative integer, got " + v.dump());
    return v.get<uint64_t>();
  }
  double number(const std::string& key) {
    const json& v = at(key);
    if (!v.is_number()) fail(key, "expected a number, got " + v.dump());
    return v.get<double>();
  }
  bool boolean(const std::string& key, bool fallback) {
    if (!has(key)) return fallback;
    const json& v = at(key);
    if (!v.is_boolean()) fail(key, "expected true or false, got " + v.dump());
    return v.get<bool>();
  }
  std::string string(const std::string& key) {
    const json& v = at(key);
    if (!v.is_string()) fail(key, "expected a string, got " + v.dump());
    return v.get<std::string>();
  }
  // [a, b] of integers in [lo, hi].
  std::pair<int, int> pair(const std::string& key, int lo, int hi) {
    const json& v = at(key);
    if (!v.is_array() || v.size() != 2 || !v[0].is_number_integer() || !v[1].is_number_integer())
      fail(key, "expected [a, b] with integers, got " + v.dump());
    const int64_t a = v[0].get<int64_t>(), b = v[1].get<int64_t>();
    if (a < lo || a > hi || b < lo || b > hi) fail(key, "expected values in [" + std::to_string(lo) + ", " + std::to_string(hi) + "], got " + v.dump());
    return {static_cast<int>(a), static_cast<int>(b)};
  }
  Fields object(const std::string& key) { return Fields(at(key), where_ + ": field '" + key + "'"); }
  // Unknown fields are errors: they are usually typos.
  void no_others() const {
    for (auto it = obj_.begin(); it != obj_.end(); ++it)
      if (!seen_.count(it.key())) fail(it.key(), "unknown field");
  }
  const std::string& where() const { return where_; }

 private:
  const json& obj_;
  std::string where_;
  std::set<std::string> seen_;
};

constexpr int kMaxDim = 1 << 20;

// Reads tensors by name, checking dtype and shape, and remembers which ones the graph used.
class TensorReader {
 public:
  explicit TensorReader(const SafetensorsFile& f) : f_(f) {}
  template <typename T>
  std::vector<T> read(Fields& fields, const std::string& key, DType dtype, std::vector<int64_t> shape) {
    const std::string name = fields.string(key);
    const auto it = f_.tensors.find(name);
    if (it == f_.tensors.end()) fields.fail(key, "tensor '" + name + "' is not in the file");
    if (!used_.insert(name).second) fields.fail(key, "tensor '" + name + "' is used twice");
    const TensorEntry& t = it->second;
    if (t.dtype != dtype || t.shape != shape)
      fields.fail(key, "tensor '" + name + "' is " + dtype_name(t.dtype) + " " + json(t.shape).dump() + ", expected " +
                           dtype_name(dtype) + " " + json(shape).dump());
    std::vector<T> out(t.numel());
    std::memcpy(out.data(), f_.bytes(t), t.end - t.begin);  // little-endian host, as the format
    return out;
  }
  void check_all_used() const {
    for (const auto& [name, t] : f_.tensors)
      if (!used_.count(name)) throw Error(f_.path + ": tensor '" + name + "' is not used by any node of the graph");
  }

 private:
  const SafetensorsFile& f_;
  std::set<std::string> used_;
};

ActType read_act(Fields f) {
  ActType t;
  t.bits = static_cast<int>(f.integer("bits", 1, 8));
  t.is_signed = f.boolean("signed", true);
  t.scale = f.number("scale");
  if (!(t.scale > 0)) f.fail("scale", "expected a positive number");
  f.no_others();
  return t;
}

json write_act(const ActType& t) { return {{"bits", t.bits}, {"signed", t.is_signed}, {"scale", t.scale}}; }

Window read_window(Fields& f) {
  Window w;
  std::tie(w.kh, w.kw) = f.pair("kernel", 1, 1024);
  std::tie(w.sh, w.sw) = f.pair("stride", 1, 1024);
  std::tie(w.ph, w.pw) = f.pair("padding", 0, 1024);
  return w;
}

void write_window(json& j, const Window& w) {
  j["kernel"] = {w.kh, w.kw};
  j["stride"] = {w.sh, w.sw};
  j["padding"] = {w.ph, w.pw};
}

void read_weights(Fields f, QuantWeights& w, TensorReader& tr) {
  w.scheme = parse_scheme(f.string("scheme"), f.where() + ": field 'scheme'");
  const int64_t cout = w.cout, k = w.k;
  auto alpha = [&](int64_t planes) { w.alpha = tr.read<uint8_t>(f, "alpha", DType::U8, {planes, cout}); };
  switch (w.scheme) {
    case Scheme::Int8:
      w.int8 = tr.read<int8_t>(f, "weight", DType::I8, {cout, k});
      break;
    case Scheme::SignedBinary:
      w.region = static_cast<int>(f.integer("region", 1, k));
      w.mask = tr.read<uint8_t>(f, "mask", DType::U8, {static_cast<int64_t>(w.plane_bytes())});
      w.signs = tr.read<uint8_t>(f, "signs", DType::U8, {static_cast<int64_t>(bytes_for_bits(w.numel() / k * w.regions_per_channel()))});
      alpha(1);
      break;
    case Scheme::Flexor: {
      w.q = static_cast<int>(f.integer("q", 1, QuantWeights::kMaxPlanes));
      w.flexor.n_in = static_cast<int>(f.integer("n_in", 1, 32));
      w.flexor.n_out = static_cast<int>(f.integer("n_out", w.flexor.n_in, 64));
      Fields m = f.object("matrix");
      if (m.has("tensor")) {
        w.flexor.explicit_matrix = true;
        const auto bytes = tr.read<uint8_t>(m, "tensor", DType::U8, {w.flexor.n_out, w.flexor.n_in});
        try {
          w.flexor.matrix = XorMatrix::from_bytes(w.flexor.n_out, w.flexor.n_in, bytes.data());
        } catch (const Error& e) {
          m.fail("tensor", e.what());
        }
      } else {
        const std::string fill = m.string("fill");
        if (fill != "tap" && fill != "random") m.fail("fill", "expected \"tap\" or \"random\", got \"" + fill + "\"");
        const XorFill xor_fill = fill == "tap" ? XorFill::Tap : XorFill::Random;
        const int n_tap = xor_fill == XorFill::Tap ? static_cast<int>(m.integer("n_tap", 1, w.flexor.n_in)) : w.flexor.n_tap;
        w.flexor = FlexorSpec::seeded(w.flexor.n_in, w.flexor.n_out, xor_fill, n_tap, m.unsigned64("seed"));
      }
      m.no_others();
      w.planes = tr.read<uint8_t>(f, "encrypted", DType::U8, {w.q, static_cast<int64_t>(w.encrypted_plane_bytes())});
      alpha(w.q);
      break;
    }
    default:
      w.q = static_cast<int>(f.integer("q", 1, QuantWeights::kMaxPlanes));
      w.planes = tr.read<uint8_t>(f, "planes", DType::U8, {w.q, static_cast<int64_t>(w.plane_bytes())});
      alpha(w.q);
      break;
  }
  f.no_others();
}

template <typename T>
TensorToWrite tensor(const std::string& name, DType dtype, std::vector<int64_t> shape, const std::vector<T>& values) {
  TensorToWrite t{name, dtype, std::move(shape), {}};
  t.bytes.resize(values.size() * sizeof(T));
  std::memcpy(t.bytes.data(), values.data(), t.bytes.size());
  return t;
}

json write_weights(const Node& n, std::vector<TensorToWrite>& out) {
  const QuantWeights& w = n.weights;
  const int64_t cout = w.cout;
  json j = {{"scheme", scheme_name(w.scheme)}};
  auto add = [&](const char* key, const char* suffix, DType dt, std::vector<int64_t> shape, const auto& values) {
    j[key] = n.name + "." + suffix;
    out.push_back(tensor(n.name + "." + suffix, dt, std::move(shape), values));
  };
  switch (w.scheme) {
    case Scheme::Int8:
      add("weight", "weight", DType::I8, {cout, w.k}, w.int8);
      return j;
    case Scheme::SignedBinary:
      j["region"] = w.region;
      add("mask", "mask", DType::U8, {static_cast<int64_t>(w.mask.size())}, w.mask);
      add("signs", "signs", DType::U8, {static_cast<int64_t>(w.signs.size())}, w.signs);
      add("alpha", "alpha", DType::U8, {1, cout}, w.alpha);
      return j;
    case Scheme::Flexor:
      j["q"] = w.q;
      j["n_in"] = w.flexor.n_in;
      j["n_out"] = w.flexor.n_out;
      if (w.flexor.explicit_matrix) {
        j["matrix"] = {{"tensor", n.name + ".xor"}};
        out.push_back(tensor(n.name + ".xor", DType::U8, {w.flexor.n_out, w.flexor.n_in}, w.flexor.matrix.to_bytes()));
      } else {
        j["matrix"] = {{"fill", w.flexor.fill == XorFill::Tap ? "tap" : "random"}, {"seed", w.flexor.seed}};
        if (w.flexor.fill == XorFill::Tap) j["matrix"]["n_tap"] = w.flexor.n_tap;
      }
      add("encrypted", "encrypted", DType::U8, {w.q, static_cast<int64_t>(w.encrypted_plane_bytes())}, w.planes);
      add("alpha", "alpha", DType::U8, {w.q, cout}, w.alpha);
      return j;
    default:
      j["q"] = w.q;
      add("planes", "planes", DType::U8, {w.q, static_cast<int64_t>(w.plane_bytes())}, w.planes);
      add("alpha", "alpha", DType::U8, {w.q, cout}, w.alpha);
      return j;
  }
}

// Requantization of conv2d/linear/requant: per-channel tensors; of add/avgpool: inline numbers.
// `len` is the channel count, or 1 for a per-tensor requant node.
void read_requant_tensors(Fields f, Requant& rq, TensorReader& tr, int64_t len) {
  rq.mult = tr.read<int32_t>(f, "mult", DType::I32, {len});
  rq.bias = tr.read<int64_t>(f, "bias", DType::I64, {len});
  rq.shift = static_cast<int>(f.integer("shift", 0, kMaxShift));
  rq.relu = f.boolean("relu", false);
  f.no_others();
}

json write_requant_tensors(const Node& n, std::vector<TensorToWrite>& out) {
  out.push_back(tensor(n.name + ".mult", DType::I32, {static_cast<int64_t>(n.rq.mult.size())}, n.rq.mult));
  out.push_back(tensor(n.name + ".bias", DType::I64, {static_cast<int64_t>(n.rq.bias.size())}, n.rq.bias));
  return {{"mult", n.name + ".mult"}, {"bias", n.name + ".bias"}, {"shift", n.rq.shift}, {"relu", n.rq.relu}};
}

}  // namespace

Network load_network(const std::string& path, const ResourceBudget& budget) { return network_from_safetensors(read_safetensors(path), budget); }

Network parse_network(const uint8_t* bytes, size_t size, const std::string& name, const ResourceBudget& budget) {
  return network_from_safetensors(parse_safetensors(bytes, size, name), budget);
}

Network network_from_safetensors(const SafetensorsFile& f, const ResourceBudget& budget) {
  const std::string& path = f.path;
  auto meta = [&](const char* key) {
    const auto it = f.metadata.find(key);
    if (it == f.metadata.end()) throw Error(path + ": metadata key '" + key + "' is missing (not a SubBit network file?)");
    return it->second;
  };
  if (meta("subbit.format") != std::to_string(kFormatVersion))
    throw Error(path + ": metadata 'subbit.format' is \"" + meta("subbit.format") + "\", expected \"" + std::to_string(kFormatVersion) + "\"");
  json graph;
  try {
    graph = json::parse(meta("subbit.graph"));
  } catch (const json::exception& e) {  // parse_error, and out_of_range for a number beyond double
    throw Error(path + ": metadata 'subbit.graph' is not valid JSON: " + e.what());
  }
  Fields g(graph, path + ": graph");
  Network net;
  net.name = g.string("name");
  const json& nodes = g.at("nodes");
  if (!nodes.is_array() || nodes.empty()) g.fail("nodes", "expected a non-empty array of nodes");
  if (nodes.size() > kMaxNodes) g.fail("nodes", "expected at most " + std::to_string(kMaxNodes) + " nodes, got " + std::to_string(nodes.size()));
  g.no_others();

  TensorReader tr(f);
  ResourceUse use;
  for (size_t i = 0; i < nodes.size(); ++i) {
    const json& nj = nodes[i];
    if (!nj.is_object() || !nj.contains("name") || !nj["name"].is_string())
      throw Error(path + ": node " + std::to_string(i) + ": field 'name': expected a string");
    Node n;
    n.name = nj["name"].get<std::string>();
    Fields nf(nj, path + ": node '" + n.name + "'");
    nf.string("name");
    const std::string op = nf.string("op");
    const auto op_it = kOps.find(op);
    if (op_it == kOps.end())
      nf.fail("op", "unknown operator '" + op + "', expected input, conv2d, linear, relu, maxpool, avgpool, add, flatten or requant");
    n.op = op_it->second;
    if (n.op == Op::Input) {
      const json& s = nf.at("shape");
      if (!s.is_array() || s.size() != 3) nf.fail("shape", "expected [C, H, W]");
      for (const auto& d : s)
        if (!d.is_number_integer() || d.get<int64_t>() < 1 || d.get<int64_t>() > kMaxDim)
          nf.fail("shape", "expected [C, H, W] with integers in [1, " + std::to_string(kMaxDim) + "], got " + s.dump());
      n.shape = Shape{s[0].get<int>(), s[1].get<int>(), s[2].get<int>()};
    } else {
      const json& ins = nf.at("inputs");
      if (!ins.is_array()) nf.fail("inputs", "expected an array of node names");
      for (const auto& in : ins) {
        if (!in.is_string()) nf.fail("inputs", "expected an array of node names, got " + ins.dump());
        const int idx = net.find(in.get<std::string>());
        if (idx < 0) nf.fail("inputs", "'" + in.get<std::string>() + "' is not defined by an earlier node (dangling edge)");
        n.inputs.push_back(idx);
      }
    }
    if (n.op == Op::Conv2d || n.op == Op::MaxPool || n.op == Op::AvgPool) n.window = read_window(nf);
    if (n.op == Op::Conv2d) n.weights.cout = static_cast<int>(nf.integer("out_channels", 1, kMaxDim));
    if (n.op == Op::Linear) n.weights.cout = static_cast<int>(nf.integer("out_features", 1, kMaxDim));
    if (n.op != Op::Relu && n.op != Op::Flatten && n.op != Op::MaxPool) n.out = read_act(nf.object("out"));
    if (n.op == Op::Add) {
      n.mult_a = static_cast<int32_t>(nf.integer("mult_a", INT32_MIN, INT32_MAX));
      n.mult_b = static_cast<int32_t>(nf.integer("mult_b", INT32_MIN, INT32_MAX));
    }
    if (n.op == Op::Add || n.op == Op::AvgPool) {
      if (n.op == Op::AvgPool) n.rq.mult = {static_cast<int32_t>(nf.integer("mult", INT32_MIN, INT32_MAX))};
      else n.rq.mult = {1};
      n.rq.bias = {n.op == Op::Add ? nf.integer("bias", -kMaxBiasAbs, kMaxBiasAbs) : 0};
      n.rq.shift = static_cast<int>(nf.integer("shift", 0, kMaxShift));
      n.rq.relu = nf.boolean("relu", false);
    }
    net.nodes.push_back(std::move(n));
    net.check_structure(i, path);  // learns the shape and K before any tensor is read
    net.charge(i, use, budget, path);  // and refuses what would not fit before anything is expanded

    Node& cur = net.nodes.back();
    if (cur.has_weights()) read_weights(nf.object("weights"), cur.weights, tr);
    if (cur.has_weights()) read_requant_tensors(nf.object("requant"), cur.rq, tr, cur.weights.cout);
    if (cur.op == Op::Requant) {
      Fields rf = nf.object("requant");
      const std::string mult_name = rf.string("mult");
      const auto it = f.tensors.find(mult_name);
      const int64_t len = (it != f.tensors.end() && it->second.shape == std::vector<int64_t>{1}) ? 1 : cur.shape.c;
      read_requant_tensors(rf, cur.rq, tr, len);
    }
    nf.no_others();
    net.check_tensors(i, path);
  }
  tr.check_all_used();
  return net;
}

void save_network(const std::string& path, Network net) {
  net.validate(path);
  json nodes = json::array();
  std::vector<TensorToWrite> tensors;
  for (const Node& n : net.nodes) {
    json j = {{"name", n.name}, {"op", op_name(n.op)}};
    if (n.op == Op::Input) {
      j["shape"] = {n.shape.c, n.shape.h, n.shape.w};
    } else {
      j["inputs"] = json::array();
      for (int in : n.inputs) j["inputs"].push_back(net.nodes[in].name);
    }
    if (n.op == Op::Conv2d || n.op == Op::MaxPool || n.op == Op::AvgPool) write_window(j, n.window);
    if (n.op == Op::Conv2d) j["out_channels"] = n.weights.cout;
    if (n.op == Op::Linear) j["out_features"] = n.weights.cout;
    if (n.has_weights()) j["weights"] = write_weights(n, tensors);
    if (n.has_weights() || n.op == Op::Requant) j["requant"] = write_requant_tensors(n, tensors);
    if (n.op == Op::Add) {
      j["mult_a"] = n.mult_a;
      j["mult_b"] = n.mult_b;
      j["bias"] = n.rq.bias[0];
    }
    if (n.op == Op::AvgPool) j["mult"] = n.rq.mult[0];
    if (n.op == Op::Add || n.op == Op::AvgPool) {
      j["shift"] = n.rq.shift;
      j["relu"] = n.rq.relu;
    }
    if (n.op != Op::Relu && n.op != Op::Flatten && n.op != Op::MaxPool) j["out"] = write_act(n.out);
    nodes.push_back(std::move(j));
  }
  const json graph = {{"name", net.name}, {"nodes", nodes}};
  write_safetensors(path, {{"subbit.format", std::to_string(kFormatVersion)}, {"subbit.graph", graph.dump()}}, tensors);
}

}  // namespace subbit
