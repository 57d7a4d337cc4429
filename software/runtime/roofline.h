// The roofline bound of a layer: a physical limit, not what a mapping happens to do. Compute: the
// layer's MACs at the array's peak (rows x cols weight-bit MACs per cycle, so a q-plane layer needs
// q passes). Memory: the compulsory traffic (every stored weight byte, the input and the output,
// each moved once) at the device memory's JEDEC peak bandwidth. The bound is the larger.
#pragma once
#include <cstdint>

#include "hwif/caps.h"
#include "hwif/descriptor.h"

namespace subbit {

struct Roofline {
  uint64_t macs = 0;
  uint64_t compulsory_bytes = 0;
  double compute_cycles = 0, memory_cycles = 0;
  double cycles() const { return compute_cycles > memory_cycles ? compute_cycles : memory_cycles; }
  bool memory_bound() const { return memory_cycles >= compute_cycles; }
};

Roofline layer_roofline(const LayerDescriptor& d, const HwCaps& hw);

}  // namespace subbit
