#include "accel/tile.h"

#include <algorithm>

namespace subbit {

using namespace sc_core;

void ActivityLog::record(const sc_time& start, const char* unit, const TileJob& t, const std::string& detail, const sc_time& end) {
  if (!out_) return;
  const uint32_t o0 = t.ws && static_cast<Opcode>(t.d->opcode) == Opcode::Conv ? t.ws->o0 : 0;
  const uint32_t oc = t.ws && static_cast<Opcode>(t.d->opcode) == Opcode::Conv ? t.ws->oc : t.d->out_c;
  *out_ << static_cast<uint64_t>(start.to_seconds() * 1e9 + 0.5) << ' ' << static_cast<uint64_t>(end.to_seconds() * 1e9 + 0.5) << ' ' << unit
        << " layer=" << t.stats->index << " rows=" << t.y0 << '+' << t.rows << " ch=" << o0 << '+' << oc << (detail.empty() ? "" : " ") << detail << '\n';
}

const char* bound_name(Bound b) {
  switch (b) {
    case Bound::Dram: return "dram";
    case Bound::Decrypt: return "decrypt";
    case Bound::Pe: return "pe";
    case Bound::Post: return "post";
    case Bound::Store: return "store";
    case Bound::Dependency: return "dependency";
    case Bound::Control: return "control";
    case Bound::Count: break;
  }
  return "?";
}

Bound LayerStats::bound() const {
  return static_cast<Bound>(std::max_element(bound_cycles.begin(), bound_cycles.end()) - bound_cycles.begin());
}

void check_cosim_tile(BufferHalves& h, const TileJob& t, const std::vector<uint8_t>& rtl, const std::vector<uint8_t>& tlm) {
  if (!h.cosim_mismatch.empty()) return;
  h.cosim_mismatch_descriptor = t.stats->index;
  const LayerDescriptor& d = *t.d;
  const size_t plane = static_cast<size_t>(t.rows) * d.out_w;
  const uint32_t c0 = t.ws && static_cast<Opcode>(d.opcode) == Opcode::Conv ? t.ws->o0 : 0;
  const bool out_signed = (d.flags & kDescOutSigned) != 0;
  auto value = [&](uint8_t b) { return std::to_string(out_signed ? static_cast<int>(static_cast<int8_t>(b)) : static_cast<int>(b)); };
  std::string where = "descriptor " + std::to_string(t.stats->index) + ", tile " + std::to_string(t.tile_index) + " (rows " + std::to_string(t.y0) +
                      "+" + std::to_string(t.rows) + ", channels " + std::to_string(c0) + "+" + std::to_string(plane ? tlm.size() / plane : 0) + ")";
  if (rtl.size() != tlm.size()) {
    h.cosim_mismatch = where + ": the RTL produced " + std::to_string(rtl.size()) + " outputs, the TLM model " + std::to_string(tlm.size());
    return;
  }
  for (size_t e = 0; e < tlm.size(); ++e)
    if (rtl[e] != tlm[e]) {
      const size_t c = e / plane, pos = e % plane;
      h.cosim_mismatch = where + ", element " + std::to_string(e) + " (channel " + std::to_string(c0 + c) + ", row " +
                         std::to_string(t.y0 + pos / d.out_w) + ", x " + std::to_string(pos % d.out_w) + "): RTL " + value(rtl[e]) + ", TLM " + value(tlm[e]);
      return;
    }
}

}  // namespace subbit
