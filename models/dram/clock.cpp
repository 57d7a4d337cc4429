#include "dram/clock.h"

#include <cmath>

#include "quant/error.h"

namespace subbit::dram {

DramClock::DramClock(uint32_t mhz) : mhz_(mhz) {
  if (mhz == 0) throw Error("DRAM clock: frequency must be positive");
  const double res = sc_core::sc_get_time_resolution().to_seconds();
  const double upp = 1e-12 / res;
  if (upp < 1.0 - 1e-9 || std::fabs(upp - std::round(upp)) > 1e-6)
    throw Error("DRAM model: SystemC time resolution must be 1 ps or a whole fraction of it");
  upp_ = uint64_t(std::llround(upp));
}

}  // namespace subbit::dram
