// What one tile of a layer descriptor touches: the weight byte ranges of an output-channel range,
// the input rows of an output-row range, and the bytes each buffer half must hold. The hardware
// model and the driver's lowering share these, so a tile the driver plans is a tile the model
// accepts.
#pragma once
#include <cstdint>
#include <vector>

#include "hwif/descriptor.h"

namespace subbit {

struct ByteRange {
  uint64_t addr = 0;     // device address of the first byte
  uint64_t bytes = 0;
  uint64_t first_bit = 0;  // bit offset of the range's first element within its first byte's stream
};

// The weight data of output channels [o0, o0 + oc): one range per plane (or the int8 block, or the
// signed-binary mask), then α per plane, signed-binary signs, mult and bias.
struct WeightRanges {
  std::vector<ByteRange> planes;
  std::vector<ByteRange> alpha;
  ByteRange signs, mult, bias;
  uint64_t total_bytes() const;
};

uint64_t reduction_length(const LayerDescriptor& d);  // K = in_c * kh * kw
// PE passes over a conv's weights: one per bit plane; one for int8, signed-binary and zero-skipped
// ternary.
uint32_t pe_passes(const LayerDescriptor& d);
// Pipeline depth of the PE array: weight/activation read, add, accumulate; the reduction-parallel
// dataflow adds its adder tree, one stage per level.
uint64_t pe_pipeline_depth(Dataflow df, int pe_rows);
// Bits per weight the PE array loads in the reduction-parallel dataflow: 8 for int8, 2 for a single
// pass that holds zeros (ternary or signed-binary codes {+1, 0, -1}), else 1 (a sign bit).
uint64_t pe_weight_bits(const LayerDescriptor& d);
// Reduction-parallel: cycles to load a chunk of `kr` reduction rows into the PEs' shadow registers.
// A weight-buffer word is pe_rows x pe_cols bits and fills whole PE rows (pe_rows / weight_bits of
// them), whatever the number of channels the chunk uses.
uint64_t rp_reload_cycles(uint64_t kr, uint64_t weight_bits, int pe_rows);
// Post-processing cycles for `ops` element operations (window reads, for pooling) on `lanes` lanes:
// one beat a cycle, then the operand and requantization registers (kPostPipelineDepth) drain.
constexpr uint64_t kPostPipelineDepth = 2;
uint64_t post_cycles(uint64_t ops, int lanes);
WeightRanges weight_ranges(const LayerDescriptor& d, uint32_t o0, uint32_t oc);

// Input rows that output rows [y0, y0 + rows) read: [iy0, iy0 + ih), clipped to the input.
void tile_input_rows(const LayerDescriptor& d, uint32_t y0, uint32_t rows, int& iy0, int& ih);

// Where FleXOR weights sit in a weight-buffer half: as stored (encrypted: a streaming decryptor
// expands them on every pass) or decrypted on load (a buffered decryptor keeps N_out bits per slice
// instead of N_in). Other formats are always as stored.
enum class WeightStorage { AsStored, Decrypted };

// Weight-buffer bytes that output channels [o0, o0 + oc) occupy.
uint64_t weight_buffer_bytes(const LayerDescriptor& d, uint32_t o0, uint32_t oc, WeightStorage s);
// An upper bound of weight_buffer_bytes() over every start o0, in O(1): the mapper's fast check.
uint64_t weight_buffer_bytes_bound(const LayerDescriptor& d, uint32_t oc, WeightStorage s);

struct TileFootprint {
  uint64_t weight = 0, act = 0, acc = 0;
};
// Worst case over the layer's tiles of `rows` output rows and `channels` output channels.
TileFootprint tile_footprint(const LayerDescriptor& d, uint32_t rows, uint32_t channels, WeightStorage s = WeightStorage::AsStored);
// The activation and accumulator parts of tile_footprint() alone (no walk over channel tiles).
uint64_t act_footprint(const LayerDescriptor& d, uint32_t rows);
uint64_t acc_footprint(const LayerDescriptor& d, uint32_t rows, uint32_t channels);

}  // namespace subbit
