// The TLM accelerator model against the golden reference, layer by layer, through its registers.
#include <gtest/gtest.h>

#include <cstring>

#include "harness.h"
#include "system/arch_params.h"
#include "quant/error.h"
#include "netgen/netgen.h"
#include "runtime/mapper.h"

namespace subbit::test {
namespace {

Network make(const std::string& network, Scheme scheme, int q = 1) {
  NetgenOptions o;
  o.network = network;
  o.scheme = scheme;
  o.q = q;
  o.tokens = 8;
  return make_network(o);
}

void expect_bit_exact(const Network& net, const AccelParams& p = AccelParams{}) {
  const RunResult r = run_and_compare(net, random_input(net, 7), p);
  ASSERT_FALSE(r.timed_out);
  ASSERT_EQ(r.error, regs::kErrorNone) << "descriptor " << r.error_index;
  EXPECT_EQ(r.status & 6u, 2u);
  EXPECT_EQ(r.mismatch, "");
  EXPECT_GT(r.cycles, 0u);
}

TEST(Accelerator, LeNet5Binary) { expect_bit_exact(make("lenet5", Scheme::Binary)); }
TEST(Accelerator, LeNet5Flexor) { expect_bit_exact(make("lenet5", Scheme::Flexor)); }
TEST(Accelerator, LeNet5Bcq3) { expect_bit_exact(make("lenet5", Scheme::Bcq, 3)); }
TEST(Accelerator, LeNet5Uniform4) { expect_bit_exact(make("lenet5", Scheme::Uniform, 4)); }
TEST(Accelerator, LeNet5Ternary) { expect_bit_exact(make("lenet5", Scheme::Ternary)); }
TEST(Accelerator, LeNet5SignedBinary) { expect_bit_exact(make("lenet5", Scheme::SignedBinary)); }
TEST(Accelerator, LeNet5Int8) { expect_bit_exact(make("lenet5", Scheme::Int8)); }
TEST(Accelerator, ResNet20Flexor) { expect_bit_exact(make("resnet20", Scheme::Flexor)); }
TEST(Accelerator, MlpTernaryNoZeroSkip) {
  AccelParams p;
  p.zero_skip = false;
  expect_bit_exact(make("mlp", Scheme::Ternary), p);
}
TEST(Accelerator, FfnSignedBinary) { expect_bit_exact(make("ffn", Scheme::SignedBinary)); }

// Patches descriptor `index` of the lowered table.
void patch_descriptor(LoweredNetwork& L, size_t index, const std::function<void(LayerDescriptor&)>& f) {
  LayerDescriptor d;
  std::memcpy(&d, L.image[0].bytes.data() + index * kDescriptorBytes, sizeof d);
  f(d);
  std::memcpy(L.image[0].bytes.data() + index * kDescriptorBytes, &d, sizeof d);
}

TEST(Accelerator, CorruptedWeightIsReportedWithLayerAndElement) {
  const Network net = make("lenet5", Scheme::Flexor);
  const RunResult r = run_and_compare(net, random_input(net, 7), AccelParams{}, [](LoweredNetwork& L) {
    LayerDescriptor d;
    std::memcpy(&d, L.image[0].bytes.data() + 2 * kDescriptorBytes, sizeof d);  // conv2
    for (auto& seg : L.image)
      if (seg.addr == d.weight_addr) seg.bytes[0] ^= 0x01;  // one encrypted bit
  });
  ASSERT_EQ(r.error, regs::kErrorNone);
  EXPECT_NE(r.mismatch.find("layer 'conv2' element"), std::string::npos) << r.mismatch;
}

TEST(Accelerator, BadOpcodeStopsWithErrorAndIndex) {
  const Network net = make("lenet5", Scheme::Binary);
  const RunResult r = run_and_compare(net, random_input(net, 7), AccelParams{},
                                      [](LoweredNetwork& L) { patch_descriptor(L, 3, [](LayerDescriptor& d) { d.opcode = 99; }); });
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.error, regs::kErrorBadOpcode);
  EXPECT_EQ(r.error_index, 3u);
  EXPECT_EQ(r.status & 6u, 6u);  // done and error
}

TEST(Accelerator, TileLargerThanBufferIsRejected) {
  const Network net = make("lenet5", Scheme::Binary);
  const RunResult r = run_and_compare(net, random_input(net, 7), AccelParams{}, [](LoweredNetwork& L) {
    patch_descriptor(L, 0, [](LayerDescriptor& d) { d.tile_rows = d.out_h, d.tile_channels = d.out_c; });
  });
  EXPECT_EQ(r.error, regs::kErrorTileTooLarge);
  EXPECT_EQ(r.error_index, 0u);
}

TEST(Accelerator, FlexorSliceShapeTheDecryptorLacksIsRejected) {
  const Network net = make("lenet5", Scheme::Flexor);
  const RunResult r = run_and_compare(net, random_input(net, 7), AccelParams{},
                                      [](LoweredNetwork& L) { patch_descriptor(L, 2, [](LayerDescriptor& d) { d.n_in = 12; }); });
  EXPECT_EQ(r.error, regs::kErrorDecryptorMismatch);
  EXPECT_EQ(r.error_index, 2u);
}

TEST(Accelerator, BusErrorIsReported) {
  const Network net = make("lenet5", Scheme::Binary);
  const RunResult r = run_and_compare(net, random_input(net, 7), AccelParams{},
                                      [](LoweredNetwork& L) { patch_descriptor(L, 1, [](LayerDescriptor& d) { d.in_addr = 1ull << 40; }); });
  EXPECT_EQ(r.error, regs::kErrorBusError);
  EXPECT_EQ(r.error_index, 1u);
}

TEST(Accelerator, HardwiredDecryptorRefusesAnotherMatrix) {
  NetgenOptions o;
  o.scheme = Scheme::Flexor;
  o.xor_seed = 99;
  const Network net = make_network(o);
  EXPECT_THROW(lower_network(net, hw_caps(AccelParams{}), 0x1000, "lenet5"), Error);
}

TEST(Accelerator, ProgrammableDecryptorRunsAnyMatrix) {
  NetgenOptions o;
  o.scheme = Scheme::Flexor;
  o.xor_seed = 99;
  o.explicit_matrix = true;
  AccelParams p;
  p.programmable_matrix = true;
  expect_bit_exact(make_network(o), p);
}

TEST(Accelerator, ProgrammableDecryptorRunsNarrowerSlices) {
  for (int n_in : {12, 8}) {  // 0.6 and 0.4 bits per weight on a 16/20 decryptor
    NetgenOptions o;
    o.network = "resnet20";
    o.scheme = Scheme::Flexor;
    o.n_in = n_in;
    AccelParams p;
    p.programmable_matrix = true;
    EXPECT_NO_THROW(lower_network(make_network(o), hw_caps(p), 0x1000, "resnet20"));
    AccelParams hardwired;
    EXPECT_THROW(lower_network(make_network(o), hw_caps(hardwired), 0x1000, "resnet20"), Error);
  }
  NetgenOptions o;
  o.network = "resnet20";
  o.scheme = Scheme::Flexor;
  o.n_in = 8;
  AccelParams p;
  p.programmable_matrix = true;
  expect_bit_exact(make_network(o), p);
}

TEST(Accelerator, OneBitActivationsXnor) {
  NetgenOptions o;
  o.network = "mlp";
  o.scheme = Scheme::Binary;
  o.act_bits = 1;
  expect_bit_exact(make_network(o));
}

TEST(Accelerator, ChannelTilesOuterAndSmallBuffers) {
  AccelParams p;
  p.weight_buf_bytes = 8 << 10;
  p.act_buf_bytes = 16 << 10;
  p.acc_buf_bytes = 8 << 10;
  expect_bit_exact(make("resnet20", Scheme::Bcq, 2), p);
}

// Every conv layer of the lowered network switched to `df` (tiles kept, so they still fit).
std::function<void(LoweredNetwork&)> force_dataflow(Dataflow df, uint32_t col_groups) {
  return [=](LoweredNetwork& L) {
    for (size_t i = 0; i < L.descriptors.size(); ++i)
      if (L.descriptors[i].opcode == static_cast<uint32_t>(Opcode::Conv))
        patch_descriptor(L, i, [&](LayerDescriptor& d) { d.dataflow = static_cast<uint8_t>(df), d.col_groups = static_cast<uint8_t>(col_groups); });
  };
}

TEST(Dataflow, ReductionParallelIsBitExact) {
  const Network net = make("resnet20", Scheme::Ternary);
  const RunResult r = run_and_compare(net, random_input(net, 7), AccelParams{}, force_dataflow(Dataflow::ReductionParallel, 1));
  ASSERT_EQ(r.error, regs::kErrorNone) << "descriptor " << r.error_index;
  EXPECT_EQ(r.mismatch, "");
}

TEST(Dataflow, ColumnGroupsAreBitExact) {
  AccelParams p;
  p.act_lanes = 4;
  const Network net = make("resnet20", Scheme::Flexor);
  const RunResult r = run_and_compare(net, random_input(net, 7), p, force_dataflow(Dataflow::OutputParallel, 4));
  ASSERT_EQ(r.error, regs::kErrorNone) << "descriptor " << r.error_index;
  EXPECT_EQ(r.mismatch, "");
}

TEST(Dataflow, ReductionParallelWithoutAdderTreesIsRejected) {
  AccelParams p;
  p.reduction_tree = false;
  const Network net = make("lenet5", Scheme::Binary);
  const RunResult r = run_and_compare(net, random_input(net, 7), p, [](LoweredNetwork& L) {
    patch_descriptor(L, 2, [](LayerDescriptor& d) { d.dataflow = static_cast<uint8_t>(Dataflow::ReductionParallel); });
  });
  EXPECT_EQ(r.error, regs::kErrorBadDescriptor);
  EXPECT_EQ(r.error_index, 2u);
}

TEST(Dataflow, MoreColumnGroupsThanActivationLanesAreRejected) {
  const Network net = make("lenet5", Scheme::Binary);
  const RunResult r = run_and_compare(net, random_input(net, 7), AccelParams{}, [](LoweredNetwork& L) {
    patch_descriptor(L, 2, [](LayerDescriptor& d) { d.dataflow = 0, d.col_groups = 2; });  // one lane
  });
  EXPECT_EQ(r.error, regs::kErrorBadDescriptor);
  EXPECT_EQ(r.error_index, 2u);
}

TEST(Dataflow, WindowsAddUpAndTheirAttributionCoversThem) {
  AccelParams p;
  p.act_lanes = 4, p.pe_rows = p.pe_cols = 32;
  const Network net = make("resnet20", Scheme::Flexor);
  const RunResult r = run_and_compare(net, random_input(net, 7), p);
  ASSERT_EQ(r.error, regs::kErrorNone);
  EXPECT_EQ(r.mismatch, "");
  uint64_t windows = 0;
  for (const LayerStats& s : r.layers) {
    windows += s.window_cycles;
    double attributed = 0;
    for (double c : s.bound_cycles) attributed += c;
    EXPECT_NEAR(attributed, static_cast<double>(s.window_cycles), 1.0) << "layer " << s.index;
  }
  EXPECT_EQ(windows, r.cycles);
}

// Per-layer DRAM attribution: the DMA tags every transfer with its layer (dram::DramTagExtension)
// and the DRAM counts each tag's bytes and row-buffer outcomes. Every layer's tagged bytes equal
// what the accelerator says the layer moved, and the tags add up to every burst the DRAM served
// (the host loads and reads device memory by debug transport, outside the DRAM's timing).
TEST(DramAttribution, PerLayerBytesAndRowOutcomes) {
  ArchConfig cfg;
  cfg.dram.standard = dram::Standard::LPDDR4;
  cfg.dram.preset = "LPDDR4-3200";
  const Network net = make("lenet5", Scheme::Flexor);
  const RunResult r = run_and_compare(net, random_input(net, 7), AccelParams{}, nullptr, nullptr, std::make_unique<DramMemoryModel>(cfg));
  ASSERT_EQ(r.error, regs::kErrorNone);
  EXPECT_EQ(r.mismatch, "");
  ASSERT_TRUE(r.memory.has_rows);
  ASSERT_EQ(r.memory.tags.size(), r.layers.size());
  uint64_t tagged_bursts = 0, hits = 0;
  for (const LayerStats& s : r.layers) {
    const TagCounters& t = r.memory.tags[s.index];
    EXPECT_EQ(t.bytes_read, s.dram_read_bytes) << "layer " << s.index;
    EXPECT_EQ(t.bytes_written, s.dram_write_bytes) << "layer " << s.index;
    EXPECT_GT(t.row_hits + t.row_misses + t.row_conflicts, 0u) << "layer " << s.index;
    tagged_bursts += t.row_hits + t.row_misses + t.row_conflicts;
    hits += t.row_hits;
  }
  const uint64_t all = r.memory.row_hits + r.memory.row_misses + r.memory.row_conflicts;
  EXPECT_EQ(tagged_bursts, all);
  EXPECT_GT(hits, tagged_bursts / 2);  // the DMA streams: mostly row hits
}

// The mapper's cost model against the model it predicts, on the harness's ideal memory (whose
// bandwidth and latency the capability registers report): whole network within 10%.
TEST(Dataflow, MapperPredictsTheSimulatedCycles) {
  const Network net = make("resnet20", Scheme::Flexor);
  const RunResult r = run_and_compare(net, random_input(net, 7), AccelParams{});
  ASSERT_EQ(r.error, regs::kErrorNone);
  double predicted = 0;
  for (const CostEstimate& c : r.lowered.predicted) predicted += c.cycles;
  EXPECT_NEAR(predicted, static_cast<double>(r.cycles), 0.10 * r.cycles);
}

// Buffered decryption expands each weight set once, as it loads: every slice that covers a
// channel tile, once per load.
TEST(Decryption, BufferedDecryptsEachLoadOnce) {
  AccelParams p;
  p.programmable_matrix = true;
  NetgenOptions o;
  o.network = "resnet20";
  o.scheme = Scheme::Flexor;
  o.n_in = 8;
  const Network net = make_network(o);
  const RunResult r = run_and_compare(net, random_input(net, 7), p);
  ASSERT_EQ(r.error, regs::kErrorNone);
  EXPECT_EQ(r.mismatch, "");
  for (const LayerStats& s : r.layers) {
    const LayerDescriptor& d = r.lowered.descriptors[s.index];
    if (d.weight_format != static_cast<uint32_t>(WeightFormat::Flexor)) {
      EXPECT_EQ(s.decrypted_bits, 0u);
      continue;
    }
    const LayerMapping& m = r.lowered.mappings[s.index];
    const uint64_t k = reduction_length(d), row_tiles = (d.out_h + m.tile_rows - 1) / m.tile_rows;
    const bool reload = !m.channels_outer && m.tile_channels < d.out_c;
    uint64_t bits = 0;
    for (uint32_t o0 = 0; o0 < d.out_c; o0 += m.tile_channels) {
      const uint64_t oc = std::min(m.tile_channels, d.out_c - o0);
      bits += ((o0 + oc) * k + d.n_out - 1) / d.n_out * d.n_out - o0 * k / d.n_out * d.n_out;
    }
    EXPECT_EQ(s.decrypted_bits, bits * (reload ? row_tiles : 1)) << "layer " << s.index;
    EXPECT_EQ(s.decrypt_stall_cycles, 0u);
  }
}

// Streaming decryption keeps the weights encrypted in the buffer and expands them on every pass:
// bit-exact, more XOR activity than one expansion per load, and a PE array that waits for it when
// one unit cannot keep up with a reduction-parallel reload.
TEST(Decryption, StreamingIsBitExactAndDecryptsEveryPass) {
  AccelParams p;
  p.streaming_decrypt = true;
  p.decrypt_units = 1;
  const Network net = make("lenet5", Scheme::Flexor);
  const RunResult r = run_and_compare(net, random_input(net, 7), p);
  ASSERT_EQ(r.error, regs::kErrorNone);
  EXPECT_EQ(r.mismatch, "");
  bool stalled = false;
  for (const LayerStats& s : r.layers) {
    const LayerDescriptor& d = r.lowered.descriptors[s.index];
    if (d.weight_format != static_cast<uint32_t>(WeightFormat::Flexor)) continue;
    const uint64_t once = (static_cast<uint64_t>(d.out_c) * reduction_length(d) + d.n_out - 1) / d.n_out * d.n_out;
    EXPECT_GE(s.decrypted_bits, once) << "layer " << s.index;
    EXPECT_EQ(s.decrypt_cycles, 0u);  // nothing decrypted on load
    if (d.out_h * d.out_w > static_cast<uint32_t>(p.pe_rows)) {
      EXPECT_GT(s.decrypted_bits, once) << "layer " << s.index << " has several position groups";
    }
    EXPECT_GT(s.xor_gate_ops, 0u);
    stalled |= s.decrypt_stall_cycles > 0;
    if (s.decrypt_stall_cycles > s.window_cycles / 2) {
      EXPECT_EQ(s.bound(), Bound::Decrypt) << "layer " << s.index;
    }
  }
  EXPECT_TRUE(stalled) << "one 20-bit unit feeding a 16x16 reduction-parallel reload should hold the array back";
}

}  // namespace
}  // namespace subbit::test
