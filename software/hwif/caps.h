// What the hardware tells the driver through its capability registers, and the one packing of it
// into those registers: the register block (TLM model, RTL), the driver and test doubles all use
// pack_caps()/unpack_caps(), so the bit layout is written once.
#pragma once
#include <cstdint>
#include <functional>
#include <utility>
#include <vector>

#include "quant/xor_matrix.h"

namespace subbit {

struct HwCaps {
  int pe_rows = 16, pe_cols = 16;
  int act_lanes = 1;           // activation lanes per PE row (most column groups of the output-parallel dataflow)
  bool reduction_tree = true;  // per-column adder trees (reduction-parallel dataflow)
  int decrypt_units = 1, n_in = 16, n_out = 20, n_tap = 2;
  bool programmable_matrix = false;
  bool streaming_decrypt = false;  // weights stay encrypted in the buffer and are decrypted on every pass
  bool random_fill = false;
  uint64_t xor_seed = 1;
  uint64_t weight_buf_bytes = 64 << 10, act_buf_bytes = 128 << 10, acc_buf_bytes = 32 << 10;
  int act_bits = 8, acc_bits = 32, alpha_bits = 8;
  uint32_t features = ~0u;
  double clock_mhz = 500;
  int dma_burst_bytes = 64, dma_outstanding = 8;
  int post_lanes = 16;  // post-processing elements per cycle
  // Device memory as the platform describes it (the mapper's cost model needs it).
  double mem_peak_gbps = 12.8, mem_sustained_gbps = 12.8, mem_latency_ns = 60;
  int mem_burst_bytes = 32;  // the memory's access granularity: a shorter access still costs one burst
  int mem_channels = 1;      // independent memory channels
  uint64_t mem_interleave_bytes = 0;  // consecutive addresses change channel every this many bytes (0: one channel)

  uint64_t weight_half() const { return weight_buf_bytes / 2; }
  uint64_t act_half() const { return act_buf_bytes / 2; }
  uint64_t acc_half() const { return acc_buf_bytes / 2; }
  XorMatrix matrix() const;  // the hard-wired M⊕
};

// (register offset, value) for every capability register.
std::vector<std::pair<uint32_t, uint32_t>> pack_caps(const HwCaps& c);
// Reads them back through `read` (register offset -> value).
HwCaps unpack_caps(const std::function<uint32_t(uint32_t)>& read);

}  // namespace subbit
