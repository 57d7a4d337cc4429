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

}  // namespace subbit
