// Lowering: a validated Network -> the device memory image (weights stored exactly as in the file,
// encrypted FleXOR planes included), activation placement, and one layer descriptor per layer with
// tile sizes chosen for the hardware's buffers. Used by the driver and by register-level tests.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "hwif/descriptor.h"
#include "hwif/tiling.h"
#include "netfile/network.h"

namespace subbit {

// What the driver learns from the capability registers.
struct HwCaps {
  int pe_rows = 16, pe_cols = 16;
  int decrypt_units = 1, n_in = 16, n_out = 20, n_tap = 2;
  bool programmable_matrix = false;
  bool random_fill = false;
  uint64_t xor_seed = 1;
  uint64_t weight_buf_bytes = 64 << 10, act_buf_bytes = 128 << 10, acc_buf_bytes = 32 << 10;
  int act_bits = 8, acc_bits = 32, alpha_bits = 8;
  uint32_t features = ~0u;
  double clock_mhz = 500;

  uint64_t weight_half() const { return weight_buf_bytes / 2; }
  uint64_t act_half() const { return act_buf_bytes / 2; }
  uint64_t acc_half() const { return acc_buf_bytes / 2; }
  XorMatrix matrix() const;  // the hard-wired M⊕
};

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
};

// Throws subbit::Error naming the network and layer when the hardware cannot run it (a FleXOR
// layer whose M⊕ differs from a hard-wired decryptor, a tile that fits no buffer, ...).
LoweredNetwork lower_network(const Network& net, const HwCaps& hw, uint64_t base_addr, const std::string& where);

// Activation bytes <-> golden values (int16) for a given type: signed types are two's complement.
void values_to_bytes(const int16_t* v, size_t n, uint8_t* out);
void bytes_to_values(const uint8_t* b, size_t n, bool is_signed, int16_t* out);

}  // namespace subbit
