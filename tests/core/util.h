// Shared helpers of the core tests: a deterministic test RNG, temp files, raw safetensors editing,
// an independent (naive) implementation of the effective-weight formulas of docs/numerics.md
// section 2 and 3, and a small hand-made network builder.
#pragma once
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "netfile/network.h"
#include "quant/error.h"
#include "quant/weights.h"

namespace ct {

using nlohmann::json;
using namespace subbit;

// ---- allocation probe (alloc_probe.cpp) ----
extern std::atomic<bool> g_alloc_probe_on;
extern std::atomic<std::size_t> g_alloc_probe_max;
class AllocProbe {
 public:
  AllocProbe() {
    g_alloc_probe_max = 0;
    g_alloc_probe_on = true;
  }
  ~AllocProbe() { g_alloc_probe_on = false; }
  std::size_t largest() const { return g_alloc_probe_max.load(); }
};

// ---- deterministic test RNG (independent of subbit::SplitMix64) ----
class Rng {
 public:
  explicit Rng(uint64_t seed) : g_(seed) {}
  uint64_t next() { return g_(); }
  // Integer in [lo, hi], both inclusive (modulo: platform independent, bias irrelevant here).
  // The span is computed in uint64 (hi - lo overflows int64 for wide ranges); the full int64 range
  // takes any draw.
  int64_t range(int64_t lo, int64_t hi) {
    const uint64_t span = static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo);
    const uint64_t r = span == UINT64_MAX ? g_() : g_() % (span + 1);
    return static_cast<int64_t>(static_cast<uint64_t>(lo) + r);
  }
  bool coin() { return (g_() >> 63) != 0; }
  template <class T>
  const T& pick(const std::vector<T>& v) { return v[static_cast<size_t>(range(0, static_cast<int64_t>(v.size()) - 1))]; }

 private:
  std::mt19937_64 g_;
};

// ---- files ----
// A fresh directory for the running test under ::testing::TempDir().
inline std::string test_dir() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string name = std::string("subbit_core_") + info->test_suite_name() + "_" + info->name() + "_" + std::to_string(::getpid());
  for (char& c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') c = '_';
  const std::filesystem::path p = std::filesystem::path(::testing::TempDir()) / name;
  std::filesystem::remove_all(p);
  std::filesystem::create_directories(p);
  return p.string();
}

// test_dir() removed again when the test ends (files of up to tens of MB must not pile up in /tmp).
class ScratchDir {
 public:
  ScratchDir() : path_(test_dir()) {}
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

inline std::vector<uint8_t> read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot read " << path;
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

inline void write_bytes(const std::string& path, const std::vector<uint8_t>& b) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
  ASSERT_TRUE(out.good()) << "cannot write " << path;
}

// ---- raw safetensors editing ----
inline uint64_t le64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}
inline void put_le64(std::vector<uint8_t>& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

struct RawFile {
  json header;                // the whole JSON header (tensor entries and __metadata__)
  std::vector<uint8_t> data;  // the data section
};

inline RawFile parse_raw(const std::vector<uint8_t>& file) {
  RawFile r;
  const uint64_t n = le64(file.data());
  r.header = json::parse(std::string(file.begin() + 8, file.begin() + 8 + static_cast<std::ptrdiff_t>(n)));
  r.data.assign(file.begin() + 8 + static_cast<std::ptrdiff_t>(n), file.end());
  return r;
}

// 8-byte length (correct unless overridden), header text, data.
inline std::vector<uint8_t> build_raw(const std::string& header_text, const std::vector<uint8_t>& data) {
  std::vector<uint8_t> out;
  put_le64(out, header_text.size());
  out.insert(out.end(), header_text.begin(), header_text.end());
  out.insert(out.end(), data.begin(), data.end());
  return out;
}
inline std::vector<uint8_t> build_raw(const RawFile& r) { return build_raw(r.header.dump(), r.data); }

inline json graph_of(const RawFile& r) { return json::parse(r.header["__metadata__"]["subbit.graph"].get<std::string>()); }
inline void set_graph(RawFile& r, const json& g) { r.header["__metadata__"]["subbit.graph"] = g.dump(); }
inline json& node_of(json& graph, const std::string& name) {
  for (auto& n : graph["nodes"])
    if (n["name"] == name) return n;
  throw std::runtime_error("test: no node " + name);
}

// Tensor-level view: every tensor's dtype, shape and bytes; relayout() writes them back with
// sequential offsets (sorted by name, as the JSON object is).
struct Blob {
  std::string dtype;
  json shape;
  std::vector<uint8_t> bytes;
};
inline std::map<std::string, Blob> tensors_of(const RawFile& r) {
  std::map<std::string, Blob> t;
  for (auto it = r.header.begin(); it != r.header.end(); ++it) {
    if (it.key() == "__metadata__") continue;
    const uint64_t b = it.value()["data_offsets"][0], e = it.value()["data_offsets"][1];
    t[it.key()] = Blob{it.value()["dtype"], it.value()["shape"],
                       std::vector<uint8_t>(r.data.begin() + static_cast<std::ptrdiff_t>(b), r.data.begin() + static_cast<std::ptrdiff_t>(e))};
  }
  return t;
}
inline RawFile relayout(const json& metadata, const std::map<std::string, Blob>& tensors) {
  RawFile r;
  r.header["__metadata__"] = metadata;
  for (const auto& [name, b] : tensors) {
    r.header[name] = {{"dtype", b.dtype}, {"shape", b.shape}, {"data_offsets", {r.data.size(), r.data.size() + b.bytes.size()}}};
    r.data.insert(r.data.end(), b.bytes.begin(), b.bytes.end());
  }
  return r;
}

// What a call throws: the subbit::Error message, or a marker for no / another exception.
template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const subbit::Error& e) {
    return e.what();
  } catch (const std::exception& e) {
    return std::string("<not a subbit::Error: ") + e.what() + ">";
  }
  return "<no error>";
}

// EXPECT that `stmt` throws subbit::Error whose what() contains every listed phrase.
#define EXPECT_SUBBIT_ERROR(stmt, ...)                                                                \
  do {                                                                                                \
    const std::string what_ = ::ct::error_of([&] { stmt; });                                          \
    for (const std::string& phrase_ : std::vector<std::string>{__VA_ARGS__})                          \
      EXPECT_NE(what_.find(phrase_), std::string::npos) << "message: " << what_ << "\nmissing: " << phrase_; \
  } while (0)

// ---- independent effective weights (docs/numerics.md sections 2 and 3) ----
inline int bit_at(const std::vector<uint8_t>& bytes, size_t byte_base, size_t n) { return (bytes.at(byte_base + n / 8) >> (n % 8)) & 1; }

inline std::vector<int> naive_effective(const QuantWeights& w) {
  const size_t cout = static_cast<size_t>(w.cout), k = static_cast<size_t>(w.k), numel = cout * k;
  std::vector<int> W(numel, 0);
  switch (w.scheme) {
    case Scheme::Int8:
      for (size_t n = 0; n < numel; ++n) W[n] = w.int8.at(n);
      return W;
    case Scheme::SignedBinary: {
      const size_t region = static_cast<size_t>(w.region), R = (k + region - 1) / region;
      for (size_t o = 0; o < cout; ++o)
        for (size_t kk = 0; kk < k; ++kk) {
          const int m = bit_at(w.mask, 0, o * k + kk);
          const int s = bit_at(w.signs, 0, o * R + kk / region) ? 1 : -1;
          W[o * k + kk] = w.alpha.at(o) * s * m;
        }
      return W;
    }
    case Scheme::Flexor: {
      const size_t n_in = static_cast<size_t>(w.flexor.n_in), n_out = static_cast<size_t>(w.flexor.n_out);
      const size_t S = (numel + n_out - 1) / n_out, plane = (S * n_in + 7) / 8;
      for (size_t i = 0; i < static_cast<size_t>(w.q); ++i)
        for (size_t s = 0; s < S; ++s) {
          std::vector<int> x(n_in);
          for (size_t c = 0; c < n_in; ++c) x[c] = bit_at(w.planes, i * plane, s * n_in + c);
          for (size_t r = 0; r < n_out; ++r) {
            const size_t n = s * n_out + r;
            if (n >= numel) continue;  // last-slice rule
            int y = 0;
            for (size_t c = 0; c < n_in; ++c) y ^= (w.flexor.matrix.at(static_cast<int>(r), static_cast<int>(c)) ? 1 : 0) & x[c];
            W[n] += w.alpha.at(i * cout + n / k) * (2 * y - 1);
          }
        }
      return W;
    }
    default: {  // binary, bcq, uniform, ternary: Σ_i α[i][o] · (2·bit − 1)
      const size_t plane = (numel + 7) / 8;
      for (size_t i = 0; i < static_cast<size_t>(w.q); ++i)
        for (size_t o = 0; o < cout; ++o)
          for (size_t kk = 0; kk < k; ++kk) W[o * k + kk] += w.alpha.at(i * cout + o) * (2 * bit_at(w.planes, i * plane, o * k + kk) - 1);
      return W;
    }
  }
}

// ---- random quantized weights of any scheme ----
struct WeightSpec {
  Scheme scheme = Scheme::Int8;
  int q = 1;  // bcq, uniform, flexor
  int region = 3;
  int n_in = 4, n_out = 6, n_tap = 2;
  XorFill fill = XorFill::Tap;
  bool explicit_matrix = false;
  uint64_t xor_seed = 7;
  int alpha_lo = 0, alpha_hi = 255;
  int int8_lo = -128, int8_hi = 127;
};

inline void random_bytes(std::vector<uint8_t>& v, size_t bytes, size_t bits, Rng& rng) {
  v.assign(bytes, 0);
  for (size_t n = 0; n < bits; ++n)
    if (rng.coin()) v[n / 8] |= static_cast<uint8_t>(1u << (n % 8));
}

inline QuantWeights random_weights(const WeightSpec& s, int cout, int k, Rng& rng) {
  QuantWeights w;
  w.scheme = s.scheme;
  w.cout = cout;
  w.k = k;
  const size_t numel = static_cast<size_t>(cout) * k;
  auto alphas = [&](int planes) {
    w.alpha.resize(static_cast<size_t>(planes) * cout);
    for (auto& a : w.alpha) a = static_cast<uint8_t>(rng.range(s.alpha_lo, s.alpha_hi));
  };
  auto planes = [&](size_t plane_bytes, size_t bits) {
    w.planes.clear();
    for (int i = 0; i < w.q; ++i) {
      std::vector<uint8_t> p;
      random_bytes(p, plane_bytes, bits, rng);
      w.planes.insert(w.planes.end(), p.begin(), p.end());
    }
  };
  switch (s.scheme) {
    case Scheme::Int8:
      w.int8.resize(numel);
      for (auto& v : w.int8) v = static_cast<int8_t>(rng.range(s.int8_lo, s.int8_hi));
      break;
    case Scheme::Binary:
    case Scheme::Bcq:
    case Scheme::Uniform:
    case Scheme::Ternary:
      w.q = s.scheme == Scheme::Binary ? 1 : s.scheme == Scheme::Ternary ? 2 : s.q;
      planes((numel + 7) / 8, numel);
      if (s.scheme == Scheme::Uniform) {
        w.alpha.resize(static_cast<size_t>(w.q) * cout);
        for (int i = 0; i < w.q; ++i)
          for (int o = 0; o < cout; ++o) w.alpha[static_cast<size_t>(i) * cout + o] = static_cast<uint8_t>(1u << i);
      } else {
        alphas(w.q);
        if (s.scheme == Scheme::Ternary)
          for (int o = 0; o < cout; ++o) w.alpha[static_cast<size_t>(cout) + o] = w.alpha[o];
      }
      break;
    case Scheme::SignedBinary: {
      w.region = std::min(s.region, k);
      const size_t R = (static_cast<size_t>(k) + w.region - 1) / w.region;
      random_bytes(w.mask, (numel + 7) / 8, numel, rng);
      random_bytes(w.signs, (cout * R + 7) / 8, cout * R, rng);
      alphas(1);
      break;
    }
    case Scheme::Flexor: {
      w.q = s.q;
      w.flexor = FlexorSpec::seeded(s.n_in, s.n_out, s.fill, s.n_tap, s.xor_seed);
      w.flexor.explicit_matrix = s.explicit_matrix;
      const size_t S = (numel + s.n_out - 1) / s.n_out;
      planes((S * s.n_in + 7) / 8, S * s.n_in);
      alphas(w.q);
      break;
    }
  }
  return w;
}

// A random spec of any scheme (flexor with random sizes and matrix source).
inline WeightSpec random_spec(Rng& rng) {
  WeightSpec s;
  s.scheme = static_cast<Scheme>(rng.range(0, 6));
  s.q = static_cast<int>(rng.range(1, 8));
  s.region = static_cast<int>(rng.range(1, 9));
  s.n_in = static_cast<int>(rng.range(1, 12));
  s.n_out = static_cast<int>(rng.range(s.n_in, s.n_in + 10));
  s.fill = rng.coin() ? XorFill::Tap : XorFill::Random;
  s.n_tap = static_cast<int>(rng.range(1, s.n_in));
  s.explicit_matrix = rng.range(0, 3) == 0;
  s.xor_seed = rng.next();
  return s;
}

// ---- activation types ----
inline ActType u(int bits) { return ActType{bits, false, 1.0 / 16}; }
inline ActType s(int bits) { return ActType{bits, true, 1.0 / 16}; }

// ---- hand-made networks ----
class NetBuilder {
 public:
  explicit NetBuilder(uint64_t seed = 1, std::string name = "hand") : rng(seed) { net.name = std::move(name); }
  Network net;
  Rng rng;

  int input(Shape shape, ActType t) {
    Node n;
    n.name = "input";
    n.op = Op::Input;
    n.shape = shape;
    n.out = t;
    return push(std::move(n));
  }
  // conv2d or linear with random weights of `spec` and per-channel requant (mult, bias, shift).
  int layer(const std::string& name, Op op, int in, int cout, const WeightSpec& spec, ActType out, int shift, bool relu,
            Window win = {}, int64_t mult_lo = 1, int64_t mult_hi = 1 << 10, int64_t bias_abs = 1 << 12) {
    Node n;
    n.name = name;
    n.op = op;
    n.inputs = {in};
    n.out = out;
    n.window = win;
    n.weights.cout = cout;
    const int idx = push(std::move(n));
    Node& L = net.nodes[static_cast<size_t>(idx)];
    const int k = L.weights.k;
    L.weights = random_weights(spec, cout, k, rng);
    L.rq.shift = shift;
    L.rq.relu = relu;
    for (int o = 0; o < cout; ++o) {
      L.rq.mult.push_back(static_cast<int32_t>(rng.range(mult_lo, mult_hi)));
      L.rq.bias.push_back(rng.range(-bias_abs, bias_abs));
    }
    return idx;
  }
  int simple(const std::string& name, Op op, std::vector<int> inputs) {
    Node n;
    n.name = name;
    n.op = op;
    n.inputs = std::move(inputs);
    return push(std::move(n));
  }
  int pool(const std::string& name, Op op, int in, Window win, int32_t mult = 1, int shift = 0, bool relu = false,
           ActType out = ActType{}) {
    Node n;
    n.name = name;
    n.op = op;
    n.inputs = {in};
    n.window = win;
    if (op == Op::AvgPool) {
      n.out = out;
      n.rq = Requant{{mult}, {0}, shift, relu};
    }
    return push(std::move(n));
  }
  int add(const std::string& name, int a, int b, int32_t mult_a, int32_t mult_b, int64_t bias, int shift, bool relu, ActType out) {
    Node n;
    n.name = name;
    n.op = Op::Add;
    n.inputs = {a, b};
    n.out = out;
    n.mult_a = mult_a;
    n.mult_b = mult_b;
    n.rq = Requant{{1}, {bias}, shift, relu};
    return push(std::move(n));
  }
  int requant(const std::string& name, int in, std::vector<int32_t> mult, std::vector<int64_t> bias, int shift, bool relu, ActType out) {
    Node n;
    n.name = name;
    n.op = Op::Requant;
    n.inputs = {in};
    n.out = out;
    n.rq = Requant{std::move(mult), std::move(bias), shift, relu};
    return push(std::move(n));
  }

 private:
  int push(Node n) {
    net.nodes.push_back(std::move(n));
    net.check_structure(net.nodes.size() - 1, "test");
    return static_cast<int>(net.nodes.size() - 1);
  }
};

// A random input within the input node's type.
inline std::vector<int16_t> random_values(const ActType& t, size_t n, Rng& rng) {
  std::vector<int16_t> x(n);
  for (auto& v : x) {
    if (t.is_signed && t.bits == 1) v = rng.coin() ? 1 : -1;
    else v = static_cast<int16_t>(rng.range(t.is_signed ? -(1 << (t.bits - 1)) : 0, t.is_signed ? (1 << (t.bits - 1)) - 1 : (1 << t.bits) - 1));
  }
  return x;
}

}  // namespace ct
