#include "hwif/caps.h"

#include "hwif/registers.h"

namespace subbit {

XorMatrix HwCaps::matrix() const {
  return XorMatrix::generate(n_out, n_in, random_fill ? XorFill::Random : XorFill::Tap, n_tap, xor_seed);
}

namespace {
uint32_t u32(double v) { return static_cast<uint32_t>(v + 0.5); }
}  // namespace

std::vector<std::pair<uint32_t, uint32_t>> pack_caps(const HwCaps& c) {
  using namespace regs;
  auto u = [](int v) { return static_cast<uint32_t>(v); };
  return {
      {CAP_PE, u(c.pe_rows) << 16 | u(c.pe_cols)},
      {CAP_PE_FLAGS, (c.reduction_tree ? 1u : 0u) | u(c.act_lanes) << 8 | u(c.post_lanes) << 16},
      {CAP_DECRYPT, u(c.decrypt_units) << 24 | u(c.n_tap) << 16 | u(c.n_out) << 8 | u(c.n_in)},
      {CAP_DECRYPT_FLAGS, (c.programmable_matrix ? 1u : 0u) | (c.random_fill ? 2u : 0u) | (c.streaming_decrypt ? 4u : 0u)},
      {XOR_SEED_LO, static_cast<uint32_t>(c.xor_seed)},
      {XOR_SEED_HI, static_cast<uint32_t>(c.xor_seed >> 32)},
      {CAP_WEIGHT_BUF, static_cast<uint32_t>(c.weight_buf_bytes)},
      {CAP_ACT_BUF, static_cast<uint32_t>(c.act_buf_bytes)},
      {CAP_ACC_BUF, static_cast<uint32_t>(c.acc_buf_bytes)},
      {CAP_WIDTHS, u(c.act_bits) | u(c.acc_bits) << 8 | u(c.alpha_bits) << 16},
      {CAP_CLOCK_KHZ, u32(c.clock_mhz * 1000)},
      {CAP_FEATURES, c.features},
      {CAP_DMA, u(c.dma_burst_bytes) << 16 | u(c.dma_outstanding)},
      {CAP_MEM_PEAK_MBPS, u32(c.mem_peak_gbps * 1000)},
      {CAP_MEM_SUSTAINED_MBPS, u32(c.mem_sustained_gbps * 1000)},
      {CAP_MEM_LATENCY_NS, (u32(c.mem_latency_ns) & 0xFFFF) | u(c.mem_burst_bytes) << 16},
      {CAP_MEM_GEOMETRY, u(c.mem_channels) | (c.mem_interleave_bytes ? static_cast<uint32_t>(__builtin_ctzll(c.mem_interleave_bytes)) << 8 : 0u)},
  };
}

HwCaps unpack_caps(const std::function<uint32_t(uint32_t)>& read) {
  using namespace regs;
  HwCaps c;
  uint32_t v = read(CAP_PE);
  c.pe_rows = static_cast<int>(v >> 16), c.pe_cols = static_cast<int>(v & 0xFFFF);
  v = read(CAP_PE_FLAGS);
  c.reduction_tree = v & 1u;
  c.act_lanes = static_cast<int>((v >> 8) & 0xFF);
  c.post_lanes = static_cast<int>((v >> 16) & 0xFFFF);
  v = read(CAP_DECRYPT);
  c.decrypt_units = static_cast<int>(v >> 24), c.n_tap = static_cast<int>((v >> 16) & 0xFF);
  c.n_out = static_cast<int>((v >> 8) & 0xFF), c.n_in = static_cast<int>(v & 0xFF);
  v = read(CAP_DECRYPT_FLAGS);
  c.programmable_matrix = v & 1u;
  c.random_fill = v & 2u;
  c.streaming_decrypt = v & 4u;
  c.xor_seed = read(XOR_SEED_LO) | static_cast<uint64_t>(read(XOR_SEED_HI)) << 32;
  c.weight_buf_bytes = read(CAP_WEIGHT_BUF);
  c.act_buf_bytes = read(CAP_ACT_BUF);
  c.acc_buf_bytes = read(CAP_ACC_BUF);
  v = read(CAP_WIDTHS);
  c.act_bits = static_cast<int>(v & 0xFF), c.acc_bits = static_cast<int>((v >> 8) & 0xFF), c.alpha_bits = static_cast<int>((v >> 16) & 0xFF);
  c.clock_mhz = read(CAP_CLOCK_KHZ) / 1000.0;
  c.features = read(CAP_FEATURES);
  v = read(CAP_DMA);
  c.dma_burst_bytes = static_cast<int>(v >> 16), c.dma_outstanding = static_cast<int>(v & 0xFFFF);
  c.mem_peak_gbps = read(CAP_MEM_PEAK_MBPS) / 1000.0;
  c.mem_sustained_gbps = read(CAP_MEM_SUSTAINED_MBPS) / 1000.0;
  v = read(CAP_MEM_LATENCY_NS);
  c.mem_latency_ns = v & 0xFFFF;
  c.mem_burst_bytes = static_cast<int>(v >> 16);
  v = read(CAP_MEM_GEOMETRY);
  c.mem_channels = static_cast<int>(v & 0xFF);
  c.mem_interleave_bytes = (v >> 8) & 0xFF ? uint64_t{1} << ((v >> 8) & 0xFF) : 0;
  return c;
}

}  // namespace subbit
