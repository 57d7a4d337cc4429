// The accelerator's parameters, as the architecture config describes them (one source of truth:
// configs/*.yaml -> ArchConfig -> AccelParams).
#pragma once
#include <cstdint>

#include "quant/xor_matrix.h"

namespace subbit {

struct AccelParams {
  double clock_mhz = 500;
  int pe_rows = 16, pe_cols = 16;
  int act_bits = 8, acc_bits = 32, alpha_bits = 8;
  int decrypt_units = 1, n_in = 16, n_out = 20, n_tap = 2;
  bool programmable_matrix = false;
  XorFill fill = XorFill::Tap;
  uint64_t xor_seed = 1;
  uint64_t weight_buf_bytes = 64 << 10, act_buf_bytes = 128 << 10, acc_buf_bytes = 32 << 10;
  int dma_burst_bytes = 64, dma_outstanding = 8;
  int post_lanes = 16;       // post-processing elements per cycle
  bool zero_skip = true;     // ternary / signed-binary zero-skipping datapath
  int layer_setup_cycles = 16;  // command processor: per descriptor, after the fetch
};

}  // namespace subbit
