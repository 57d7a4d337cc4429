#include "runtime/roofline.h"

#include "hwif/tiling.h"

namespace subbit {

Roofline layer_roofline(const LayerDescriptor& d, const HwCaps& hw) {
  Roofline r;
  const auto op = static_cast<Opcode>(d.opcode);
  const uint64_t in = static_cast<uint64_t>(d.in_c) * d.in_h * d.in_w, out = static_cast<uint64_t>(d.out_c) * d.out_h * d.out_w;
  r.compulsory_bytes = in * (op == Opcode::Add ? 2 : 1) + out;
  if (op == Opcode::Conv) {
    r.macs = out * reduction_length(d);
    r.compulsory_bytes += weight_ranges(d, 0, d.out_c).total_bytes();
    r.compute_cycles = static_cast<double>(r.macs) * pe_passes(d) / (static_cast<double>(hw.pe_rows) * hw.pe_cols);
  }
  r.memory_cycles = r.compulsory_bytes / (hw.mem_peak_gbps * 1e3 / hw.clock_mhz);
  return r;
}

}  // namespace subbit
