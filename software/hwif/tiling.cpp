#include "hwif/tiling.h"

#include <algorithm>

namespace subbit {

namespace {
uint64_t ceil_div(uint64_t a, uint64_t b) { return (a + b - 1) / b; }

// The bytes holding bits [b0, b1) of a packed stream at `base`.
ByteRange bit_range(uint64_t base, uint64_t b0, uint64_t b1) {
  ByteRange r;
  r.addr = base + b0 / 8;
  r.bytes = ceil_div(b1, 8) - b0 / 8;
  r.first_bit = b0 % 8;
  return r;
}
}  // namespace

uint64_t WeightRanges::total_bytes() const {
  uint64_t t = signs.bytes + mult.bytes + bias.bytes;
  for (const auto& r : planes) t += r.bytes;
  for (const auto& r : alpha) t += r.bytes;
  return t;
}

uint64_t reduction_length(const LayerDescriptor& d) { return static_cast<uint64_t>(d.in_c) * d.kh * d.kw; }

uint32_t pe_passes(const LayerDescriptor& d) {
  switch (static_cast<WeightFormat>(d.weight_format)) {
    case WeightFormat::Int8:
    case WeightFormat::SignedBinary: return 1;
    case WeightFormat::Flexor: return d.q;
    case WeightFormat::BitPlanes: return ((d.flags & kDescTernary) && (d.flags & kDescZeroSkip)) ? 1 : d.q;
  }
  return 1;
}

uint64_t pe_pipeline_depth(Dataflow df, int pe_rows) {
  uint64_t depth = 3;
  if (df == Dataflow::ReductionParallel)
    for (int levels = 1; levels < pe_rows; levels *= 2) ++depth;
  return depth;
}

uint64_t pe_weight_bits(const LayerDescriptor& d) {
  const auto fmt = static_cast<WeightFormat>(d.weight_format);
  if (fmt == WeightFormat::Int8) return 8;
  return pe_passes(d) == 1 && (fmt == WeightFormat::SignedBinary || (d.flags & kDescTernary)) ? 2 : 1;
}

uint64_t rp_reload_cycles(uint64_t kr, uint64_t weight_bits, int pe_rows) {
  const uint64_t rows = static_cast<uint64_t>(pe_rows < 1 ? 1 : pe_rows);
  return (kr * weight_bits + rows - 1) / rows;
}

uint64_t post_cycles(uint64_t ops, int lanes) {
  const uint64_t l = static_cast<uint64_t>(lanes < 1 ? 1 : lanes);
  return ((ops < 1 ? 1 : ops) + l - 1) / l + kPostPipelineDepth;
}

WeightRanges weight_ranges(const LayerDescriptor& d, uint32_t o0, uint32_t oc) {
  WeightRanges w;
  const uint64_t k = reduction_length(d), n = static_cast<uint64_t>(d.out_c) * k;
  const uint64_t e0 = o0 * k, e1 = (static_cast<uint64_t>(o0) + oc) * k;
  const auto fmt = static_cast<WeightFormat>(d.weight_format);
  const uint32_t planes = fmt == WeightFormat::BitPlanes || fmt == WeightFormat::Flexor ? d.q : 1;
  switch (fmt) {
    case WeightFormat::Int8:
      w.planes.push_back(ByteRange{d.weight_addr + e0, e1 - e0, 0});
      break;
    case WeightFormat::BitPlanes:
    case WeightFormat::SignedBinary:
      for (uint32_t i = 0; i < planes; ++i) w.planes.push_back(bit_range(d.weight_addr + i * ceil_div(n, 8), e0, e1));
      break;
    case WeightFormat::Flexor: {
      const uint64_t plane_bytes = ceil_div(ceil_div(n, d.n_out) * d.n_in, 8);
      const uint64_t s0 = e0 / d.n_out, s1 = ceil_div(e1, d.n_out);
      for (uint32_t i = 0; i < planes; ++i) w.planes.push_back(bit_range(d.weight_addr + i * plane_bytes, s0 * d.n_in, s1 * d.n_in));
      break;
    }
  }
  if (fmt != WeightFormat::Int8)
    for (uint32_t i = 0; i < planes; ++i) w.alpha.push_back(ByteRange{d.alpha_addr + static_cast<uint64_t>(i) * d.out_c + o0, oc, 0});
  if (fmt == WeightFormat::SignedBinary) {
    const uint64_t regions = ceil_div(k, d.region);
    w.signs = bit_range(d.signs_addr, o0 * regions, (static_cast<uint64_t>(o0) + oc) * regions);
  }
  w.mult = ByteRange{d.mult_addr + 4ull * o0, 4ull * oc, 0};
  w.bias = ByteRange{d.bias_addr + 8ull * o0, 8ull * oc, 0};
  return w;
}

void tile_input_rows(const LayerDescriptor& d, uint32_t y0, uint32_t rows, int& iy0, int& ih) {
  const auto op = static_cast<Opcode>(d.opcode);
  if (op == Opcode::Add || op == Opcode::Requant) {
    iy0 = static_cast<int>(y0);
    ih = static_cast<int>(rows);
    return;
  }
  const int first = static_cast<int>(y0 * d.sh) - static_cast<int>(d.ph);
  const int last = static_cast<int>((y0 + rows - 1) * d.sh) - static_cast<int>(d.ph) + static_cast<int>(d.kh);  // exclusive
  iy0 = std::max(first, 0);
  ih = std::min(last, static_cast<int>(d.in_h)) - iy0;
}

uint64_t weight_buffer_bytes(const LayerDescriptor& d, uint32_t o0, uint32_t oc, WeightStorage s) {
  const WeightRanges w = weight_ranges(d, o0, oc);
  if (s == WeightStorage::AsStored || static_cast<WeightFormat>(d.weight_format) != WeightFormat::Flexor) return w.total_bytes();
  const uint64_t k = reduction_length(d);
  const uint64_t slices = ceil_div((static_cast<uint64_t>(o0) + oc) * k, d.n_out) - o0 * k / d.n_out;
  uint64_t planes = 0;
  for (const auto& r : w.planes) planes += r.bytes;
  return w.total_bytes() - planes + w.planes.size() * ceil_div(slices * d.n_out, 8);
}

uint64_t weight_buffer_bytes_bound(const LayerDescriptor& d, uint32_t oc, WeightStorage s) {
  const uint64_t k = reduction_length(d), e = static_cast<uint64_t>(oc) * k;
  const auto fmt = static_cast<WeightFormat>(d.weight_format);
  const uint64_t planes = fmt == WeightFormat::BitPlanes || fmt == WeightFormat::Flexor ? d.q : 1;
  uint64_t plane_bytes = 0;
  switch (fmt) {
    case WeightFormat::Int8: plane_bytes = e; break;
    case WeightFormat::BitPlanes:
    case WeightFormat::SignedBinary: plane_bytes = ceil_div(e, 8) + 1; break;
    case WeightFormat::Flexor: {
      const uint64_t slices = ceil_div(e, d.n_out) + 1;
      plane_bytes = ceil_div(slices * (s == WeightStorage::Decrypted ? d.n_out : d.n_in), 8) + 1;
      break;
    }
  }
  uint64_t t = planes * plane_bytes + 12ull * oc;  // + mult (4 B) and bias (8 B) per channel
  if (fmt != WeightFormat::Int8) t += planes * oc;  // α
  if (fmt == WeightFormat::SignedBinary) t += ceil_div(static_cast<uint64_t>(oc) * ceil_div(k, d.region), 8) + 1;
  return t;
}

uint64_t act_footprint(const LayerDescriptor& d, uint32_t rows) {
  const auto op = static_cast<Opcode>(d.opcode);
  // The tallest input window of any row tile: the unclipped one.
  const uint64_t ih = (op == Opcode::Add || op == Opcode::Requant) ? rows : std::min<uint64_t>(d.in_h, (rows - 1ull) * d.sh + d.kh);
  return ih * d.in_c * d.in_w * (op == Opcode::Add ? 2 : 1);
}

uint64_t acc_footprint(const LayerDescriptor& d, uint32_t rows, uint32_t channels) {
  return static_cast<Opcode>(d.opcode) == Opcode::Conv ? static_cast<uint64_t>(rows) * d.out_w * channels * 4 : 0;
}

TileFootprint tile_footprint(const LayerDescriptor& d, uint32_t rows, uint32_t channels, WeightStorage s) {
  TileFootprint f;
  f.act = act_footprint(d, rows);
  f.acc = acc_footprint(d, rows, channels);
  if (static_cast<Opcode>(d.opcode) == Opcode::Conv) {
    // The widest channel tile: weight ranges grow with misalignment, so take the worst start.
    for (uint32_t o0 = 0; o0 < d.out_c; o0 += channels) f.weight = std::max(f.weight, weight_buffer_bytes(d, o0, std::min(channels, d.out_c - o0), s));
  }
  return f;
}

}  // namespace subbit
