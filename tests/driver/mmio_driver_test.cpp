// The driver on its memory-mapped back-end, against a fake register file and device memory. A
// fake device thread plays the chip: it waits for CTRL.start, computes the network with the golden
// reference from the input the driver copied in, writes the output and raises STATUS.done.
#include <gtest/gtest.h>

#include <map>

#include <atomic>
#include <chrono>
#include <cstring>
#include <thread>

#include "driver/driver.h"
#include "driver/mmio_hal.h"
#include "golden/golden.h"
#include "hwif/registers.h"
#include "netgen/netgen.h"

namespace subbit::driver {
namespace {

constexpr uint64_t kMemBase = 0x10000;
constexpr size_t kMemSize = 8 << 20;

struct FakeChip {
  std::vector<uint32_t> regs = std::vector<uint32_t>(regs::REG_SPACE_BYTES / 4, 0);
  std::vector<uint8_t> mem = std::vector<uint8_t>(kMemSize, 0);
  uint32_t& reg(uint32_t off) { return regs[off / 4]; }
  FakeChip() {
    reg(regs::ID) = regs::kIdValue;
    reg(regs::VERSION) = regs::kVersionValue;
    reg(regs::CAP_PE) = 16u << 16 | 16u;
    reg(regs::CAP_DECRYPT) = 1u << 24 | 2u << 16 | 20u << 8 | 16u;
    reg(regs::XOR_SEED_LO) = 1;
    reg(regs::CAP_WEIGHT_BUF) = 64 << 10;
    reg(regs::CAP_ACT_BUF) = 128 << 10;
    reg(regs::CAP_ACC_BUF) = 32 << 10;
    reg(regs::CAP_WIDTHS) = 8u | 32u << 8 | 8u << 16;
    reg(regs::CAP_CLOCK_KHZ) = 500000;
    reg(regs::CAP_FEATURES) = ~0u;
    reg(regs::CAP_PE_FLAGS) = 1u | 4u << 8 | 16u << 16;  // adder trees, 4 activation lanes, 16 post lanes
    reg(regs::CAP_DMA) = 64u << 16 | 32u;
    reg(regs::CAP_MEM_PEAK_MBPS) = 6400;
    reg(regs::CAP_MEM_SUSTAINED_MBPS) = 5940;
    reg(regs::CAP_MEM_LATENCY_NS) = 60 | 32u << 16;
    reg(regs::CAP_MEM_GEOMETRY) = 1;  // one channel
  }
};

Network small_net() {
  NetgenOptions o;
  o.network = "mlp";
  o.scheme = Scheme::Flexor;
  return make_network(o);
}

TEST(MmioDriver, DiscoversTheHardwareFromCapabilityRegisters) {
  FakeChip chip;
  MmioHal hal(chip.regs.data(), chip.mem.data(), kMemBase, kMemSize);
  Driver drv(hal);
  ASSERT_EQ(drv.open(), Status::Ok) << drv.message();
  EXPECT_EQ(drv.caps().pe_rows, 16);
  EXPECT_EQ(drv.caps().n_in, 16);
  EXPECT_EQ(drv.caps().n_out, 20);
  EXPECT_EQ(drv.caps().xor_seed, 1u);
  EXPECT_EQ(drv.caps().weight_buf_bytes, 64u << 10);
  EXPECT_DOUBLE_EQ(drv.caps().clock_mhz, 500.0);
  EXPECT_TRUE(drv.caps().reduction_tree);
  EXPECT_EQ(drv.caps().act_lanes, 4);
  EXPECT_EQ(drv.caps().post_lanes, 16);
  EXPECT_EQ(drv.caps().dma_outstanding, 32);
  EXPECT_DOUBLE_EQ(drv.caps().mem_sustained_gbps, 5.94);
  EXPECT_DOUBLE_EQ(drv.caps().mem_latency_ns, 60.0);
  EXPECT_EQ(drv.caps().mem_burst_bytes, 32);
}

TEST(MmioDriver, CapabilityPackingRoundTrips) {
  HwCaps c;
  c.pe_rows = 64, c.pe_cols = 32, c.act_lanes = 8, c.reduction_tree = false, c.post_lanes = 48;
  c.decrypt_units = 12, c.n_in = 8, c.n_out = 20, c.n_tap = 3, c.programmable_matrix = true, c.streaming_decrypt = true;
  c.xor_seed = 0x123456789abcdefull, c.mem_peak_gbps = 38.4, c.mem_sustained_gbps = 36.7, c.mem_latency_ns = 31, c.mem_burst_bytes = 64, c.mem_channels = 2, c.mem_interleave_bytes = 64;
  std::map<uint32_t, uint32_t> file;
  for (const auto& [off, v] : pack_caps(c)) EXPECT_TRUE(file.emplace(off, v).second) << "register " << off << " packed twice";
  const HwCaps r = unpack_caps([&](uint32_t off) { return file.count(off) ? file[off] : 0u; });
  EXPECT_EQ(r.pe_rows, 64);
  EXPECT_EQ(r.pe_cols, 32);
  EXPECT_EQ(r.act_lanes, 8);
  EXPECT_FALSE(r.reduction_tree);
  EXPECT_EQ(r.post_lanes, 48);
  EXPECT_EQ(r.decrypt_units, 12);
  EXPECT_EQ(r.n_in, 8);
  EXPECT_EQ(r.n_tap, 3);
  EXPECT_TRUE(r.programmable_matrix);
  EXPECT_TRUE(r.streaming_decrypt);
  EXPECT_EQ(r.xor_seed, c.xor_seed);
  EXPECT_DOUBLE_EQ(r.mem_peak_gbps, 38.4);
  EXPECT_DOUBLE_EQ(r.mem_sustained_gbps, 36.7);
  EXPECT_DOUBLE_EQ(r.mem_latency_ns, 31.0);
  EXPECT_EQ(r.mem_burst_bytes, 64);
  EXPECT_EQ(r.mem_channels, 2);
  EXPECT_EQ(r.mem_interleave_bytes, 64u);
}

TEST(MmioDriver, RefusesADeviceWithAnotherId) {
  FakeChip chip;
  chip.reg(regs::ID) = 0x12345678;
  MmioHal hal(chip.regs.data(), chip.mem.data(), kMemBase, kMemSize);
  Driver drv(hal);
  EXPECT_EQ(drv.open(), Status::NoDevice);
  EXPECT_NE(drv.message().find("ID register"), std::string::npos) << drv.message();
}

TEST(MmioDriver, LoadsWeightsEncryptedAsStored) {
  FakeChip chip;
  MmioHal hal(chip.regs.data(), chip.mem.data(), kMemBase, kMemSize);
  Driver drv(hal);
  ASSERT_EQ(drv.open(), Status::Ok);
  const Network net = small_net();
  LoadedNetwork ln;
  ASSERT_EQ(drv.load_network(net, &ln), Status::Ok) << drv.message();
  // fc2 is FleXOR: its encrypted planes sit in device memory byte for byte as in the file.
  const LayerDescriptor& d = ln.lowered.descriptors[1];
  ASSERT_EQ(d.weight_format, static_cast<uint32_t>(WeightFormat::Flexor));
  const auto& planes = net.nodes[3].weights.planes;
  EXPECT_EQ(std::memcmp(chip.mem.data() + (d.weight_addr - kMemBase), planes.data(), planes.size()), 0);
}

TEST(MmioDriver, RefusesAMatrixTheHardwiredDecryptorLacks) {
  FakeChip chip;
  chip.reg(regs::XOR_SEED_LO) = 7;  // this chip's M⊕ comes from seed 7
  MmioHal hal(chip.regs.data(), chip.mem.data(), kMemBase, kMemSize);
  Driver drv(hal);
  ASSERT_EQ(drv.open(), Status::Ok);
  LoadedNetwork ln;
  EXPECT_EQ(drv.load_network(small_net(), &ln), Status::Unsupported);
  EXPECT_NE(drv.message().find("differs from the hard-wired decryptor"), std::string::npos) << drv.message();
}

TEST(MmioDriver, RunsAnInferenceAgainstAFakeChip) {
  FakeChip chip;
  MmioHal hal(chip.regs.data(), chip.mem.data(), kMemBase, kMemSize);
  Driver drv(hal);
  ASSERT_EQ(drv.open(), Status::Ok);
  const Network net = small_net();
  LoadedNetwork ln;
  ASSERT_EQ(drv.load_network(net, &ln), Status::Ok);
  std::atomic<bool> stop{false};
  std::thread device([&] {
    GoldenModel g(net);
    volatile uint32_t* regs = chip.regs.data();
    while (!stop && !(regs[regs::CTRL / 4] & 1u)) std::this_thread::sleep_for(std::chrono::microseconds(100));
    if (stop) return;
    EXPECT_EQ(regs[regs::DESC_COUNT / 4], ln.lowered.descriptors.size());
    std::vector<int16_t> x(ln.lowered.input_bytes);
    bytes_to_values(chip.mem.data() + (ln.lowered.input_addr - kMemBase), x.size(), net.input().out.is_signed, x.data());
    g.run(x.data());
    values_to_bytes(g.output().data(), g.output().size(), chip.mem.data() + (ln.lowered.output_addr - kMemBase));
    regs[regs::STATUS / 4] = 2u;
  });
  const std::vector<int16_t> x = random_input(net, 3);
  std::vector<int16_t> out(10);
  const Status s = drv.run(ln, x.data(), out.data(), 5'000'000);
  stop = true;
  device.join();
  ASSERT_EQ(s, Status::Ok) << drv.message();
  GoldenModel g(net);
  g.run(x.data());
  EXPECT_EQ(out, g.output());
}

TEST(MmioDriver, TimesOutWhenTheChipNeverFinishes) {
  FakeChip chip;
  MmioHal hal(chip.regs.data(), chip.mem.data(), kMemBase, kMemSize);
  Driver drv(hal);
  ASSERT_EQ(drv.open(), Status::Ok);
  LoadedNetwork ln;
  ASSERT_EQ(drv.load_network(small_net(), &ln), Status::Ok);
  std::vector<int16_t> x(784, 0), out(10);
  EXPECT_EQ(drv.run(ln, x.data(), out.data(), 20'000), Status::Timeout);
  EXPECT_NE(drv.message().find("no interrupt"), std::string::npos);
}

TEST(MmioDriver, ReportsADeviceErrorWithItsDescriptor) {
  FakeChip chip;
  MmioHal hal(chip.regs.data(), chip.mem.data(), kMemBase, kMemSize);
  Driver drv(hal);
  ASSERT_EQ(drv.open(), Status::Ok);
  LoadedNetwork ln;
  ASSERT_EQ(drv.load_network(small_net(), &ln), Status::Ok);
  std::thread device([&] {
    volatile uint32_t* regs = chip.regs.data();
    while (!(regs[regs::CTRL / 4] & 1u)) std::this_thread::sleep_for(std::chrono::microseconds(100));
    regs[regs::ERROR_CODE / 4] = regs::kErrorTileTooLarge;
    regs[regs::ERROR_INDEX / 4] = 2;
    regs[regs::STATUS / 4] = 6u;
  });
  std::vector<int16_t> x(784, 0), out(10);
  EXPECT_EQ(drv.run(ln, x.data(), out.data(), 5'000'000), Status::DeviceError);
  device.join();
  EXPECT_NE(drv.message().find("descriptor 2"), std::string::npos) << drv.message();
}

TEST(MmioDriver, OutOfDeviceMemoryIsAClearError) {
  FakeChip chip;
  MmioHal hal(chip.regs.data(), chip.mem.data(), kMemBase, 64 << 10);  // 64 KiB: too small for the MLP
  Driver drv(hal);
  ASSERT_EQ(drv.open(), Status::Ok);
  LoadedNetwork ln;
  EXPECT_EQ(drv.load_network(small_net(), &ln), Status::OutOfMemory);
  EXPECT_NE(drv.message().find("device memory exhausted"), std::string::npos) << drv.message();
}

}  // namespace
}  // namespace subbit::driver
