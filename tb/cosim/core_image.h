// What the transactor writes into the compute core for one tile (rtl/compute_core.sv describes the
// layouts): the command and the load words, built from the same tile data the TLM model computes on.
// The im2col address generation that lays the operands out is here, the loader's job.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "accel/compute.h"
#include "hwif/descriptor.h"
#include "rtlgen.h"

namespace subbit::cosim {

enum class CoreOp : uint8_t { Conv = 0, MaxPool = 1, AvgPool = 2, Add = 3, Requant = 4 };
enum class LoadTarget : uint8_t { Wbuf = 0, Wdir = 1, Scale = 2, Mult = 3, Bias = 4, Abuf = 5, Pflag = 6 };

struct CoreCommand {
  CoreOp op = CoreOp::Conv;
  bool dataflow = false;  // reduction-parallel
  uint32_t group_shift = 0, k = 0, positions = 0, channels = 0, passes = 1, wcode = 0;
  bool in_signed = false, in2_signed = false, relu = false, out_signed = false, per_tensor = false;
  uint32_t shift = 0, out_bits = 8;
  int32_t mult_a = 0, mult_b = 0;
  int64_t bias = 0;
  uint32_t count = 0, plane = 0;
};

struct CoreLoad {
  LoadTarget target;
  uint32_t addr;
  std::vector<uint32_t> data;  // ld_bits / 32 words, LSB first
};

struct CoreTileImage {
  CoreCommand cmd;
  std::vector<CoreLoad> loads;
  size_t outputs = 0;  // bytes the store stream must deliver
};

// Each throws subbit::Error when the tile does not fit the core's buffers (naming the buffer).
CoreTileImage conv_image(const CoreGeometry& g, bool zero_skip_hw, const LayerDescriptor& d, const WeightSet& ws, uint32_t y0, uint32_t rows,
                         const uint8_t* act, int iy0, int ih);
CoreTileImage pool_image(const CoreGeometry& g, const LayerDescriptor& d, uint32_t y0, uint32_t rows, const uint8_t* act, int iy0, int ih);
CoreTileImage add_image(const CoreGeometry& g, const LayerDescriptor& d, uint32_t rows, const uint8_t* a, const uint8_t* b);
CoreTileImage requant_image(const CoreGeometry& g, const LayerDescriptor& d, uint32_t rows, const uint8_t* act, const std::vector<int32_t>& mult,
                            const std::vector<int64_t>& bias);

}  // namespace subbit::cosim
