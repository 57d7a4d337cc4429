// The TLM accelerator model against the golden reference, layer by layer, through its registers.
#include <gtest/gtest.h>

#include <cstring>

#include "harness.h"
#include "quant/error.h"
#include "netgen/netgen.h"

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

}  // namespace
}  // namespace subbit::test
