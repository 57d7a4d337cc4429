// Writes the generated seed corpora of tests/fuzz (docs/fuzzing.md): tiny valid network files in
// every weight scheme and operator, input tensor files and IDX image sets, in the input layouts of
// the fuzz targets. Built with the fuzz targets (build-fuzz/tests/fuzz/make_seeds); run it as
//   make_seeds tests/fuzz/corpus
// to regenerate corpus/{netfile,golden,input,idx}/gen-*. Deterministic (fixed seeds).
// Hand-written seeds (YAML configs, .stl snippets, near-valid files) and reproducers of
// findings sit beside them and are left alone.
#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "netfile/network.h"
#include "netfile/safetensors.h"
#include "netgen/netgen.h"
#include "quant/error.h"
#include "quant/prng.h"

using namespace subbit;

namespace {

std::string g_out;

std::vector<uint8_t> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

void write_file(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw Error(path + ": cannot write");
}

// A network file's bytes (save_network writes files only).
std::vector<uint8_t> network_bytes(const Network& net) {
  const std::string tmp = g_out + "/.make_seeds.tmp";
  save_network(tmp, net);
  std::vector<uint8_t> b = read_file(tmp);
  std::remove(tmp.c_str());
  return b;
}

void network_seed(const std::string& name, const Network& net) {
  const std::vector<uint8_t> b = network_bytes(net);
  write_file(g_out + "/netfile/gen-" + name + ".safetensors", b);
  write_file(g_out + "/golden/gen-" + name + ".safetensors", b);
  std::printf("  %-28s %6zu bytes, %lld MACs\n", name.c_str(), b.size(), static_cast<long long>(net.total_macs()));
}

// Small random weights of node n (K known) in its scheme.
void fill_weights(Node& n, SplitMix64& rng) {
  QuantWeights& w = n.weights;
  const int cout = w.cout;
  auto bits = [&](std::vector<uint8_t>& v, size_t bytes) {
    v.assign(bytes, 0);
    for (auto& b : v) b = static_cast<uint8_t>(rng.next());
  };
  auto alphas = [&](int planes) {
    w.alpha.resize(static_cast<size_t>(planes) * cout);
    for (auto& a : w.alpha) a = static_cast<uint8_t>(rng.range(1, 3));
  };
  switch (w.scheme) {
    case Scheme::Int8:
      w.int8.resize(w.numel());
      for (auto& v : w.int8) v = static_cast<int8_t>(rng.range(-3, 3));
      break;
    case Scheme::SignedBinary:
      w.region = std::min(2, w.k);
      bits(w.mask, w.plane_bytes());
      bits(w.signs, bytes_for_bits(static_cast<size_t>(cout) * w.regions_per_channel()));
      alphas(1);
      break;
    case Scheme::Flexor:
      w.q = 2;
      w.flexor = FlexorSpec::seeded(4, 5, XorFill::Tap, 2, 7);
      bits(w.planes, static_cast<size_t>(w.q) * w.encrypted_plane_bytes());
      alphas(w.q);
      break;
    default:
      w.q = w.scheme == Scheme::Binary ? 1 : w.scheme == Scheme::Ternary ? 2 : 3;
      bits(w.planes, static_cast<size_t>(w.q) * w.plane_bytes());
      alphas(w.q);
      if (w.scheme == Scheme::Uniform)
        for (int i = 0; i < w.q; ++i) std::fill_n(w.alpha.begin() + static_cast<size_t>(i) * cout, cout, static_cast<uint8_t>(1u << i));
      if (w.scheme == Scheme::Ternary) std::copy_n(w.alpha.begin(), cout, w.alpha.begin() + cout);
      break;
  }
  n.rq.mult.assign(cout, 1 << 10);
  n.rq.bias.assign(cout, 0);
  for (auto& b : n.rq.bias) b = rng.range(-1000, 1000);
  n.rq.shift = 12;
  n.rq.relu = !n.out.is_signed;
}

// Every operator on a 2x6x6 input: conv (int8) -> maxpool -> conv 1x1 (scheme) -> add ->
// requant -> relu -> avgpool -> flatten -> linear (scheme).
Network all_ops(Scheme scheme, uint64_t seed) {
  SplitMix64 rng(seed);
  Network net;
  net.name = std::string("all_ops_") + scheme_name(scheme);
  const ActType u8{8, false, 1.0 / 255}, s4{4, true, 1.0 / 7}, s8{8, true, 1.0 / 16};
  auto push = [&](Node n) {
    net.nodes.push_back(std::move(n));
    net.check_structure(net.nodes.size() - 1, "make_seeds");
    return static_cast<int>(net.nodes.size() - 1);
  };
  auto node = [](const char* name, Op op, std::vector<int> in) {
    Node n;
    n.name = name;
    n.op = op;
    n.inputs = std::move(in);
    return n;
  };
  Node in = node("input", Op::Input, {});
  in.shape = {2, 6, 6};
  in.out = u8;
  push(in);
  Node c1 = node("conv1", Op::Conv2d, {0});
  c1.window = Window{3, 3, 1, 1, 1, 1};
  c1.weights.cout = 3;
  c1.out = u8;
  const int i1 = push(c1);
  net.nodes[i1].weights.scheme = Scheme::Int8;
  fill_weights(net.nodes[i1], rng);
  Node mp = node("pool1", Op::MaxPool, {i1});
  mp.window = Window{2, 2, 2, 2, 0, 0};
  const int i2 = push(mp);
  Node c2 = node("conv2", Op::Conv2d, {i2});
  c2.window = Window{1, 1, 1, 1, 0, 0};
  c2.weights.cout = 3;
  c2.out = u8;
  const int i3 = push(c2);
  net.nodes[i3].weights.scheme = scheme;
  fill_weights(net.nodes[i3], rng);
  Node add = node("add", Op::Add, {i2, i3});
  add.out = u8;
  add.mult_a = 1 << 14;
  add.mult_b = 1 << 14;
  add.rq = Requant{{1}, {0}, 15, true};
  const int i4 = push(add);
  Node rq = node("requant", Op::Requant, {i4});
  rq.out = s4;
  rq.rq = Requant{{3000, 4000, 5000}, {-100, 0, 100}, 16, false};
  const int i5 = push(rq);
  const int i6 = push(node("relu", Op::Relu, {i5}));
  Node ap = node("avgpool", Op::AvgPool, {i6});
  ap.window = Window{3, 3, 1, 1, 0, 0};
  ap.out = u8;
  ap.rq = Requant{{7282}, {0}, 16, false};
  const int i7 = push(ap);
  const int i8 = push(node("flatten", Op::Flatten, {i7}));
  Node fc = node("fc", Op::Linear, {i8});
  fc.weights.cout = 4;
  fc.out = s8;
  const int i9 = push(fc);
  net.nodes[i9].weights.scheme = scheme;
  fill_weights(net.nodes[i9], rng);
  net.validate("make_seeds");
  return net;
}

Network fc(Scheme scheme, int act_bits, int q, bool explicit_matrix, XorFill fill) {
  NetgenOptions o;
  o.network = "fc";
  o.in_features = 16;
  o.out_features = 4;
  o.scheme = scheme;
  o.q = q;
  o.act_bits = act_bits;
  o.n_in = 4;
  o.n_out = 5;
  o.n_tap = 2;
  o.fill = fill;
  o.explicit_matrix = explicit_matrix;
  o.region = 3;
  return make_network(o);
}

// An input tensor file (tests/fuzz/fuzz_input.cpp's layout: network selector byte first).
void input_seed(const std::string& name, uint8_t selector, DType dtype, std::vector<int64_t> shape, const std::vector<int16_t>& values) {
  TensorToWrite t{"input", dtype, std::move(shape), {}};
  for (int16_t v : values) {
    if (dtype == DType::I16) {
      t.bytes.push_back(static_cast<uint8_t>(v & 0xff));
      t.bytes.push_back(static_cast<uint8_t>((v >> 8) & 0xff));
    } else {
      t.bytes.push_back(static_cast<uint8_t>(v));
    }
  }
  const std::string tmp = g_out + "/.make_seeds.tmp";
  write_safetensors(tmp, {}, {t});
  std::vector<uint8_t> b{selector};
  const std::vector<uint8_t> file = read_file(tmp);
  std::remove(tmp.c_str());
  b.insert(b.end(), file.begin(), file.end());
  write_file(g_out + "/input/gen-" + name + ".bin", b);
}

void be32(std::vector<uint8_t>& v, uint32_t x) {
  for (int s = 24; s >= 0; s -= 8) v.push_back(static_cast<uint8_t>(x >> s));
}

std::vector<uint8_t> gzip(const std::vector<uint8_t>& in) {
  z_stream z{};
  deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  std::vector<uint8_t> out(deflateBound(&z, in.size()) + 32);
  z.next_in = const_cast<Bytef*>(in.data());
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = out.data();
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

// An IDX pair in tests/fuzz/fuzz_idx.cpp's layout: flags, images length (LE), images, labels.
void idx_seed(const std::string& name, uint8_t flags, const std::vector<uint8_t>& images, const std::vector<uint8_t>& labels) {
  std::vector<uint8_t> b{flags};
  for (int s = 0; s < 32; s += 8) b.push_back(static_cast<uint8_t>(images.size() >> s));
  b.insert(b.end(), images.begin(), images.end());
  b.insert(b.end(), labels.begin(), labels.end());
  write_file(g_out + "/idx/gen-" + name + ".bin", b);
}

void idx_seeds() {
  SplitMix64 rng(5);
  auto images = [&](uint32_t count, uint32_t rows, uint32_t cols) {
    std::vector<uint8_t> v;
    be32(v, 0x803);
    be32(v, count);
    be32(v, rows);
    be32(v, cols);
    for (size_t i = 0; i < size_t{count} * rows * cols; ++i) v.push_back(static_cast<uint8_t>(rng.next()));
    return v;
  };
  auto labels = [&](uint32_t count) {
    std::vector<uint8_t> v;
    be32(v, 0x801);
    be32(v, count);
    for (uint32_t i = 0; i < count; ++i) v.push_back(static_cast<uint8_t>(rng.range(0, 9)));
    return v;
  };
  const auto img28 = images(2, 28, 28), lbl2 = labels(2);
  idx_seed("28x28_2", 0, img28, lbl2);
  idx_seed("28x28_2_limit1", 2 * 2, img28, lbl2);  // limit + 1 = 2
  idx_seed("28x28_2_gz", 1, gzip(img28), gzip(lbl2));
  idx_seed("28x28_2_files_plain", 1, img28, lbl2);
  idx_seed("3x4_3", 0, images(3, 3, 4), labels(3));
  idx_seed("32x32_1_gz", 1, gzip(images(1, 32, 32)), labels(1));
  idx_seed("empty_set", 0, images(0, 28, 28), labels(0));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_seeds CORPUS_DIR (tests/fuzz/corpus)\n");
    return 2;
  }
  g_out = argv[1];
  try {
    std::printf("networks (corpus/netfile, corpus/golden):\n");
    for (Scheme s : {Scheme::Int8, Scheme::Binary, Scheme::Bcq, Scheme::Uniform, Scheme::Ternary, Scheme::SignedBinary, Scheme::Flexor})
      network_seed(std::string("all_ops_") + scheme_name(s), all_ops(s, 11));
    network_seed("fc_binary_u8", fc(Scheme::Binary, 8, 1, false, XorFill::Tap));
    network_seed("fc_binary_s1", fc(Scheme::Binary, 1, 1, false, XorFill::Tap));
    network_seed("fc_bcq2_u4", fc(Scheme::Bcq, 4, 2, false, XorFill::Tap));
    network_seed("fc_uniform3_u8", fc(Scheme::Uniform, 8, 3, false, XorFill::Tap));
    network_seed("fc_ternary_u2", fc(Scheme::Ternary, 2, 2, false, XorFill::Tap));
    network_seed("fc_signed_binary_u8", fc(Scheme::SignedBinary, 8, 1, false, XorFill::Tap));
    network_seed("fc_flexor_tap_u8", fc(Scheme::Flexor, 8, 1, false, XorFill::Tap));
    network_seed("fc_flexor_random_explicit", fc(Scheme::Flexor, 8, 2, true, XorFill::Random));
    network_seed("fc_int8_s1", fc(Scheme::Int8, 1, 1, false, XorFill::Tap));

    std::printf("input tensors (corpus/input), idx sets (corpus/idx)\n");
    // The networks of fuzz_input.cpp: 0 fc u8 [16,1,1], 1 fc s1, 2 fc u4, 3 s8 [2,3,4], 4 u8 [1,28,28].
    std::vector<int16_t> v16(16), v24(24), v784(784);
    SplitMix64 rng(3);
    for (auto& v : v16) v = static_cast<int16_t>(rng.range(0, 255));
    input_seed("u8_i16", 0, DType::I16, {16, 1, 1}, v16);
    input_seed("u8_u8", 0, DType::U8, {16, 1, 1}, v16);
    for (auto& v : v16) v = rng.coin() ? 1 : -1;
    input_seed("s1_i8", 1, DType::I8, {16, 1, 1}, v16);
    for (auto& v : v16) v = static_cast<int16_t>(rng.range(0, 15));
    input_seed("u4_u8", 2, DType::U8, {16, 1, 1}, v16);
    for (auto& v : v24) v = static_cast<int16_t>(rng.range(-128, 127));
    input_seed("s8_i8", 3, DType::I8, {2, 3, 4}, v24);
    input_seed("s8_i16", 3, DType::I16, {2, 3, 4}, v24);
    for (auto& v : v784) v = static_cast<int16_t>(rng.range(0, 255));
    input_seed("u8_28x28", 4, DType::U8, {1, 28, 28}, v784);
    input_seed("u8_wrong_shape", 0, DType::U8, {4, 4, 1}, v16);  // near-valid: shape [4, 4, 1]
    idx_seeds();
  } catch (const Error& e) {
    std::fprintf(stderr, "make_seeds: %s\n", e.what());
    return 1;
  }
  return 0;
}
