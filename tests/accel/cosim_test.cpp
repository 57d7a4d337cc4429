// The co-simulation (subbit run --fidelity rtl) on the simulated platform: the Verilated compute core
// and decryptor compute every tile of a network and agree with the TLM model and the golden
// reference; a wrong RTL output is reported with its descriptor, tile, element and both values.
#include <gtest/gtest.h>

#include "harness.h"
#include "netgen/netgen.h"
#include "quant/error.h"
#include "rtl_cosim.h"
#include "system/arch_params.h"

namespace subbit::test {
namespace {

Network make(const std::string& network, Scheme scheme, double bits = 0) {
  NetgenOptions o;
  o.network = network;
  o.scheme = scheme;
  o.tokens = 8;
  if (bits > 0) o.n_in = static_cast<int>(bits * o.n_out + 0.5), o.explicit_matrix = true;
  return make_network(o);
}

ArchConfig config(const std::string& name) { return load_arch_config(std::string(SUBBIT_SOURCE_DIR) + "/configs/" + name + ".yaml"); }

// The RTL's outputs for one chosen tile, with one byte changed.
class CorruptingCosim : public ComputeCoreCosim {
 public:
  CorruptingCosim(std::unique_ptr<cosim::RtlCosim> rtl, int conv_tile) : rtl_(std::move(rtl)), target_(conv_tile) {}
  CosimTile conv(const LayerDescriptor& d, const WeightSet& ws, uint32_t y0, uint32_t rows, const uint8_t* act, int iy0, int ih) override {
    CosimTile t = rtl_->conv(d, ws, y0, rows, act, iy0, ih);
    if (conv_tiles_++ == target_) t.out.at(3) ^= 0x10;
    return t;
  }
  CosimTile pool(const LayerDescriptor& d, uint32_t y0, uint32_t rows, const uint8_t* act, int iy0, int ih) override {
    return rtl_->pool(d, y0, rows, act, iy0, ih);
  }
  CosimTile add(const LayerDescriptor& d, uint32_t rows, const uint8_t* a, const uint8_t* b) override { return rtl_->add(d, rows, a, b); }
  CosimTile requant(const LayerDescriptor& d, uint32_t rows, const uint8_t* act, const std::vector<int32_t>& m, const std::vector<int64_t>& b) override {
    return rtl_->requant(d, rows, act, m, b);
  }
  Decrypted decrypt(const LayerDescriptor& d, const XorMatrix& m, const WeightSet& ws) override { return rtl_->decrypt(d, m, ws); }

 private:
  std::unique_ptr<cosim::RtlCosim> rtl_;
  int target_, conv_tiles_ = 0;
};

void expect_cosim_exact(const Network& net, const std::string& preset) {
  const ArchConfig cfg = config(preset);
  auto rtl = cosim::make_rtl_cosim(cfg, {});
  const RunResult r = run_and_compare(net, random_input(net, 3), accel_params(cfg), nullptr, rtl.get());
  ASSERT_FALSE(r.timed_out);
  ASSERT_EQ(r.error, regs::kErrorNone);
  EXPECT_EQ(r.cosim_mismatch, "");
  EXPECT_EQ(r.mismatch, "");
  for (const LayerStats& s : r.layers) {
    EXPECT_TRUE(s.cosim) << "descriptor " << s.index;
    EXPECT_EQ(s.pe_cycles, s.tlm_pe_cycles) << "descriptor " << s.index;
    EXPECT_EQ(s.post_cycles, s.tlm_post_cycles) << "descriptor " << s.index;
    EXPECT_EQ(s.rtl_decrypt_cycles, s.decrypt_cycles) << "descriptor " << s.index;
  }
}

TEST(Cosim, LeNet5SignedBinaryMatchesTlmAndGolden) { expect_cosim_exact(make("lenet5", Scheme::SignedBinary), "default"); }
TEST(Cosim, ResNet20TernaryMatchesTlmAndGolden) { expect_cosim_exact(make("resnet20", Scheme::Ternary), "default"); }
TEST(Cosim, MlpProgrammableFlexorMatchesTlmAndGolden) { expect_cosim_exact(make("mlp", Scheme::Flexor, 0.4), "edge-membound"); }

TEST(Cosim, WrongRtlOutputIsNamed) {
  const ArchConfig cfg = config("default");
  const Network net = make("lenet5", Scheme::Binary);
  CorruptingCosim corrupt(cosim::make_rtl_cosim(cfg, {}), 1);
  const RunResult r = run_and_compare(net, random_input(net, 3), accel_params(cfg), nullptr, &corrupt);
  // The platform carries the RTL's outputs on, so golden sees the error too.
  EXPECT_NE(r.mismatch, "");
  EXPECT_NE(r.cosim_mismatch.find("tile 1 "), std::string::npos) << r.cosim_mismatch;
  EXPECT_NE(r.cosim_mismatch.find("element 3 "), std::string::npos) << r.cosim_mismatch;
  EXPECT_NE(r.cosim_mismatch.find("RTL "), std::string::npos) << r.cosim_mismatch;
  EXPECT_NE(r.cosim_mismatch.find(", TLM "), std::string::npos) << r.cosim_mismatch;
  EXPECT_EQ(r.cosim_mismatch.rfind("descriptor ", 0), 0u) << r.cosim_mismatch;
}

TEST(Cosim, ConfigWithoutVerilatedRtlIsRejected) {
  try {
    cosim::make_rtl_cosim(config("large"), {});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("large.yaml"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("default"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace subbit::test
