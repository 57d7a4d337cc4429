// Lowering: a validated Network -> the device memory image (weights stored exactly as in the file,
// encrypted FleXOR planes included), activation placement, and one layer descriptor per layer with
// tile sizes chosen for the hardware's buffers. Used by the driver and by register-level tests.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "hwif/caps.h"
#include "hwif/descriptor.h"
#include "hwif/tiling.h"
#include "runtime/mapper.h"
#include "netfile/network.h"

namespace subbit {

struct MemSegment {
  uint64_t addr = 0;
  std::vector<uint8_t> bytes;
};

struct LoweredNetwork {
  std::vector<LayerDescriptor> descriptors;
  std::vector<int> descriptor_node;      // node index each descriptor computes
  std::vector<uint64_t> node_addr;       // device address of every node's output (CHW bytes)
  std::vector<MemSegment> image;         // weights, parameters and descriptors to load once
  uint64_t desc_addr = 0;
  uint64_t input_addr = 0, output_addr = 0;
  size_t input_bytes = 0, output_bytes = 0;
  uint64_t end_addr = 0;                 // first free device address
  uint64_t weight_bytes = 0;             // stored weight bytes placed in the image
  std::vector<LayerMapping> mappings;    // per descriptor, as the mapper chose it
  std::vector<CostEstimate> predicted;   // per descriptor, the cost model's prediction for it
  std::string mapper;                    // which mapper chose them
};

// Throws subbit::Error naming the network and layer when the hardware cannot run it (a FleXOR
// layer whose M⊕ differs from a hard-wired decryptor, a tile that fits no buffer, ...).
// `mapper` chooses every layer's dataflow, tiles and loop order (runtime/mapper.h).
LoweredNetwork lower_network(const Network& net, const HwCaps& hw, uint64_t base_addr, const std::string& where,
                             MapperKind mapper = MapperKind::Search);

// What the cost model knows of descriptor `index` (computing `node`) besides the descriptor:
// zero-skipping statistics and the layer before it (L holds descriptors, mappings and predictions
// up to index - 1). `d` is the descriptor itself.
LayerContext layer_context(const Network& net, const LoweredNetwork& L, size_t index, const LayerDescriptor& d, int node);

// Non-zero weights per output channel for each PE pass of a zero-skipping layer (ternary,
// signed-binary); empty for other layers. What the cost model needs to predict zero-skipping.
std::vector<std::vector<uint32_t>> effectual_weights(const QuantWeights& w);

// Activation bytes <-> golden values (int16) for a given type: signed types are two's complement.
void values_to_bytes(const int16_t* v, size_t n, uint8_t* out);
void bytes_to_values(const uint8_t* b, size_t n, bool is_signed, int16_t* out);

}  // namespace subbit
