// netgen: determinism of the generated files and golden outputs, and that the synthetic networks
// exercise the datapath (no layer all zero, none mostly saturated).
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <sstream>

#include "golden/golden.h"
#include "netgen/netgen.h"
#include "util.h"

namespace {

using namespace subbit;

struct SchemeCase {
  const char* label;
  Scheme scheme;
  int q;
  XorFill fill;
  bool explicit_matrix;
  int act_bits;
};

const SchemeCase kSchemes[] = {
    {"int8", Scheme::Int8, 1, XorFill::Tap, false, 8},
    {"binary", Scheme::Binary, 1, XorFill::Tap, false, 8},
    {"binary_a1", Scheme::Binary, 1, XorFill::Tap, false, 1},
    {"bcq3", Scheme::Bcq, 3, XorFill::Tap, false, 8},
    {"uniform4", Scheme::Uniform, 4, XorFill::Tap, false, 4},
    {"ternary", Scheme::Ternary, 2, XorFill::Tap, false, 8},
    {"signed_binary", Scheme::SignedBinary, 1, XorFill::Tap, false, 8},
    {"flexor_tap", Scheme::Flexor, 1, XorFill::Tap, false, 8},
    {"flexor_random_explicit_q2", Scheme::Flexor, 2, XorFill::Random, true, 8},
};

NetgenOptions options(const std::string& network, const SchemeCase& s, uint64_t seed) {
  NetgenOptions o;
  o.network = network;
  o.scheme = s.scheme;
  o.q = s.q;
  o.fill = s.fill;
  o.explicit_matrix = s.explicit_matrix;
  o.act_bits = s.act_bits;
  o.tokens = 4;
  o.seed = seed;
  return o;
}

using Param = std::tuple<std::string, int>;  // network, index into kSchemes

class NetgenCase : public ::testing::TestWithParam<Param> {
 protected:
  std::string network() const { return std::get<0>(GetParam()); }
  const SchemeCase& scheme() const { return kSchemes[std::get<1>(GetParam())]; }
};

class NetgenDeterminism : public NetgenCase {};
class NetgenSanity : public NetgenCase {};

std::string param_name(const ::testing::TestParamInfo<Param>& info) {
  return std::get<0>(info.param) + "_" + kSchemes[std::get<1>(info.param)].label;
}

TEST_P(NetgenDeterminism, SameSeedSameBytesDifferentSeedDifferentBytes) {
  const ct::ScratchDir scratch;
  const std::string& dir = scratch.path();
  const std::string a = dir + "/a.safetensors", b = dir + "/b.safetensors", c = dir + "/c.safetensors";
  const Network na = make_network(options(network(), scheme(), 42));
  save_network(a, na);
  save_network(b, make_network(options(network(), scheme(), 42)));
  save_network(c, make_network(options(network(), scheme(), 43)));
  const auto ba = ct::read_bytes(a), bb = ct::read_bytes(b), bc = ct::read_bytes(c);
  EXPECT_EQ(ba, bb) << "same options and seed must give identical files";
  EXPECT_EQ(ba.size(), bc.size()) << "the seed changes values, not shapes";
  EXPECT_NE(ba, bc) << "seeds 42 and 43 gave identical files";
  // The schemes asked for are the ones stored: first and last layers int8, the rest as requested.
  std::vector<const Node*> layers;
  for (const Node& n : na.nodes)
    if (n.has_weights()) layers.push_back(&n);
  ASSERT_GE(layers.size(), network() == "fc" ? 1u : 2u);
  for (size_t i = 0; i < layers.size(); ++i) {
    const bool hidden_only = network() == "ffn" || network() == "fc";
    const bool edge = !hidden_only && (i == 0 || i + 1 == layers.size());
    EXPECT_EQ(layers[i]->weights.scheme, edge ? Scheme::Int8 : scheme().scheme) << layers[i]->name;
  }
  EXPECT_EQ(na.name, network());
}

TEST_P(NetgenSanity, HiddenLayersAreNeitherDeadNorSaturated) {
  const Network net = make_network(options(network(), scheme(), 7));
  GoldenModel g(net);
  const std::vector<int16_t> in = random_input(net, 7);
  for (int16_t v : in) ASSERT_TRUE(v >= net.input().out.lo() && v <= net.input().out.hi());
  g.run(in.data());
  std::ostringstream report;
  bool ok = true;
  for (size_t i = 1; i < net.nodes.size(); ++i) {
    const Node& n = net.nodes[i];
    if (n.op == Op::Flatten || n.op == Op::Relu) continue;  // same values as their input
    const auto& v = g.output(i);
    size_t zero = 0, sat = 0, plus = 0;
    for (int16_t x : v) {
      zero += x == 0;
      plus += x > 0;
      if (n.out.bits > 1) sat += x == n.out.hi() || (n.out.is_signed && x == n.out.lo());
    }
    const double fz = static_cast<double>(zero) / v.size(), fs = static_cast<double>(sat) / v.size(), fp = static_cast<double>(plus) / v.size();
    char line[200];
    std::snprintf(line, sizeof line, "  %-18s %-8s %s  zero %.3f  saturated %.3f  positive %.3f\n", n.name.c_str(), op_name(n.op),
                  n.out.to_string().c_str(), fz, fs, fp);
    report << line;
    if (n.out.bits == 1) {
      // {-1, +1}: every value is at a rail; neither may be (almost) constant.
      ok &= fp > 0.01 && fp < 0.99;
    } else {
      ok &= fz < 0.9 && fs <= 0.5;
    }
  }
  if (std::getenv("SUBBIT_NETGEN_REPORT")) std::printf("%s %s\n%s", network().c_str(), scheme().label, report.str().c_str());
  EXPECT_TRUE(ok) << network() << " " << scheme().label << ": a layer is (almost) all zero or more than 50% saturated\n" << report.str();
}

const auto kAllSchemes = ::testing::Range(0, static_cast<int>(std::size(kSchemes)));
INSTANTIATE_TEST_SUITE_P(Networks, NetgenDeterminism, ::testing::Combine(::testing::Values("lenet5", "resnet20", "mlp", "ffn", "fc"), kAllSchemes),
                         param_name);
// resnet18 (11M weights) takes well under 3 s per case; three schemes (binary, signed_binary,
// FleXOR with a seeded matrix) keep the suite fast.
INSTANTIATE_TEST_SUITE_P(Resnet18, NetgenDeterminism, ::testing::Combine(::testing::Values("resnet18"), ::testing::Values(1, 6, 7)),
                         param_name);
INSTANTIATE_TEST_SUITE_P(Networks, NetgenSanity,
                         ::testing::Combine(::testing::Values("lenet5", "resnet20", "mlp", "ffn", "resnet18"), kAllSchemes), param_name);

TEST(Netgen, GoldenOutputIsIdenticalAcrossInstances) {
  for (const char* network : {"lenet5", "resnet20", "mlp", "ffn"}) {
    const Network net = make_network(options(network, kSchemes[3], 3));
    const std::vector<int16_t> in = random_input(net, 3);
    GoldenModel g1(net), g2(net);
    g1.run(in.data());
    g2.run(in.data());
    for (size_t i = 0; i < net.nodes.size(); ++i) ASSERT_EQ(g1.output(i), g2.output(i)) << network << " node " << net.nodes[i].name;
    const std::vector<int16_t> first = g1.output();
    // Running again on the same instance (after another input) gives the same result.
    const std::vector<int16_t> other = random_input(net, 4);
    g1.run(other.data());
    g1.run(in.data());
    EXPECT_EQ(g1.output(), first) << network;
    EXPECT_EQ(g1.top1(), g2.top1());
    // A second network built from the same options gives the same output.
    const Network again = make_network(options(network, kSchemes[3], 3));
    GoldenModel g3(again);
    g3.run(in.data());
    EXPECT_EQ(g3.output(), first) << network;
  }
}

TEST(Netgen, RandomInputIsSeededAndInRange) {
  const Network net = make_network(options("lenet5", kSchemes[1], 1));
  EXPECT_EQ(random_input(net, 9), random_input(net, 9));
  EXPECT_NE(random_input(net, 9), random_input(net, 10));
  const auto v = random_input(net, 9);
  EXPECT_EQ(v.size(), 784u);
  EXPECT_EQ(*std::min_element(v.begin(), v.end()), 0);
  EXPECT_EQ(*std::max_element(v.begin(), v.end()), 255);
}

TEST(Netgen, XorSeedChangesOnlyFlexorMatrices) {
  NetgenOptions a = options("lenet5", kSchemes[7], 1), b = a;
  b.xor_seed = 2;
  const Network na = make_network(a), nb = make_network(b);
  bool differs = false;
  for (size_t i = 0; i < na.nodes.size(); ++i)
    if (na.nodes[i].has_weights() && na.nodes[i].weights.scheme == Scheme::Flexor) {
      EXPECT_EQ(na.nodes[i].weights.planes, nb.nodes[i].weights.planes);
      differs |= !(na.nodes[i].weights.flexor.matrix == nb.nodes[i].weights.flexor.matrix);
      EXPECT_EQ(na.nodes[i].weights.flexor.matrix, XorMatrix::generate(20, 16, XorFill::Tap, 2, 1));
    }
  EXPECT_TRUE(differs);
}

TEST(Netgen, RejectsBadOptions) {
  NetgenOptions o;
  o.network = "vgg16";
  EXPECT_SUBBIT_ERROR(make_network(o), "unknown network 'vgg16'", "lenet5, resnet20, resnet18, mlp, ffn");
  o = NetgenOptions{};
  o.act_bits = 9;
  EXPECT_SUBBIT_ERROR(make_network(o), "--act-bits must be in [1, 8]");
  o = NetgenOptions{};
  o.network = "ffn";
  o.tokens = 0;
  EXPECT_SUBBIT_ERROR(make_network(o), "--tokens");
  o = NetgenOptions{};
  o.network = "fc";
  o.in_features = 0;
  EXPECT_SUBBIT_ERROR(make_network(o), "--in-features");
  EXPECT_EQ(netgen_networks(), (std::vector<std::string>{"lenet5", "resnet20", "resnet18", "mlp", "ffn", "fc"}));
}

}  // namespace
