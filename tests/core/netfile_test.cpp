// The network file: round trip, atomic writes, and a corpus of malformed files the loader must
// reject with a message naming the file and the problem (docs/network-format.md).
#include <gtest/gtest.h>

#include <filesystem>

#include "golden/golden.h"
#include "netfile/network.h"
#include "netfile/safetensors.h"
#include "netgen/netgen.h"
#include "util.h"

namespace {

using namespace subbit;
using ct::json;
using ct::RawFile;
namespace fs = std::filesystem;

// Every op and most schemes in a few hundred bytes of tensors.
Network hand_network() {
  ct::NetBuilder b(0x5EED0301, "hand");
  const int x = b.input({2, 6, 6}, ct::u(8));
  ct::WeightSpec int8;
  int8.int8_lo = -20, int8.int8_hi = 20;
  const int c1 = b.layer("conv1", Op::Conv2d, x, 3, int8, ct::u(8), 10, true, Window{3, 3, 1, 1, 1, 1});
  const int p1 = b.pool("pool1", Op::MaxPool, c1, Window{2, 2, 2, 2, 0, 0});
  ct::WeightSpec bcq;
  bcq.scheme = Scheme::Bcq;
  bcq.q = 2;
  bcq.alpha_hi = 20;
  const int c2 = b.layer("conv2", Op::Conv2d, p1, 4, bcq, ct::s(8), 12, false, Window{3, 3, 1, 1, 1, 1});
  const int rq = b.requant("rq", c2, {3, 5, 7, 9}, {-4, 0, 4, 8}, 3, false, ct::s(8));
  const int ad = b.add("add", c2, rq, 1 << 10, 3 << 9, 100, 11, true, ct::u(8));
  const int ap = b.pool("avg", Op::AvgPool, ad, Window{3, 3, 1, 1, 0, 0}, 7282, 16, false, ct::u(8));
  const int fl = b.simple("flatten", Op::Flatten, {ap});
  ct::WeightSpec fx;
  fx.scheme = Scheme::Flexor;
  fx.q = 2;
  fx.n_in = 3;
  fx.n_out = 7;
  fx.explicit_matrix = true;
  fx.alpha_hi = 40;
  const int f1 = b.layer("fc1", Op::Linear, fl, 5, fx, ct::s(4), 12, false);
  const int r1 = b.simple("relu", Op::Relu, {f1});
  ct::WeightSpec sb;
  sb.scheme = Scheme::SignedBinary;
  sb.region = 2;
  b.layer("fc2", Op::Linear, r1, 3, sb, ct::s(8), 6, false);
  b.net.validate("hand");
  return b.net;
}

class NetFile : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = scratch.path();
    good = dir + "/good.safetensors";
    save_network(good, hand_network());
    bytes = ct::read_bytes(good);
    raw = ct::parse_raw(bytes);
  }
  std::string put(const std::string& name, const std::vector<uint8_t>& b) {
    const std::string p = dir + "/" + name + ".safetensors";
    ct::write_bytes(p, b);
    return p;
  }
  std::string put(const std::string& name, const RawFile& r) { return put(name, ct::build_raw(r)); }
  // The good file with its graph edited.
  std::string with_graph(const std::string& name, const std::function<void(json&)>& edit) {
    RawFile r = raw;
    json g = ct::graph_of(r);
    edit(g);
    ct::set_graph(r, g);
    return put(name, r);
  }
  json& tensor_entry(RawFile& r, const std::string& name) { return r.header.at(name); }
  uint64_t begin_of(const RawFile& r, const std::string& name) const { return r.header.at(name)["data_offsets"][0]; }
  uint64_t end_of(const RawFile& r, const std::string& name) const { return r.header.at(name)["data_offsets"][1]; }
  // Name of the tensor stored last in the data section.
  std::string last_tensor(const RawFile& r) const {
    std::string best;
    uint64_t end = 0;
    for (auto it = r.header.begin(); it != r.header.end(); ++it)
      if (it.key() != "__metadata__" && it.value()["data_offsets"][1].get<uint64_t>() >= end) end = it.value()["data_offsets"][1], best = it.key();
    return best;
  }

  ct::ScratchDir scratch;
  std::string dir, good;
  std::vector<uint8_t> bytes;
  RawFile raw;
};

// ---- valid files ----
TEST_F(NetFile, GoodFileLoadsAndHeaderIsPadded) {
  const Network n = load_network(good);
  ASSERT_EQ(n.nodes.size(), 11u);
  EXPECT_EQ(n.name, "hand");
  EXPECT_EQ(n.output().shape, (Shape{3, 1, 1}));
  const uint64_t hlen = ct::le64(bytes.data());
  EXPECT_EQ((8 + hlen) % 8, 0u) << "data section aligned to 8 bytes";
  EXPECT_EQ(raw.header["__metadata__"]["subbit.format"], "1");
}

TEST_F(NetFile, RoundTripIsByteIdenticalAndSemanticallyEqual) {
  const Network a = hand_network();
  const Network b = load_network(good);
  const std::string again = dir + "/again.safetensors";
  save_network(again, b);
  EXPECT_EQ(ct::read_bytes(again), bytes);
  ASSERT_EQ(a.nodes.size(), b.nodes.size());
  for (size_t i = 0; i < a.nodes.size(); ++i) {
    const Node &x = a.nodes[i], &y = b.nodes[i];
    EXPECT_EQ(x.name, y.name);
    EXPECT_EQ(x.op, y.op);
    EXPECT_EQ(x.inputs, y.inputs);
    EXPECT_EQ(x.shape, y.shape) << x.name;
    EXPECT_TRUE(x.out.same_values(y.out));
    EXPECT_EQ(x.out.scale, y.out.scale);
    EXPECT_EQ(x.rq.mult, y.rq.mult);
    EXPECT_EQ(x.rq.bias, y.rq.bias);
    EXPECT_EQ(x.rq.shift, y.rq.shift);
    EXPECT_EQ(x.rq.relu, y.rq.relu);
    EXPECT_EQ(x.mult_a, y.mult_a);
    EXPECT_EQ(x.mult_b, y.mult_b);
    if (x.has_weights()) {
      EXPECT_EQ(x.weights.scheme, y.weights.scheme);
      EXPECT_EQ(x.weights.effective(), y.weights.effective()) << x.name;
      EXPECT_EQ(x.weights.stored_bytes(), y.weights.stored_bytes());
    }
  }
  // Same inference result.
  GoldenModel ga(a), gb(b);
  ct::Rng rng(3);
  const auto in = ct::random_values(a.input().out, a.input().shape.numel(), rng);
  ga.run(in.data());
  gb.run(in.data());
  EXPECT_EQ(ga.output(), gb.output());
}

TEST_F(NetFile, RoundTripOfEveryNetgenSchemeAndMatrixSource) {
  struct Case {
    const char* network;
    Scheme scheme;
    int q;
    XorFill fill;
    bool explicit_matrix;
    int act_bits;
  };
  const Case cases[] = {
      {"lenet5", Scheme::Int8, 1, XorFill::Tap, false, 8},          {"lenet5", Scheme::Binary, 1, XorFill::Tap, false, 1},
      {"lenet5", Scheme::Bcq, 3, XorFill::Tap, false, 4},           {"lenet5", Scheme::Uniform, 4, XorFill::Tap, false, 8},
      {"lenet5", Scheme::Ternary, 2, XorFill::Tap, false, 2},       {"lenet5", Scheme::SignedBinary, 1, XorFill::Tap, false, 8},
      {"lenet5", Scheme::Flexor, 2, XorFill::Tap, false, 8},        {"lenet5", Scheme::Flexor, 1, XorFill::Random, false, 8},
      {"lenet5", Scheme::Flexor, 3, XorFill::Random, true, 8},      {"resnet20", Scheme::Flexor, 1, XorFill::Tap, true, 8},
      {"mlp", Scheme::Ternary, 2, XorFill::Tap, false, 8},
  };
  for (const Case& c : cases) {
    NetgenOptions o;
    o.network = c.network;
    o.scheme = c.scheme;
    o.q = c.q;
    o.fill = c.fill;
    o.explicit_matrix = c.explicit_matrix;
    o.act_bits = c.act_bits;
    o.int8_first_last = c.scheme == Scheme::Binary;  // quantize every layer in the others
    o.xor_seed = 0xFFFFFFFFFFFFFFF1ULL;  // a seed beyond 2^63 must survive JSON
    o.seed = 11;
    const std::string p1 = dir + "/a.safetensors", p2 = dir + "/b.safetensors";
    save_network(p1, make_network(o));
    const Network loaded = load_network(p1);
    save_network(p2, loaded);
    EXPECT_EQ(ct::read_bytes(p1), ct::read_bytes(p2)) << c.network << " " << scheme_name(c.scheme);
    for (const Node& n : loaded.nodes)
      if (n.has_weights() && n.weights.scheme == Scheme::Flexor) {
        EXPECT_EQ(n.weights.flexor.explicit_matrix, o.explicit_matrix);
        if (!o.explicit_matrix) {
          EXPECT_EQ(n.weights.flexor.seed, o.xor_seed);  // an explicit matrix stores no seed
        }
        EXPECT_EQ(n.weights.flexor.matrix, XorMatrix::generate(o.n_out, o.n_in, o.fill, o.n_tap, o.xor_seed));
      }
  }
}

TEST_F(NetFile, PerTensorRequantRoundTrips) {
  ct::NetBuilder b(5, "pt");
  const int x = b.input({3, 2, 2}, ct::s(8));
  b.requant("rq", x, {3}, {-7}, 2, false, ct::s(4));
  const std::string p = dir + "/pt.safetensors";
  save_network(p, b.net);
  const Network n = load_network(p);
  EXPECT_EQ(n.output().rq.mult, std::vector<int32_t>{3});
  const std::string p2 = dir + "/pt2.safetensors";
  save_network(p2, n);
  EXPECT_EQ(ct::read_bytes(p), ct::read_bytes(p2));
}

// ---- atomic writes ----
TEST_F(NetFile, SaveIntoMissingDirectoryThrowsAndLeavesNothing) {
  const std::string p = dir + "/no/such/dir/x.safetensors";
  const auto before = std::distance(fs::directory_iterator(dir), fs::directory_iterator());
  EXPECT_SUBBIT_ERROR(save_network(p, hand_network()), p);
  EXPECT_FALSE(fs::exists(dir + "/no"));
  EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator()), before);
}

TEST_F(NetFile, FailedWriteLeavesTheExistingFileIntact) {
  const std::string p = dir + "/keep.safetensors";
  ct::write_bytes(p, {'o', 'l', 'd'});
  fs::create_directory(p + ".tmp");  // the temporary cannot be created
  EXPECT_SUBBIT_ERROR(save_network(p, hand_network()), p);
  EXPECT_EQ(ct::read_bytes(p), (std::vector<uint8_t>{'o', 'l', 'd'}));
  fs::remove(p + ".tmp");
  // An invalid network is refused before anything is written.
  Network bad = hand_network();
  bad.nodes[1].rq.shift = 63;
  EXPECT_SUBBIT_ERROR(save_network(p, bad), p, "shift");
  EXPECT_EQ(ct::read_bytes(p), (std::vector<uint8_t>{'o', 'l', 'd'}));
  EXPECT_FALSE(fs::exists(p + ".tmp"));
  // Renaming onto a directory fails: the temporary is removed again.
  const std::string d = dir + "/adir";
  fs::create_directory(d);
  fs::create_directory(d + "/inside");
  EXPECT_SUBBIT_ERROR(save_network(d, hand_network()), d);
  EXPECT_FALSE(fs::exists(d + ".tmp"));
  EXPECT_TRUE(fs::is_directory(d + "/inside"));
  // A good write replaces the file and leaves no temporary.
  save_network(p, hand_network());
  EXPECT_EQ(ct::read_bytes(p), bytes);
  EXPECT_FALSE(fs::exists(p + ".tmp"));
}

TEST_F(NetFile, MissingFileAndDirectory) {
  EXPECT_SUBBIT_ERROR(load_network(dir + "/absent.safetensors"), dir + "/absent.safetensors", "no such file, expected a network file");
  // A directory opens as a stream on Linux but has no size: the loader must say so instead of
  // reading an uninitialized header length.
  EXPECT_SUBBIT_ERROR(load_network(dir), dir + ": is a directory, expected a network file (.safetensors)");
}

// ---- container ----
TEST_F(NetFile, TruncatedInsideTheLength) {
  for (size_t cut : {0, 1, 4, 7}) {
    const std::string p = put("cut" + std::to_string(cut), std::vector<uint8_t>(bytes.begin(), bytes.begin() + cut));
    EXPECT_SUBBIT_ERROR(load_network(p), p, "too short for a safetensors header length");
  }
}

TEST_F(NetFile, TruncatedInsideTheHeader) {
  const size_t hlen = ct::le64(bytes.data());
  for (size_t cut : {size_t{8}, size_t{9}, 8 + hlen / 2, 8 + hlen - 1}) {
    const std::string p = put("cut" + std::to_string(cut), std::vector<uint8_t>(bytes.begin(), bytes.begin() + cut));
    EXPECT_SUBBIT_ERROR(load_network(p), p, "header length " + std::to_string(hlen) + " exceeds", "truncated");
  }
}

TEST_F(NetFile, TruncatedInsideTheData) {
  const size_t hlen = ct::le64(bytes.data());
  const size_t end = bytes.size();
  {
    const std::string p = put("cut_last", std::vector<uint8_t>(bytes.begin(), bytes.end() - 1));
    EXPECT_SUBBIT_ERROR(load_network(p), p, "tensor '" + last_tensor(raw) + "'", "beyond the data section");
  }
  for (size_t cut : {8 + hlen, 8 + hlen + 1, (8 + hlen + end) / 2, end - 8}) {
    const std::string p = put("cut" + std::to_string(cut), std::vector<uint8_t>(bytes.begin(), bytes.begin() + cut));
    const std::string what = ct::error_of([&] { load_network(p); });
    EXPECT_NE(what.find(p + ": tensor '"), std::string::npos) << what;
    EXPECT_TRUE(what.find("beyond the data section") != std::string::npos || what.find("holds more elements") != std::string::npos) << what;
  }
}

TEST_F(NetFile, HeaderLengthLargerThanTheFile) {
  std::vector<uint8_t> b = bytes;
  const uint64_t big = b.size() - 7;  // one more than the bytes after the length
  for (int i = 0; i < 8; ++i) b[i] = static_cast<uint8_t>(big >> (8 * i));
  const std::string p = put("hlen", b);
  EXPECT_SUBBIT_ERROR(load_network(p), p, "header length " + std::to_string(big) + " exceeds the " + std::to_string(b.size() - 8) + " bytes");
}

TEST_F(NetFile, HugeHeaderLengthIsRejectedWithoutAllocating) {
  for (uint64_t len : {uint64_t{1} << 63, ~uint64_t{0}, uint64_t{1} << 40}) {
    std::vector<uint8_t> b = bytes;
    for (int i = 0; i < 8; ++i) b[i] = static_cast<uint8_t>(len >> (8 * i));
    const std::string p = put("huge", b);
    ct::AllocProbe probe;
    EXPECT_SUBBIT_ERROR(load_network(p), p, "header length " + std::to_string(len) + " exceeds");
    EXPECT_LT(probe.largest(), 64u * 1024) << "allocated " << probe.largest() << " bytes";
  }
}

TEST_F(NetFile, HeaderLengthOverTheLimitIsRejectedWithoutAllocating) {
  // A sparse file of 64 MiB + 24 bytes whose header length claims 64 MiB + 1.
  const uint64_t len = (uint64_t{64} << 20) + 1;
  std::vector<uint8_t> b(bytes.begin(), bytes.begin() + 16);
  for (int i = 0; i < 8; ++i) b[i] = static_cast<uint8_t>(len >> (8 * i));
  const std::string p = put("limit", b);
  fs::resize_file(p, 8 + len + 15);
  ct::AllocProbe probe;
  EXPECT_SUBBIT_ERROR(load_network(p), p, "header length " + std::to_string(len) + " exceeds the 64 MiB limit");
  EXPECT_LT(probe.largest(), 1u << 20);
  fs::remove(p);
}

TEST_F(NetFile, HeaderIsNotJson) {
  const std::string text = "{\"__metadata__\": {\"subbit.format\": \"1\"";  // cut short
  std::string p = put("notjson", ct::build_raw(text, raw.data));
  EXPECT_SUBBIT_ERROR(load_network(p), p, "header is not valid JSON");
  p = put("array", ct::build_raw("[1, 2, 3]", {}));
  EXPECT_SUBBIT_ERROR(load_network(p), p, "header must be a JSON object");
  p = put("empty", ct::build_raw("", {}));
  EXPECT_SUBBIT_ERROR(load_network(p), p, "not valid JSON");
}

// Fuzzing regression (tests/fuzz/corpus/input/regress-json-number-overflow): a JSON number beyond
// double made nlohmann::json throw out_of_range, not parse_error, and it escaped as a non-subbit error.
TEST_F(NetFile, NumberBeyondDoubleIsNotValidJson) {
  std::string p = put("hugenum", ct::build_raw("4400000000e00088888888", {}));
  EXPECT_SUBBIT_ERROR(load_network(p), p, "header is not valid JSON");
  RawFile r = raw;
  r.header["__metadata__"]["subbit.graph"] = "{\"name\": 1e999}";
  p = put("hugegraph", r);
  EXPECT_SUBBIT_ERROR(load_network(p), p, "metadata 'subbit.graph' is not valid JSON");
}

// The in-memory entry points (fuzzing) give what the file loader gives, errors included.
TEST_F(NetFile, InMemoryParseMatchesTheFileLoader) {
  const Network a = load_network(good), b = parse_network(bytes.data(), bytes.size(), good);
  ASSERT_EQ(a.nodes.size(), b.nodes.size());
  for (size_t i = 0; i < a.nodes.size(); ++i) {
    EXPECT_EQ(a.nodes[i].name, b.nodes[i].name);
    EXPECT_EQ(a.nodes[i].shape, b.nodes[i].shape);
    EXPECT_EQ(a.nodes[i].weights.effective(), b.nodes[i].weights.effective());
  }
  std::vector<uint8_t> cut(bytes.begin(), bytes.end() - 1);
  const std::string p = put("cut", cut);
  EXPECT_SUBBIT_ERROR(parse_network(cut.data(), cut.size(), p), p, "is beyond the data section");
  EXPECT_SUBBIT_ERROR(load_network(p), p, "is beyond the data section");
  EXPECT_SUBBIT_ERROR(parse_network(bytes.data(), 7, "short"), "short", "too short for a safetensors header length");
}

TEST_F(NetFile, OverlappingOffsets) {
  // The tensor stored after conv1.bias starts one byte early (and ends one byte early).
  RawFile r = raw;
  const uint64_t e = end_of(r, "conv1.bias");
  std::string next;
  for (auto it = r.header.begin(); it != r.header.end(); ++it)
    if (it.key() != "__metadata__" && it.value()["data_offsets"][0] == e) next = it.key();
  ASSERT_FALSE(next.empty());
  tensor_entry(r, next)["data_offsets"] = {e - 1, end_of(r, next) - 1};
  const std::string p = put("overlap", r);
  EXPECT_SUBBIT_ERROR(load_network(p), p, "tensor '" + next + "' overlaps tensor 'conv1.bias'");
}

TEST_F(NetFile, OffsetsOutOfRange) {
  RawFile r = raw;
  const std::string last = last_tensor(r);
  tensor_entry(r, last)["data_offsets"] = {begin_of(r, last) + 8, end_of(r, last) + 8};
  std::string p = put("range", r);
  EXPECT_SUBBIT_ERROR(load_network(p), p, "tensor '" + last + "'", "beyond the data section");
  // begin > end
  r = raw;
  tensor_entry(r, last)["data_offsets"] = {end_of(r, last), begin_of(r, last)};
  p = put("reversed", r);
  EXPECT_SUBBIT_ERROR(load_network(p), p, "begin > end");
  // span does not match dtype and shape
  r = raw;
  tensor_entry(r, "conv1.mult")["data_offsets"] = {begin_of(r, "conv1.mult"), end_of(r, "conv1.mult") - 4};
  p = put("span", r);
  EXPECT_SUBBIT_ERROR(load_network(p), p, "tensor 'conv1.mult': data_offsets span 8 bytes, but dtype I32 and shape [3] need 12");
  // negative offsets
  r = raw;
  tensor_entry(r, "conv1.mult")["data_offsets"] = {-4, 8};
  p = put("negative", r);
  EXPECT_SUBBIT_ERROR(load_network(p), p, "data_offsets must be [begin, end] with non-negative integers");
}

TEST_F(NetFile, HoleInTheDataSection) {
  RawFile r = raw;
  const uint64_t at = begin_of(r, "conv2.planes");
  for (auto it = r.header.begin(); it != r.header.end(); ++it)
    if (it.key() != "__metadata__" && it.value()["data_offsets"][0].get<uint64_t>() >= at)
      it.value()["data_offsets"] = {it.value()["data_offsets"][0].get<uint64_t>() + 4, it.value()["data_offsets"][1].get<uint64_t>() + 4};
  r.data.insert(r.data.begin() + static_cast<std::ptrdiff_t>(at), 4, 0);
  const std::string p = put("hole", r);
  EXPECT_SUBBIT_ERROR(load_network(p), p, "hole of 4 bytes before tensor 'conv2.planes'");
}

TEST_F(NetFile, TrailingBytes) {
  std::vector<uint8_t> b = bytes;
  b.push_back(0);
  const std::string p = put("trailing", b);
  EXPECT_SUBBIT_ERROR(load_network(p), p, "trailing bytes");
}

TEST_F(NetFile, WrongDtype) {
  RawFile r = raw;
  tensor_entry(r, "conv1.weight")["dtype"] = "U8";
  std::string p = put("dtype", r);
  EXPECT_SUBBIT_ERROR(load_network(p), p, "node 'conv1'", "tensor 'conv1.weight' is U8 [3,18], expected I8 [3,18]");
  r = raw;
  tensor_entry(r, "conv1.weight")["dtype"] = "BF16";
  p = put("dtype2", r);
  EXPECT_SUBBIT_ERROR(load_network(p), p, "dtype \"BF16\" is not one of");
  // I32 bias instead of I64: rebuild with the bytes narrowed.
  auto t = ct::tensors_of(raw);
  ct::Blob& bias = t.at("conv2.bias");
  std::vector<uint8_t> narrow;
  for (size_t i = 0; i < bias.bytes.size(); i += 8) narrow.insert(narrow.end(), bias.bytes.begin() + i, bias.bytes.begin() + i + 4);
  bias = ct::Blob{"I32", bias.shape, narrow};
  p = put("dtype3", ct::relayout(raw.header["__metadata__"], t));
  EXPECT_SUBBIT_ERROR(load_network(p), p, "tensor 'conv2.bias' is I32 [4], expected I64 [4]");
}

TEST_F(NetFile, ShapeMismatch) {
  // conv2 bcq planes one byte short: [2, 5] instead of [2, 6] (K = 27, Cout = 4, n = 108 bits -> 14 bytes?)
  auto t = ct::tensors_of(raw);
  ct::Blob& planes = t.at("conv2.planes");
  const int64_t pb = planes.shape[1];
  std::vector<uint8_t> shorter;
  for (int i = 0; i < 2; ++i) shorter.insert(shorter.end(), planes.bytes.begin() + i * pb, planes.bytes.begin() + (i + 1) * pb - 1);
  planes = ct::Blob{"U8", {2, pb - 1}, shorter};
  std::string p = put("planes", ct::relayout(raw.header["__metadata__"], t));
  EXPECT_SUBBIT_ERROR(load_network(p), p, "node 'conv2'", "field 'planes'",
                      "is U8 [2," + std::to_string(pb - 1) + "], expected U8 [2," + std::to_string(pb) + "]");
  // Same bytes, wrong rank.
  t = ct::tensors_of(raw);
  t.at("conv1.weight").shape = {54};
  p = put("rank", ct::relayout(raw.header["__metadata__"], t));
  EXPECT_SUBBIT_ERROR(load_network(p), p, "is I8 [54], expected I8 [3,18]");
}

TEST_F(NetFile, Lenet5ConvWeightOneColumnShort) {
  NetgenOptions o;
  o.scheme = Scheme::Binary;  // conv1 stays int8: [32, 25]
  save_network(dir + "/lenet.safetensors", make_network(o));
  const RawFile lr = ct::parse_raw(ct::read_bytes(dir + "/lenet.safetensors"));
  auto t = ct::tensors_of(lr);
  ct::Blob& w = t.at("conv1.weight");
  ASSERT_EQ(w.shape, json({32, 25}));
  std::vector<uint8_t> b;
  for (int o2 = 0; o2 < 32; ++o2) b.insert(b.end(), w.bytes.begin() + o2 * 25, w.bytes.begin() + o2 * 25 + 24);
  w = ct::Blob{"I8", {32, 24}, b};
  const std::string p = put("lenet_short", ct::relayout(lr.header["__metadata__"], t));
  EXPECT_SUBBIT_ERROR(load_network(p), p, "node 'conv1'", "tensor 'conv1.weight' is I8 [32,24], expected I8 [32,25]");
}

TEST_F(NetFile, HugeShapeIsRejectedWithoutAllocating) {
  for (const json& shape : {json({uint64_t{1} << 40, uint64_t{1} << 40}), json({4096, 4096, 4096, 4096}), json({1, uint64_t{1} << 63}),
                            json({~uint64_t{0}})}) {
    RawFile r = raw;
    tensor_entry(r, "conv1.weight")["shape"] = shape;
    const std::string p = put("huge_shape", r);
    ct::AllocProbe probe;
    EXPECT_SUBBIT_ERROR(load_network(p), p, "tensor 'conv1.weight': shape " + shape.dump() + " holds more elements than the file's");
    EXPECT_LT(probe.largest(), 64u * 1024) << shape.dump();
  }
  RawFile r = raw;
  tensor_entry(r, "conv1.weight")["shape"] = {3, -18};
  const std::string p = put("neg_shape", r);
  EXPECT_SUBBIT_ERROR(load_network(p), p, "shape must be an array of non-negative integers");
}

TEST_F(NetFile, MetadataKeysAndVersion) {
  RawFile r = raw;
  r.header["__metadata__"].erase("subbit.graph");
  std::string p = put("nograph", r);
  EXPECT_SUBBIT_ERROR(load_network(p), p, "metadata key 'subbit.graph' is missing");
  r = raw;
  r.header.erase("__metadata__");
  p = put("nometa", r);
  EXPECT_SUBBIT_ERROR(load_network(p), p, "metadata key 'subbit.format' is missing");
  r = raw;
  r.header["__metadata__"]["subbit.format"] = "2";
  p = put("v2", r);
  EXPECT_SUBBIT_ERROR(load_network(p), p, "'subbit.format' is \"2\", expected \"1\"");
  r = raw;
  r.header["__metadata__"]["subbit.format"] = 1;
  p = put("vnum", r);
  EXPECT_SUBBIT_ERROR(load_network(p), p, "__metadata__['subbit.format'] must be a string");
  r = raw;
  r.header["__metadata__"]["subbit.graph"] = "{\"name\": ";
  p = put("badgraph", r);
  EXPECT_SUBBIT_ERROR(load_network(p), p, "metadata 'subbit.graph' is not valid JSON");
}

// ---- graph ----
TEST_F(NetFile, DanglingEdges) {
  std::string p = with_graph("later", [](json& g) { ct::node_of(g, "conv2")["inputs"] = {"add"}; });
  EXPECT_SUBBIT_ERROR(load_network(p), p, "node 'conv2'", "'add' is not defined by an earlier node (dangling edge)");
  p = with_graph("unknown", [](json& g) { ct::node_of(g, "relu")["inputs"] = {"nosuch"}; });
  EXPECT_SUBBIT_ERROR(load_network(p), p, "node 'relu'", "'nosuch' is not defined", "dangling");
  p = with_graph("self", [](json& g) { ct::node_of(g, "relu")["inputs"] = {"relu"}; });
  EXPECT_SUBBIT_ERROR(load_network(p), p, "node 'relu'", "dangling");
  p = with_graph("notstring", [](json& g) { ct::node_of(g, "relu")["inputs"] = {3}; });
  EXPECT_SUBBIT_ERROR(load_network(p), p, "node 'relu'", "expected an array of node names");
}

TEST_F(NetFile, UnknownOp) {
  const std::string p = with_graph("op", [](json& g) { ct::node_of(g, "relu")["op"] = "gelu"; });
  EXPECT_SUBBIT_ERROR(load_network(p), p, "node 'relu'", "unknown operator 'gelu'");
}

TEST_F(NetFile, UnknownFields) {
  struct Edit {
    const char* name;
    std::function<void(json&)> edit;
    std::string phrase;
  };
  const std::vector<Edit> edits = {
      {"node", [](json& g) { ct::node_of(g, "conv1")["strides"] = {1, 1}; }, "node 'conv1': field 'strides': unknown field"},
      {"weights", [](json& g) { ct::node_of(g, "conv2")["weights"]["alpah"] = "x"; }, "field 'weights': field 'alpah': unknown field"},
      {"requant", [](json& g) { ct::node_of(g, "conv1")["requant"]["round"] = "half_up"; }, "field 'requant': field 'round': unknown field"},
      {"out", [](json& g) { ct::node_of(g, "conv1")["out"]["zero_point"] = 0; }, "field 'out': field 'zero_point': unknown field"},
      {"graph", [](json& g) { g["version"] = 1; }, "graph: field 'version': unknown field"},
      {"matrix", [](json& g) { ct::node_of(g, "fc1")["weights"]["matrix"]["seed"] = 1; }, "field 'matrix': field 'seed': unknown field"},
      {"relu_out", [](json& g) { ct::node_of(g, "relu")["out"] = {{"bits", 8}, {"scale", 1.0}}; }, "node 'relu': field 'out': unknown field"},
      {"avg_bias", [](json& g) { ct::node_of(g, "avg")["bias"] = 0; }, "node 'avg': field 'bias': unknown field"},
      {"input_inputs", [](json& g) { ct::node_of(g, "input")["inputs"] = json::array(); }, "node 'input': field 'inputs': unknown field"},
      {"int8_q", [](json& g) { ct::node_of(g, "conv1")["weights"]["q"] = 1; }, "field 'q': unknown field"},
  };
  for (const Edit& e : edits) {
    const std::string p = with_graph(std::string("unknown_") + e.name, e.edit);
    EXPECT_SUBBIT_ERROR(load_network(p), p, e.phrase);
  }
}

TEST_F(NetFile, MissingFields) {
  struct Edit {
    const char* name;
    std::function<void(json&)> edit;
    std::string phrase;
  };
  const std::vector<Edit> edits = {
      {"stride", [](json& g) { ct::node_of(g, "conv1").erase("stride"); }, "node 'conv1': field 'stride': missing"},
      {"out", [](json& g) { ct::node_of(g, "conv2").erase("out"); }, "node 'conv2': field 'out': missing"},
      {"weights", [](json& g) { ct::node_of(g, "conv2").erase("weights"); }, "node 'conv2': field 'weights': missing"},
      {"shift", [](json& g) { ct::node_of(g, "fc2")["requant"].erase("shift"); }, "field 'shift': missing"},
      {"alpha", [](json& g) { ct::node_of(g, "fc2")["weights"].erase("alpha"); }, "field 'alpha': missing"},
      {"mult_b", [](json& g) { ct::node_of(g, "add").erase("mult_b"); }, "node 'add': field 'mult_b': missing"},
      {"scale", [](json& g) { ct::node_of(g, "input")["out"].erase("scale"); }, "field 'scale': missing"},
      {"shape", [](json& g) { ct::node_of(g, "input").erase("shape"); }, "node 'input': field 'shape': missing"},
      {"op", [](json& g) { ct::node_of(g, "relu").erase("op"); }, "node 'relu': field 'op': missing"},
      {"nodes", [](json& g) { g.erase("nodes"); }, "graph: field 'nodes': missing"},
      {"name", [](json& g) { g["nodes"][3].erase("name"); }, "node 3: field 'name': expected a string"},
  };
  for (const Edit& e : edits) {
    const std::string p = with_graph(std::string("missing_") + e.name, e.edit);
    EXPECT_SUBBIT_ERROR(load_network(p), p, e.phrase);
  }
}

TEST_F(NetFile, BadFieldValues) {
  struct Edit {
    const char* name;
    std::function<void(json&)> edit;
    std::string phrase;
  };
  const std::vector<Edit> edits = {
      {"shift63", [](json& g) { ct::node_of(g, "conv1")["requant"]["shift"] = 63; }, "field 'shift': expected an integer in [0, 62], got 63"},
      {"shift-1", [](json& g) { ct::node_of(g, "add")["shift"] = -1; }, "node 'add': field 'shift': expected an integer in [0, 62], got -1"},
      {"avgshift", [](json& g) { ct::node_of(g, "avg")["shift"] = 100; }, "node 'avg': field 'shift'"},
      {"shiftfloat", [](json& g) { ct::node_of(g, "conv1")["requant"]["shift"] = 3.5; }, "field 'shift': expected an integer, got 3.5"},
      {"bits9", [](json& g) { ct::node_of(g, "conv1")["out"]["bits"] = 9; }, "field 'bits': expected an integer in [1, 8], got 9"},
      {"bits0", [](json& g) { ct::node_of(g, "input")["out"]["bits"] = 0; }, "field 'bits': expected an integer in [1, 8], got 0"},
      {"scale0", [](json& g) { ct::node_of(g, "conv1")["out"]["scale"] = 0; }, "field 'scale': expected a positive number"},
      {"signed", [](json& g) { ct::node_of(g, "conv1")["out"]["signed"] = "no"; }, "field 'signed': expected true or false"},
      {"relu", [](json& g) { ct::node_of(g, "conv1")["requant"]["relu"] = 1; }, "field 'relu': expected true or false"},
      {"addbias", [](json& g) { ct::node_of(g, "add")["bias"] = (int64_t{1} << 61) + 1; }, "node 'add': field 'bias': expected an integer in"},
      {"multa", [](json& g) { ct::node_of(g, "add")["mult_a"] = int64_t{1} << 31; }, "node 'add': field 'mult_a': expected an integer in"},
      {"avgmult", [](json& g) { ct::node_of(g, "avg")["mult"] = -(int64_t{1} << 31) - 1; }, "node 'avg': field 'mult'"},
      {"q9", [](json& g) { ct::node_of(g, "conv2")["weights"]["q"] = 9; }, "field 'q': expected an integer in [1, 8], got 9"},
      {"scheme", [](json& g) { ct::node_of(g, "conv2")["weights"]["scheme"] = "bcq4"; }, "unknown weight scheme 'bcq4'"},
      {"ternary", [](json& g) { ct::node_of(g, "conv2")["weights"]["scheme"] = "ternary"; }, "node 'conv2' (conv2d): ternary weights need alpha[0]["},
      {"uniform", [](json& g) { ct::node_of(g, "conv2")["weights"]["scheme"] = "uniform"; }, "node 'conv2' (conv2d): uniform weights need alpha["},
      {"binary", [](json& g) { ct::node_of(g, "conv2")["weights"]["scheme"] = "binary"; }, "binary weights have q = 1, got 2"},
      {"region0", [](json& g) { ct::node_of(g, "fc2")["weights"]["region"] = 0; }, "field 'region': expected an integer in [1, 5], got 0"},
      {"region6", [](json& g) { ct::node_of(g, "fc2")["weights"]["region"] = 6; }, "field 'region': expected an integer in [1, 5], got 6"},
      {"n_out", [](json& g) { ct::node_of(g, "fc1")["weights"]["n_out"] = 2; }, "field 'n_out': expected an integer in [3, 64], got 2"},
      {"n_in", [](json& g) { ct::node_of(g, "fc1")["weights"]["n_in"] = 33; }, "field 'n_in': expected an integer in [1, 32], got 33"},
      {"padding", [](json& g) { ct::node_of(g, "conv1")["padding"] = {3, 1}; }, "node 'conv1' (conv2d): padding must be in [0, kernel - 1]"},
      {"stride0", [](json& g) { ct::node_of(g, "pool1")["stride"] = {0, 1}; }, "node 'pool1': field 'stride': expected values in [1, 1024]"},
      {"kernel3", [](json& g) { ct::node_of(g, "pool1")["kernel"] = {2, 2, 2}; }, "field 'kernel': expected [a, b]"},
      {"cout0", [](json& g) { ct::node_of(g, "conv1")["out_channels"] = 0; }, "field 'out_channels': expected an integer in [1,"},
      {"arity", [](json& g) { ct::node_of(g, "add")["inputs"] = {"conv2"}; }, "node 'add' (add): takes 2 input(s), got 1"},
      {"arity1", [](json& g) { ct::node_of(g, "relu")["inputs"] = {"fc1", "fc1"}; }, "node 'relu' (relu): takes 1 input(s), got 2"},
      {"dupname", [](json& g) { ct::node_of(g, "pool1")["name"] = "conv1"; }, "node 'conv1' (maxpool): name used twice"},
      {"second_input", [](json& g) { g["nodes"].push_back(g["nodes"][0]); g["nodes"].back()["name"] = "input2"; }, "node 'input2' (input): only the first node may be an input"},
      {"first_not_input", [](json& g) { g["nodes"][0]["op"] = "relu"; g["nodes"][0].erase("shape"); g["nodes"][0].erase("out"); g["nodes"][0]["inputs"] = json::array(); }, "node 'input' (relu): the first node must be the input"},
      {"input_shape", [](json& g) { ct::node_of(g, "input")["shape"] = {2, 0, 6}; }, "node 'input': field 'shape': expected [C, H, W] with integers in [1, 1048576]"},
      {"input_rank", [](json& g) { ct::node_of(g, "input")["shape"] = {2, 6}; }, "field 'shape': expected [C, H, W]"},
      {"empty", [](json& g) { g["nodes"] = json::array(); }, "graph: field 'nodes': expected a non-empty array"},
      {"fill", [](json& g) { ct::node_of(g, "fc1")["weights"]["matrix"] = {{"fill", "lfsr"}, {"seed", 1}}; }, "field 'fill': expected \"tap\" or \"random\""},
      {"seedneg", [](json& g) { ct::node_of(g, "fc1")["weights"]["matrix"] = {{"fill", "random"}, {"seed", -1}}; }, "field 'seed': expected a non-negative integer"},
  };
  for (const Edit& e : edits) {
    const std::string p = with_graph(std::string("bad_") + e.name, e.edit);
    EXPECT_SUBBIT_ERROR(load_network(p), p, e.phrase);
  }
}

TEST_F(NetFile, IntegersBeyondInt64AreNotWrapped) {
  // 2^64 - 1 and 2^64 - 5 are JSON unsigned integers; read as int64 they would wrap to -1 and -5,
  // which are in range for mult_a, mult (avgpool) and bias.
  const uint64_t minus1 = ~uint64_t{0}, minus5 = ~uint64_t{0} - 4;
  std::string p = with_graph("mult_a", [&](json& g) { ct::node_of(g, "add")["mult_a"] = minus1; });
  EXPECT_SUBBIT_ERROR(load_network(p), p, "node 'add': field 'mult_a'", "18446744073709551615");
  p = with_graph("bias", [&](json& g) { ct::node_of(g, "add")["bias"] = minus5; });
  EXPECT_SUBBIT_ERROR(load_network(p), p, "node 'add': field 'bias'", "18446744073709551611");
  p = with_graph("mult", [&](json& g) { ct::node_of(g, "avg")["mult"] = minus1; });
  EXPECT_SUBBIT_ERROR(load_network(p), p, "node 'avg': field 'mult'");
}

TEST_F(NetFile, KernelLargerThanInput) {
  // conv2 reads the 3x3 output of pool1; a 9x9 kernel with padding 1 does not fit.
  std::string p = with_graph("kernel", [](json& g) { ct::node_of(g, "conv2")["kernel"] = {9, 9}; });
  EXPECT_SUBBIT_ERROR(load_network(p), p, "node 'conv2' (conv2d): kernel 9x9 does not fit input 3x3x3 with padding 1x1");
  p = with_graph("pool", [](json& g) { ct::node_of(g, "avg")["kernel"] = {4, 3}; });
  EXPECT_SUBBIT_ERROR(load_network(p), p, "node 'avg' (avgpool): kernel 4x3 does not fit input 4x3x3");
}

TEST_F(NetFile, AddWithMismatchedShapes) {
  const std::string p = with_graph("add", [](json& g) { ct::node_of(g, "add")["inputs"] = {"conv2", "pool1"}; });
  EXPECT_SUBBIT_ERROR(load_network(p), p, "node 'add' (add): inputs have shapes 4x3x3 and 3x3x3, expected equal");
  // Same channels, different height and width.
  ct::NetBuilder b(1);
  const int x = b.input({4, 3, 3}, ct::s(8));
  const int mp = b.pool("pool", Op::MaxPool, x, Window{2, 2, 1, 1, 0, 0});
  EXPECT_SUBBIT_ERROR(b.add("add", x, mp, 1, 1, 0, 0, false, ct::s(8)), "test: node 'add' (add): inputs have shapes 4x3x3 and 4x2x2");
  const int mp2 = b.pool("pool2", Op::MaxPool, x, Window{2, 1, 1, 1, 0, 0});
  EXPECT_SUBBIT_ERROR(b.add("add2", x, mp2, 1, 1, 0, 0, false, ct::s(8)), "inputs have shapes 4x3x3 and 4x2x3");
}

TEST_F(NetFile, UnusedTensor) {
  auto t = ct::tensors_of(raw);
  t["zz.extra"] = ct::Blob{"U8", {3}, {1, 2, 3}};
  const std::string p = put("unused", ct::relayout(raw.header["__metadata__"], t));
  EXPECT_SUBBIT_ERROR(load_network(p), p, "tensor 'zz.extra' is not used by any node of the graph");
}

TEST_F(NetFile, TensorUsedTwiceOrAbsent) {
  // rq's per-channel mult is [4] like conv2's; pointing it at conv2.mult uses that tensor twice.
  std::string p = with_graph("twice", [](json& g) { ct::node_of(g, "rq")["requant"]["mult"] = "conv2.mult"; });
  EXPECT_SUBBIT_ERROR(load_network(p), p, "node 'rq'", "tensor 'conv2.mult' is used twice");
  p = with_graph("absent", [](json& g) { ct::node_of(g, "conv1")["weights"]["weight"] = "conv1.weights"; });
  EXPECT_SUBBIT_ERROR(load_network(p), p, "node 'conv1'", "tensor 'conv1.weights' is not in the file");
}

TEST_F(NetFile, RequantTensorRules) {
  // A bias beyond 2^61.
  RawFile r = raw;
  const uint64_t at = begin_of(r, "conv1.bias");
  const uint64_t big = (uint64_t{1} << 61) + 1;
  for (int i = 0; i < 8; ++i) r.data[at + i] = static_cast<uint8_t>(big >> (8 * i));
  std::string p = put("bias", r);
  EXPECT_SUBBIT_ERROR(load_network(p), p, "node 'conv1' (conv2d)", "bias[0] = 2305843009213693953 exceeds |bias| <= 2^61");
  // A per-tensor mult for a conv layer is not allowed (one per output channel).
  auto t = ct::tensors_of(raw);
  t.at("conv1.mult") = ct::Blob{"I32", {1}, {1, 0, 0, 0}};
  t.at("conv1.bias") = ct::Blob{"I64", {1}, std::vector<uint8_t>(8, 0)};
  p = put("pertensor", ct::relayout(raw.header["__metadata__"], t));
  EXPECT_SUBBIT_ERROR(load_network(p), p, "node 'conv1'", "tensor 'conv1.mult' is I32 [1], expected I32 [3]");
  // A requant node whose mult is per tensor but bias per channel.
  t = ct::tensors_of(raw);
  t.at("rq.mult") = ct::Blob{"I32", {1}, {1, 0, 0, 0}};
  p = put("rqmix", ct::relayout(raw.header["__metadata__"], t));
  EXPECT_SUBBIT_ERROR(load_network(p), p, "node 'rq'", "tensor 'rq.bias' is I64 [4], expected I64 [1]");
}

TEST_F(NetFile, FlexorMatrixTensorWithATwo) {
  RawFile r = raw;
  const uint64_t at = begin_of(r, "fc1.xor");
  r.data[at + 4] = 2;  // row 1, column 1 of the 7x3 matrix
  const std::string p = put("xor2", r);
  EXPECT_SUBBIT_ERROR(load_network(p), p, "node 'fc1'", "field 'tensor'", "element [1][1] must be 0 or 1, got 2");
  r = raw;
  tensor_entry(r, "fc1.xor")["shape"] = {3, 7};
  const std::string p2 = put("xorshape", r);
  EXPECT_SUBBIT_ERROR(load_network(p2), p2, "tensor 'fc1.xor' is U8 [3,7], expected U8 [7,3]");
}

// Linear over an input of K channels, one output, the given scheme; saved, then edited.
Network wide_linear(int k, ActType in, Scheme scheme, uint8_t fill) {
  ct::NetBuilder b(9, "wide");
  const int x = b.input({k, 1, 1}, in);
  ct::WeightSpec s;
  s.scheme = scheme;
  s.int8_lo = s.int8_hi = static_cast<int8_t>(fill);
  s.alpha_lo = s.alpha_hi = fill;
  const int l = b.layer("fc", Op::Linear, x, 1, s, ct::s(8), 30, false);
  if (scheme != Scheme::Int8) std::fill(b.net.nodes[l].weights.planes.begin(), b.net.nodes[l].weights.planes.end(), 0xFF);
  return b.net;
}

TEST_F(NetFile, AccumulatorBoundExactlyAtTheLimit) {
  // int8 weights all 127 with u8 inputs: Σ|W|·255 = K·32385 < 2^31 holds for K = 66311, not 66312.
  const std::string ok = dir + "/acc_ok.safetensors";
  save_network(ok, wide_linear(66311, ct::u(8), Scheme::Int8, 127));
  EXPECT_NO_THROW(load_network(ok));
  const std::string p0 = dir + "/acc0.safetensors";
  save_network(p0, wide_linear(66312, ct::u(8), Scheme::Int8, 0));  // valid with zeros
  RawFile r = ct::parse_raw(ct::read_bytes(p0));
  const uint64_t b = r.header["fc.weight"]["data_offsets"][0], e = r.header["fc.weight"]["data_offsets"][1];
  std::fill(r.data.begin() + static_cast<std::ptrdiff_t>(b), r.data.begin() + static_cast<std::ptrdiff_t>(e), 127);
  const std::string p = put("acc", r);
  EXPECT_SUBBIT_ERROR(load_network(p), p, "node 'fc' (linear)", "output channel 0 can reach |acc| = 2147514120 with u8 inputs",
                      "32-bit accumulator");
  // Binary α = 128 with s8 inputs (max |x| = 128) over K = 2^17: exactly 2^31 is out, α = 127 is in.
  const std::string b_ok = dir + "/bin_ok.safetensors";
  save_network(b_ok, wide_linear(1 << 17, ct::s(8), Scheme::Binary, 127));
  EXPECT_NO_THROW(load_network(b_ok));
  RawFile rb = ct::parse_raw(ct::read_bytes(b_ok));
  rb.data[rb.header["fc.alpha"]["data_offsets"][0].get<uint64_t>()] = 128;
  const std::string pb = put("acc_bin", rb);
  EXPECT_SUBBIT_ERROR(load_network(pb), pb, "can reach |acc| = 2147483648 with s8 inputs");
  // save_network refuses it too.
  Network n = load_network(b_ok);
  n.nodes[1].weights.alpha[0] = 128;
  EXPECT_SUBBIT_ERROR(save_network(dir + "/x.safetensors", n), "32-bit accumulator");
}

TEST_F(NetFile, ReductionLengthOverflowIsRejected) {
  // conv2d over 2^20 channels with a 17x241 kernel: K = 2^20 * 4097 = 2^32 + 2^20, which wraps
  // to 2^20 in 32-bit arithmetic. A file whose weights are [1, 2^20] must not be accepted.
  const int c = 1 << 20;
  const std::string p0 = dir + "/k0.safetensors";
  save_network(p0, wide_linear(c, ct::u(8), Scheme::Binary, 0));
  RawFile r = ct::parse_raw(ct::read_bytes(p0));
  json g = ct::graph_of(r);
  json& fc = ct::node_of(g, "fc");
  fc["op"] = "conv2d";
  fc["out_channels"] = fc["out_features"];
  fc.erase("out_features");
  fc["kernel"] = {17, 241};
  fc["stride"] = {1, 1};
  fc["padding"] = {8, 120};
  ct::set_graph(r, g);
  const std::string p = put("kwrap", r);
  const std::string what = ct::error_of([&] { load_network(p); });
  EXPECT_NE(what.find(p + ": node 'fc' (conv2d)"), std::string::npos) << what;
}

TEST_F(NetFile, FlattenedLengthOverflowIsRejected) {
  // 2048 x 1024 x 1024 = 2^31 elements: flatten's inferred channel count would not fit an int. The
  // activation-size cap (2^28 elements) rejects the input before flatten is reached.
  const std::string p = with_graph("flatwrap", [](json& g) {
    json in = ct::node_of(g, "input");
    in["shape"] = {2048, 1024, 1024};
    g["nodes"] = json::array({in, {{"name", "flat"}, {"op", "flatten"}, {"inputs", {"input"}}}});
  });
  RawFile r = ct::parse_raw(ct::read_bytes(p));
  const std::string p2 = put("flatwrap2", ct::relayout(r.header["__metadata__"], {}));
  const std::string what = ct::error_of([&] { load_network(p2); });
  EXPECT_NE(what.find(p2 + ": node 'input' (input): input shape must be positive and hold at most 2^28 elements"), std::string::npos) << what;
}

// ---- Network::validate on hand-made networks ----
TEST(NetworkValidate, StructureRules) {
  Network n = hand_network();
  n.nodes[3].inputs = {5};  // conv2 reads a later node
  EXPECT_SUBBIT_ERROR(n.validate("F"), "F: node 'conv2' (conv2d): input must be an earlier node");
  n = hand_network();
  n.nodes[1].window.ph = 3;
  EXPECT_SUBBIT_ERROR(n.validate("F"), "node 'conv1' (conv2d): padding must be in [0, kernel - 1]");
  n = hand_network();
  n.nodes[1].rq.bias[1] = -(int64_t{1} << 61) - 1;
  EXPECT_SUBBIT_ERROR(n.validate("F"), "node 'conv1' (conv2d): requant bias[1] = -2305843009213693953 exceeds |bias| <= 2^61");
  n = hand_network();
  n.nodes[1].rq.mult.pop_back();
  EXPECT_SUBBIT_ERROR(n.validate("F"), "node 'conv1' (conv2d): requant mult has 2 entries, expected 3 or 1");
  n = hand_network();
  n.nodes[1].rq.mult = {1};
  n.nodes[1].rq.bias = {0};
  EXPECT_SUBBIT_ERROR(n.validate("F"), "requant mult must have one entry per output channel (3)");
  n = hand_network();
  n.nodes[0].shape = Shape{0, 6, 6};
  EXPECT_SUBBIT_ERROR(n.validate("F"), "node 'input' (input): input shape must be positive");
  n = hand_network();
  n.nodes[2].op = Op::Input;
  EXPECT_SUBBIT_ERROR(n.validate("F"), "node 'pool1' (input): only the first node may be an input");
  n = hand_network();
  n.nodes[1].out.scale = -1;
  EXPECT_SUBBIT_ERROR(n.validate("F"), "node 'conv1' (conv2d): activation scale must be > 0");
  n = hand_network();
  n.nodes.clear();
  EXPECT_SUBBIT_ERROR(n.validate("F"), "F: the graph has no nodes");
  n = hand_network();
  n.nodes[1].weights.int8.pop_back();
  EXPECT_SUBBIT_ERROR(n.validate("F"), "node 'conv1' (conv2d): weight has 53 bytes, expected 54");
}

TEST(NetworkValidate, ShapesAndAccounting) {
  Network n = hand_network();
  n.validate("F");
  const std::vector<Shape> want = {{2, 6, 6}, {3, 6, 6}, {3, 3, 3}, {4, 3, 3}, {4, 3, 3}, {4, 3, 3},
                                   {4, 1, 1}, {4, 1, 1}, {5, 1, 1}, {5, 1, 1}, {3, 1, 1}};
  for (size_t i = 0; i < want.size(); ++i) EXPECT_EQ(n.nodes[i].shape, want[i]) << n.nodes[i].name;
  EXPECT_EQ(n.nodes[1].weights.k, 18);
  EXPECT_EQ(n.nodes[3].weights.k, 27);
  EXPECT_EQ(n.nodes[8].weights.k, 4);
  EXPECT_EQ(n.nodes[10].weights.k, 5);
  EXPECT_EQ(n.find("add"), 5);
  EXPECT_EQ(n.find("nope"), -1);
  EXPECT_EQ(n.macs(n.nodes[1]), 3 * 36 * 18);
  EXPECT_EQ(n.total_macs(), 3 * 36 * 18 + 4 * 9 * 27 + 5 * 4 + 3 * 5);
  EXPECT_EQ(n.weight_count(), 54u + 108u + 20u + 15u);
  size_t stored = 0;
  for (const Node& x : n.nodes)
    if (x.has_weights()) stored += x.weights.stored_bytes();
  EXPECT_EQ(n.stored_weight_bytes(), stored);
  const double sub = (108 * 2.0 + 20 * (2.0 * 3 / 7) + 15 * 1.5) / (108 + 20 + 15);
  EXPECT_NEAR(n.sub_byte_bits_per_weight(), sub, 1e-12);
  EXPECT_NEAR(n.bits_per_weight(), (54 * 8.0 + 108 * 2.0 + 20 * (2.0 * 3 / 7) + 15 * 1.5) / 197, 1e-12);
}

}  // namespace

namespace {

TEST(NetFileLimits, ActivationLargerThan2To28ElementsIsRejected) {
  subbit::Network net;
  net.name = "huge";
  subbit::Node in;
  in.name = "input";
  in.op = subbit::Op::Input;
  in.shape = subbit::Shape{1 << 10, 1 << 10, 1 << 10};
  in.out = subbit::ActType{8, false, 1.0 / 255};
  net.nodes.push_back(in);
  try {
    net.validate("huge.safetensors");
    FAIL() << "a 2^30-element input was accepted";
  } catch (const subbit::Error& e) {
    EXPECT_NE(std::string(e.what()).find("at most 2^28 elements"), std::string::npos) << e.what();
  }
  net.nodes[0].shape = subbit::Shape{1 << 8, 1 << 10, 1 << 10};  // exactly 2^28: accepted
  EXPECT_NO_THROW(net.validate("ok.safetensors"));
}

}  // namespace

// ---- issue 11: resource budget, decided from the graph before anything is read or expanded ----
namespace {

using namespace subbit;

// A node chain from hand-built nodes: input of `shape`, then the given nodes in order.
Network chain(Shape shape, ActType t) {
  Network net;
  net.name = "bomb";
  Node in;
  in.name = "input";
  in.op = Op::Input;
  in.shape = shape;
  in.out = t;
  net.nodes.push_back(in);
  return net;
}

Node unary(const std::string& name, Op op, int input) {
  Node n;
  n.name = name;
  n.op = op;
  n.inputs = {input};
  return n;
}

TEST(ResourceBudget, ReluChainOnA2To28ElementInputIsRefusedAtTheNodeThatCrossesTheBudget) {
  // 2^28 elements are 512 MiB as int16; the default budget (4 GiB) holds the input and seven
  // ReLUs, and refuses the eighth, naming it, before any activation is allocated.
  Network net = chain(Shape{1, 1 << 14, 1 << 14}, ActType{8, false, 1.0});
  for (int i = 1; i <= 12; ++i) net.nodes.push_back(unary("relu" + std::to_string(i), Op::Relu, i - 1));
  EXPECT_SUBBIT_ERROR(net.validate("bomb.safetensors"), "bomb.safetensors: node 'relu8' (relu): the network up to this node needs 4.5 GiB",
                      "beyond the memory budget of 4.0 GiB (raise it with --budget-memory or SUBBIT_BUDGET_MEMORY)");
  ResourceBudget big;
  big.memory_bytes = uint64_t{8} << 30;
  EXPECT_NO_THROW(net.validate("bomb.safetensors", big));
}

TEST(ResourceBudget, PaddedConvWhoseIm2colWouldNeedTensOfGigabytesIsRefused) {
  // 256 channels of 256x256 through a 31x31 padded conv with one output channel: a few KB of
  // binary weights, but im2col is 65,536 positions x K = 246,016 int16 values (30 GiB).
  Network net = chain(Shape{256, 256, 256}, ActType{8, false, 1.0});
  Node c = unary("conv", Op::Conv2d, 0);
  c.window = Window{31, 31, 1, 1, 15, 15};
  c.weights.cout = 1;
  c.out = ActType{8, true, 1.0};
  net.nodes.push_back(c);
  const std::string what = ct::error_of([&] { net.validate("pad.safetensors"); });
  EXPECT_NE(what.find("pad.safetensors: node 'conv' (conv2d): the network up to this node needs 30.1 GiB of memory"), std::string::npos) << what;
  EXPECT_NE(what.find("im2col and accumulators 30.0 GiB"), std::string::npos) << what;
}

TEST(ResourceBudget, PoolingWindowsCountAsOperations) {
  // A 2048x2048 max-pool window slid over a 4096x4096 image reads 1.8e13 values.
  Network net = chain(Shape{1, 4096, 4096}, ActType{8, false, 1.0});
  Node p = unary("pool", Op::MaxPool, 0);
  p.window = Window{2048, 2048, 1, 1, 0, 0};
  net.nodes.push_back(p);
  EXPECT_SUBBIT_ERROR(net.validate("pool.safetensors"), "node 'pool' (maxpool)", "1.76e+13 operations",
                      "beyond the budget of 6.87e+10 operations per inference (raise it with --budget-ops or SUBBIT_BUDGET_OPS)");
}

TEST(ResourceBudget, ExpandedWeightsAreCharged) {
  // 64 x 2^22 FleXOR weights are 512 MiB expanded; a 256 MiB budget refuses the layer by name.
  Network net = chain(Shape{1 << 22, 1, 1}, ActType{1, true, 1.0});
  Node l = unary("fc", Op::Linear, 0);
  l.weights.cout = 64;
  l.out = ActType{8, true, 1.0};
  net.nodes.push_back(l);
  ResourceBudget small;
  small.memory_bytes = uint64_t{256} << 20;
  EXPECT_SUBBIT_ERROR(net.validate("w.safetensors", small), "node 'fc' (linear)", "expanded weights 512.0 MiB", "memory budget of 256.0 MiB");
}

TEST(ResourceBudget, TheLoaderRefusesBeforeReadingTensorsAndNamesTheFile) {
  ct::ScratchDir scratch;
  const std::string p = scratch.path() + "/relus.safetensors";
  Network net = chain(Shape{1, 1 << 14, 1 << 14}, ActType{8, false, 1.0});
  for (int i = 1; i <= 8; ++i) net.nodes.push_back(unary("relu" + std::to_string(i), Op::Relu, i - 1));
  ResourceBudget& budget = ResourceBudget::process_default();
  const ResourceBudget saved = budget;
  budget.memory_bytes = uint64_t{16} << 30;
  save_network(p, net);  // a few hundred bytes on disk
  budget = saved;
  EXPECT_LT(fs::file_size(p), 4096u);
  EXPECT_SUBBIT_ERROR(load_network(p), p + ": node 'relu8' (relu)", "memory budget of 4.0 GiB");
  ResourceBudget big;
  big.memory_bytes = uint64_t{16} << 30;
  EXPECT_EQ(load_network(p, big).nodes.size(), 9u);
}

TEST(ResourceBudget, GraphsWithTooManyNodesAreRefused) {
  Network net = chain(Shape{1, 1, 1}, ActType{8, false, 1.0});
  for (size_t i = 1; i <= kMaxNodes; ++i) net.nodes.push_back(unary("r" + std::to_string(i), Op::Relu, static_cast<int>(i) - 1));
  EXPECT_SUBBIT_ERROR(net.validate("many.safetensors"), "many.safetensors: the graph has 16385 nodes, at most 16384 are accepted");
}

TEST(NetworkValidate, ReluOfASignedOneBitTensorIsRefused) {
  // s1 holds -1 and +1 only: max(x, 0) would give 0, which is not a value of the type.
  Network net = chain(Shape{4, 1, 1}, ActType{1, true, 1.0});
  net.nodes.push_back(unary("relu", Op::Relu, 0));
  EXPECT_SUBBIT_ERROR(net.validate("s1.safetensors"), "s1.safetensors: node 'relu' (relu): input 'input' is signed 1-bit",
                      "would give 0, which that type cannot hold");
  net.nodes[0].out = ActType{1, false, 1.0};  // u1 {0, 1}: relu is the identity, accepted
  EXPECT_NO_THROW(net.validate("u1.safetensors"));
}

// The accumulator rule without expanding W: the bound K x sum(α) is exact for one plane; with
// several planes a row whose bound fails but whose exact sum fits is still accepted, so the set of
// accepted files is the one the old expand-everything check accepted.
TEST(NetworkValidate, AccumulatorRuleIsExactWithoutExpansion) {
  auto bcq_row = [](uint8_t a0, uint8_t a1, int k, bool agree) {
    Network net = chain(Shape{k, 1, 1}, ActType{8, true, 1.0});
    Node l = unary("fc", Op::Linear, 0);
    l.weights.cout = 1;
    l.out = ActType{8, true, 1.0};
    l.rq = Requant{{1}, {0}, 0, false};
    net.nodes.push_back(l);
    net.nodes[1].weights.k = k;  // set by check_structure as well
    QuantWeights& w = net.nodes[1].weights;
    w.scheme = Scheme::Bcq;
    w.q = 2;
    w.alpha = {a0, a1};
    w.planes.assign(2 * bytes_for_bits(static_cast<size_t>(k)), 0);
    if (agree) std::fill(w.planes.begin(), w.planes.end(), 0xFF);  // +α0 +α1 everywhere
    else std::fill(w.planes.begin(), w.planes.begin() + static_cast<std::ptrdiff_t>(bytes_for_bits(static_cast<size_t>(k))), 0xFF);  // +α0 -α1
    return net;
  };
  // K = 2^16, α = (200, 100), s8 inputs: bound 2^16 x 300 x 128 > 2^31.
  Network opposite = bcq_row(200, 100, 1 << 16, false);  // |W| = 100: 2^16 x 100 x 128 < 2^31, accepted
  EXPECT_NO_THROW(opposite.validate("bcq.safetensors"));
  Network same = bcq_row(200, 100, 1 << 16, true);  // |W| = 300: refused with the exact value
  EXPECT_SUBBIT_ERROR(same.validate("bcq.safetensors"), "node 'fc' (linear): output channel 0 can reach |acc| = 2516582400 with s8 inputs");
  // Signed binary counts the mask: α x (ones in the row).
  Network sb = chain(Shape{1 << 20, 1, 1}, ActType{8, true, 1.0});
  Node l = unary("fc", Op::Linear, 0);
  l.weights.cout = 1;
  l.out = ActType{8, true, 1.0};
  l.rq = Requant{{1}, {0}, 0, false};
  sb.nodes.push_back(l);
  sb.nodes[1].weights.k = 1 << 20;
  QuantWeights& w = sb.nodes[1].weights;
  w.scheme = Scheme::SignedBinary;
  w.region = 1 << 20;
  w.alpha = {255};
  w.mask.assign(bytes_for_bits(size_t{1} << 20), 0);
  w.signs = {1};
  for (size_t i = 0; i < 8192; ++i) w.mask[i] = 0xFF;  // 65,536 ones: 255 x 65,536 x 128 = 2,139,095,040 fits
  EXPECT_NO_THROW(sb.validate("sb.safetensors"));
  w.mask[8192] = 0x01;  // 65,537 ones with α = 255 and |x| = 128: 2,139,127,680 still fits
  EXPECT_NO_THROW(sb.validate("sb.safetensors"));
  w.mask[8192] = 0xFF;
  for (size_t i = 8193; i < 8300; ++i) w.mask[i] = 0xFF;
  EXPECT_SUBBIT_ERROR(sb.validate("sb.safetensors"), "output channel 0 can reach |acc|", "beyond the 32-bit accumulator");
}

}  // namespace
