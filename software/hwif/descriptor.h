// Layer descriptors: what the driver writes to device memory and the command processor fetches.
// One descriptor runs one layer; the hardware walks its tiles (rows x output channels) with
// double-buffered loads, using the mapping the driver's mapper chose: tile sizes for the buffer
// sizes, tile loop order, and the PE-array dataflow (docs/accelerator.md, "Dataflow").
#pragma once
#include <cstdint>
#include <cstring>
#include <type_traits>

namespace subbit {

enum class Opcode : uint32_t { Conv = 1, MaxPool = 2, AvgPool = 3, Add = 4, Requant = 5 };

// How a conv's weights are stored in device memory (exactly as in the network file).
enum class WeightFormat : uint32_t { Int8 = 0, BitPlanes = 1, Flexor = 2, SignedBinary = 3 };

// How a conv layer's loops are spread over the PE array (docs/accelerator.md has the loop nests).
enum class Dataflow : uint8_t {
  // Rows <- output positions, columns <- output channels x col_groups position groups, time <-
  // reduction (C*R*S). Each PE accumulates one output (output stationary).
  OutputParallel = 0,
  // Rows <- a chunk of the reduction, columns <- output channels, one adder tree per column, time
  // <- output positions (weights stationary in the PEs while positions stream).
  ReductionParallel = 1,
};

enum : uint32_t {
  kDescRelu = 1u << 0,
  kDescZeroSkip = 1u << 1,   // skip zero weights (ternary bit planes, signed-binary)
  kDescTernary = 1u << 2,    // bit planes are a ternary pair: zero where b0 != b1
  kDescInSigned = 1u << 3,
  kDescOutSigned = 1u << 4,
  kDescIn2Signed = 1u << 5,
  kDescPerTensor = 1u << 6,  // requant: one mult/bias for all channels
  kDescChannelsOuter = 1u << 7,  // tile loop: channel tiles outer (weights loaded once per channel tile)
};

struct LayerDescriptor {
  uint32_t opcode = 0;
  uint32_t flags = 0;
  uint32_t in_c = 0, in_h = 0, in_w = 0;
  uint32_t out_c = 0, out_h = 0, out_w = 0;
  uint32_t kh = 1, kw = 1, sh = 1, sw = 1, ph = 0, pw = 0;
  uint32_t in_bits = 8, in2_bits = 8, out_bits = 8;
  // Conv weights: format, planes, FleXOR slice shape, signed-binary region.
  uint32_t weight_format = 0, q = 1, n_in = 0, n_out = 0, region = 0;
  uint32_t shift = 0;
  int32_t mult_a = 0, mult_b = 0;  // add: input multipliers; avgpool: mult_a is the multiplier
  int64_t bias = 0;                // add: bias
  // Tiling chosen by the driver: output rows and output channels per tile.
  uint32_t tile_rows = 0, tile_channels = 0;
  uint8_t dataflow = 0;    // Dataflow
  uint8_t col_groups = 0;  // OutputParallel: position groups across the columns (0 means 1)
  uint16_t reserved0 = 0;
  // Device addresses.
  uint64_t in_addr = 0, in2_addr = 0, out_addr = 0;
  uint64_t weight_addr = 0;  // planes / encrypted planes / int8 weights / signed-binary mask
  uint64_t alpha_addr = 0, signs_addr = 0, matrix_addr = 0;
  uint64_t mult_addr = 0, bias_addr = 0;  // per-channel requantization (I32, I64)
  uint64_t reserved1 = 0;
};

static_assert(std::is_trivially_copyable_v<LayerDescriptor>);
constexpr uint32_t kDescriptorBytes = 256;
static_assert(sizeof(LayerDescriptor) <= kDescriptorBytes, "descriptor must fit its 256-byte slot");

}  // namespace subbit
