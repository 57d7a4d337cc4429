// The mapper and its cost model, without simulating: legality, determinism, the dataflow each
// layer shape gets, the buffer bounds the search relies on, the roofline, and clear errors.
#include <gtest/gtest.h>

#include <set>

#include "config/arch_config.h"
#include "netgen/netgen.h"
#include "quant/error.h"
#include "quant/prng.h"
#include "runtime/lowering.h"
#include "runtime/roofline.h"
#include "system/arch_params.h"

namespace subbit::test {
namespace {

HwCaps preset(const std::string& name) { return hw_caps(accel_params(load_arch_config(std::string(SUBBIT_SOURCE_DIR) + "/configs/" + name + ".yaml"))); }

Network make(const std::string& network, Scheme scheme, double bits = 0.8) {
  NetgenOptions o;
  o.network = network;
  o.scheme = scheme;
  if (scheme == Scheme::Flexor) o.n_in = static_cast<int>(bits * 20 + 0.5);
  if (scheme == Scheme::Ternary) o.q = 2;
  o.tokens = 128;
  return make_network(o);
}

size_t index_of(const LoweredNetwork& L, const Network& net, const std::string& layer) {
  for (size_t i = 0; i < L.descriptors.size(); ++i)
    if (net.nodes[static_cast<size_t>(L.descriptor_node[i])].name == layer) return i;
  throw std::runtime_error("no layer " + layer);
}
const LayerMapping& mapping_of(const LoweredNetwork& L, const Network& net, const std::string& layer) { return L.mappings[index_of(L, net, layer)]; }

TEST(Mapper, EveryChosenMappingIsLegalOnEveryPreset) {
  for (const char* cfg : {"default", "edge-membound", "large"})
    for (const char* network : {"lenet5", "resnet20", "mlp", "ffn"})
      for (Scheme scheme : {Scheme::Binary, Scheme::Ternary, Scheme::SignedBinary, Scheme::Int8}) {
        const HwCaps hw = preset(cfg);
        const Network net = make(network, scheme);
        const LoweredNetwork L = lower_network(net, hw, 0x1000, network);
        const CostModel model(hw);
        ASSERT_EQ(L.mappings.size(), L.descriptors.size());
        for (size_t i = 0; i < L.descriptors.size(); ++i) {
          EXPECT_EQ(model.illegal(L.descriptors[i], L.mappings[i]), "") << cfg << " " << network << " descriptor " << i;
          EXPECT_GT(L.predicted[i].cycles, 0) << cfg << " " << network << " descriptor " << i;
        }
      }
}

TEST(Mapper, IsDeterministic) {
  const HwCaps hw = preset("large");
  const Network net = make("resnet20", Scheme::Flexor);
  const LoweredNetwork a = lower_network(net, hw, 0x1000, "a"), b = lower_network(net, hw, 0x1000, "b");
  ASSERT_EQ(a.mappings.size(), b.mappings.size());
  for (size_t i = 0; i < a.mappings.size(); ++i) {
    EXPECT_TRUE(a.mappings[i] == b.mappings[i]) << i << ": " << a.mappings[i].str() << " vs " << b.mappings[i].str();
    EXPECT_EQ(a.predicted[i].cycles, b.predicted[i].cycles);
  }
  EXPECT_EQ(a.image.front().bytes, b.image.front().bytes);  // the descriptor table
}

TEST(Mapper, FullyConnectedAtBatchOneSpreadsTheReductionOverRows) {
  // One output position: output-parallel would use one PE row in sixteen.
  for (const char* cfg : {"default", "edge-membound", "large"}) {
    const Network net = make("lenet5", Scheme::Binary);
    const LoweredNetwork L = lower_network(net, preset(cfg), 0x1000, "lenet5");
    EXPECT_EQ(mapping_of(L, net, "fc1").dataflow, Dataflow::ReductionParallel) << cfg << ": " << mapping_of(L, net, "fc1").str();
  }
}

TEST(Mapper, NarrowLayersUseColumnGroupsOnAWideArray) {
  // ResNet-20's first stage has 16 output channels: on 64 columns, four position groups fill them.
  const HwCaps hw = preset("large");
  const Network net = make("resnet20", Scheme::Binary);
  const LoweredNetwork L = lower_network(net, hw, 0x1000, "resnet20");
  const LayerMapping& m = mapping_of(L, net, "layer1.1.conv1");
  EXPECT_EQ(m.dataflow, Dataflow::OutputParallel) << m.str();
  EXPECT_EQ(m.col_groups, 4u) << m.str();
  // Without activation lanes the array cannot group columns.
  HwCaps one_lane = hw;
  one_lane.act_lanes = 1;
  for (const LayerMapping& mm : lower_network(net, one_lane, 0x1000, "resnet20").mappings) EXPECT_EQ(mm.col_groups, 1u) << mm.str();
}

TEST(Mapper, WithoutAdderTreesEveryLayerIsOutputParallel) {
  HwCaps hw = preset("default");
  hw.reduction_tree = false;
  const Network net = make("mlp", Scheme::Binary);
  for (const LayerMapping& m : lower_network(net, hw, 0x1000, "mlp").mappings) EXPECT_EQ(m.dataflow, Dataflow::OutputParallel) << m.str();
}

TEST(Mapper, SearchPredictsNoSlowerThanTheGreedyChooserOnEveryLayer) {
  for (const char* cfg : {"default", "large"})
    for (const char* network : {"lenet5", "resnet20", "mlp", "ffn"}) {
      const HwCaps hw = preset(cfg);
      const Network net = make(network, Scheme::Binary);
      const LoweredNetwork greedy = lower_network(net, hw, 0x1000, network, MapperKind::Greedy);
      const LoweredNetwork search = lower_network(net, hw, 0x1000, network, MapperKind::Search);
      double g = 0, s = 0;
      for (size_t i = 0; i < greedy.predicted.size(); ++i) g += greedy.predicted[i].cycles, s += search.predicted[i].cycles;
      EXPECT_LE(s, g * 1.001) << cfg << " " << network;
    }
}

TEST(Mapper, GreedyKeepsTheFirstChoosersRule) {
  // Widest channel tile (a multiple of the columns) that fits, then as many rows as fit;
  // output-parallel, one column group.
  const HwCaps hw = preset("default");
  const Network net = make("resnet20", Scheme::Binary);
  const LoweredNetwork L = lower_network(net, hw, 0x1000, "resnet20", MapperKind::Greedy);
  const CostModel model(hw);
  for (size_t i = 0; i < L.descriptors.size(); ++i) {
    const LayerMapping& m = L.mappings[i];
    const LayerDescriptor& d = L.descriptors[i];
    EXPECT_EQ(m.dataflow, Dataflow::OutputParallel);
    EXPECT_EQ(m.col_groups, 1u);
    if (m.tile_rows < d.out_h) {
      LayerMapping taller = m;
      ++taller.tile_rows;
      EXPECT_NE(model.illegal(d, taller), "") << "descriptor " << i << " could take another row";
    }
  }
}

TEST(Mapper, ANetworkNoTileFitsIsRefusedNamingTheLayer) {
  HwCaps hw = preset("default");
  hw.act_buf_bytes = 2 << 10;  // 1 KiB halves: one 28-pixel row of LeNet-5's 32 conv1 channels does not fit
  try {
    lower_network(make("lenet5", Scheme::Binary), hw, 0x1000, "lenet5");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("no tile fits the buffers"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("layer '"), std::string::npos) << e.what();
  }
}

TEST(Mapper, IllegalMappingsSayWhy) {
  const HwCaps hw = preset("default");
  const Network net = make("lenet5", Scheme::Binary);
  const LoweredNetwork L = lower_network(net, hw, 0x1000, "lenet5");
  const CostModel model(hw);
  const LayerDescriptor& conv2 = L.descriptors[2];
  LayerMapping m = L.mappings[2];
  m.dataflow = Dataflow::OutputParallel;
  m.col_groups = 2;  // default has one activation lane
  EXPECT_NE(model.illegal(conv2, m).find("activation lane"), std::string::npos);
  m = L.mappings[2];
  m.tile_rows = conv2.out_h, m.tile_channels = conv2.out_c;
  m.dataflow = Dataflow::OutputParallel, m.col_groups = 1;
  HwCaps tiny = hw;
  tiny.acc_buf_bytes = 1024;
  EXPECT_NE(CostModel(tiny).illegal(conv2, m).find("accumulator bytes"), std::string::npos);
  HwCaps no_tree = hw;
  no_tree.reduction_tree = false;
  m.dataflow = Dataflow::ReductionParallel;
  EXPECT_NE(CostModel(no_tree).illegal(conv2, m).find("adder trees"), std::string::npos);
}

TEST(Tiling, WeightBufferBoundCoversEveryStart) {
  // The search checks the O(1) bound; the hardware checks the exact bytes: the bound must never be
  // below them, in any format or storage.
  SplitMix64 rng(5);
  for (int trial = 0; trial < 400; ++trial) {
    LayerDescriptor d;
    d.opcode = static_cast<uint32_t>(Opcode::Conv);
    d.in_c = static_cast<uint32_t>(rng.range(1, 70)), d.kh = d.kw = static_cast<uint32_t>(rng.range(1, 3));
    d.out_c = static_cast<uint32_t>(rng.range(1, 90));
    d.weight_format = static_cast<uint32_t>(rng.range(0, 3));
    d.q = static_cast<uint32_t>(rng.range(1, 3));
    d.n_out = 20, d.n_in = static_cast<uint32_t>(rng.range(4, 16)), d.region = static_cast<uint32_t>(rng.range(1, 9));
    const uint32_t oc = static_cast<uint32_t>(rng.range(1, d.out_c));
    for (WeightStorage s : {WeightStorage::AsStored, WeightStorage::Decrypted})
      for (uint32_t o0 = 0; o0 + oc <= d.out_c; o0 += 1)
        ASSERT_GE(weight_buffer_bytes_bound(d, oc, s), weight_buffer_bytes(d, o0, oc, s)) << "trial " << trial << " o0 " << o0;
  }
}

TEST(Tiling, BufferedFlexorWeightsTakeTheirDecryptedSize) {
  LayerDescriptor d;
  d.opcode = static_cast<uint32_t>(Opcode::Conv);
  d.in_c = 100, d.out_c = 10, d.weight_format = static_cast<uint32_t>(WeightFormat::Flexor), d.q = 1, d.n_in = 8, d.n_out = 20;
  // 1,000 weights = 50 slices: 50 x 8 bits stored, 50 x 20 decrypted; plus alpha, mult, bias.
  EXPECT_EQ(weight_buffer_bytes(d, 0, 10, WeightStorage::AsStored), 50u + 10 + 40 + 80);
  EXPECT_EQ(weight_buffer_bytes(d, 0, 10, WeightStorage::Decrypted), 125u + 10 + 40 + 80);
}

TEST(Roofline, IsComputeOrCompulsoryTrafficAtPeak) {
  HwCaps hw;
  hw.pe_rows = hw.pe_cols = 16, hw.clock_mhz = 500, hw.mem_peak_gbps = 6.4;  // 12.8 B a cycle
  LayerDescriptor d;
  d.opcode = static_cast<uint32_t>(Opcode::Conv);
  d.in_c = 64, d.in_h = d.in_w = 8, d.out_c = 64, d.out_h = d.out_w = 8, d.kh = d.kw = 3, d.ph = d.pw = 1;
  d.weight_format = static_cast<uint32_t>(WeightFormat::BitPlanes), d.q = 2;
  const Roofline r = layer_roofline(d, hw);
  EXPECT_EQ(r.macs, 64u * 64 * 64 * 9);
  EXPECT_DOUBLE_EQ(r.compute_cycles, 64.0 * 64 * 64 * 9 * 2 / 256);  // two planes, two passes
  // Weights: 2 planes x 36,864 bits + alpha 2 x 64 + mult 4 x 64 + bias 8 x 64; input and output 4,096 each.
  EXPECT_EQ(r.compulsory_bytes, 2u * 4608 + 128 + 256 + 512 + 4096 + 4096);
  EXPECT_DOUBLE_EQ(r.memory_cycles, r.compulsory_bytes / 12.8);
  EXPECT_FALSE(r.memory_bound());
}

TEST(Mapping, LoopNestNamesWhatGoesWhere) {
  const HwCaps hw = preset("large");
  const Network net = make("resnet20", Scheme::Binary);
  const LoweredNetwork L = lower_network(net, hw, 0x1000, "resnet20");
  LayerMapping m = mapping_of(L, net, "layer1.1.conv1");
  const LayerDescriptor& d = L.descriptors[index_of(L, net, "layer1.1.conv1")];
  EXPECT_NE(m.loop_nest(d, hw).find("PE columns <- 4 position groups x 16 channels"), std::string::npos) << m.loop_nest(d, hw);
  m.dataflow = Dataflow::ReductionParallel, m.col_groups = 1;
  EXPECT_NE(m.loop_nest(d, hw).find("adder tree per column"), std::string::npos) << m.loop_nest(d, hw);
  LayerDescriptor applied = d;
  m.apply(applied);
  EXPECT_TRUE(LayerMapping::of(applied) == m);
}

}  // namespace
}  // namespace subbit::test
