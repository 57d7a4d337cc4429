// The accelerator's parameters, as the architecture config describes them (one source of truth:
// configs/*.yaml -> ArchConfig -> AccelParams).
#pragma once
#include <cstdint>

#include "hwif/registers.h"
#include "quant/xor_matrix.h"
#include "runtime/lowering.h"

namespace subbit {

struct AccelParams {
  double clock_mhz = 500;
  int pe_rows = 16, pe_cols = 16;
  int act_lanes = 1;           // activation lanes per PE row: the most position groups across the columns
  bool reduction_tree = true;  // per-column adder trees: the reduction-parallel dataflow
  int act_bits = 8, acc_bits = 32, alpha_bits = 8;
  int decrypt_units = 1, n_in = 16, n_out = 20, n_tap = 2;
  bool programmable_matrix = false;
  bool streaming_decrypt = false;  // decrypt on every pass into the PE array (weights stay encrypted in the buffer)
  XorFill fill = XorFill::Tap;
  uint64_t xor_seed = 1;
  uint64_t weight_buf_bytes = 64 << 10, act_buf_bytes = 128 << 10, acc_buf_bytes = 32 << 10;
  int dma_burst_bytes = 64, dma_outstanding = 8;
  int post_lanes = 16;       // post-processing elements per cycle
  bool zero_skip = true;     // ternary / signed-binary zero-skipping datapath
  int layer_setup_cycles = 16;  // command processor: per descriptor, after the fetch
  // Device memory as the platform describes it to the driver (for the mapper's cost model).
  double mem_peak_gbps = 12.8, mem_sustained_gbps = 12.8, mem_latency_ns = 60;
  int mem_burst_bytes = 32;
  int mem_channels = 1;
  uint64_t mem_interleave_bytes = 0;
};

// What a driver would read from the capability registers of hardware built with `p`.
inline HwCaps hw_caps(const AccelParams& p) {
  HwCaps c;
  c.pe_rows = p.pe_rows, c.pe_cols = p.pe_cols;
  c.act_lanes = p.act_lanes, c.reduction_tree = p.reduction_tree;
  c.streaming_decrypt = p.streaming_decrypt;
  c.dma_burst_bytes = p.dma_burst_bytes, c.dma_outstanding = p.dma_outstanding;
  c.post_lanes = p.post_lanes;
  c.mem_peak_gbps = p.mem_peak_gbps, c.mem_sustained_gbps = p.mem_sustained_gbps, c.mem_latency_ns = p.mem_latency_ns;
  c.mem_burst_bytes = p.mem_burst_bytes;
  c.mem_channels = p.mem_channels, c.mem_interleave_bytes = p.mem_interleave_bytes;
  c.decrypt_units = p.decrypt_units, c.n_in = p.n_in, c.n_out = p.n_out, c.n_tap = p.n_tap;
  c.programmable_matrix = p.programmable_matrix;
  c.random_fill = p.fill == XorFill::Random;
  c.xor_seed = p.xor_seed;
  c.weight_buf_bytes = p.weight_buf_bytes, c.act_buf_bytes = p.act_buf_bytes, c.acc_buf_bytes = p.acc_buf_bytes;
  c.act_bits = p.act_bits, c.acc_bits = p.acc_bits, c.alpha_bits = p.alpha_bits;
  c.clock_mhz = p.clock_mhz;
  using namespace regs;
  c.features = kFeatureBitPlanes | kFeatureFlexor | kFeatureSignedBinary | kFeatureInt8 | kFeatureXnor | kFeaturePool | kFeatureAdd |
               (p.zero_skip ? kFeatureZeroSkip : 0u);
  return c;
}

}  // namespace subbit
