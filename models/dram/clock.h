// DRAM command clock <-> SystemC time. Internally the controller counts integer cycles; SystemC
// time is converted at the edges with exact integer arithmetic (cycle c starts at
// round(c * 1e6 / f_MHz) ps), so a 1200 MHz clock (833.33 ps) never drifts.
#pragma once
#include <cstdint>
#include <systemc>

#include "dram/dram_spec.h"

namespace subbit::dram {

class DramClock {
 public:
  // Throws subbit::Error if SystemC's time resolution is coarser than 1 ps.
  explicit DramClock(uint32_t mhz);

  uint32_t mhz() const { return uint32_t(mhz_); }
  double tck_ns() const { return 1000.0 / double(mhz_); }
  // Start of cycle c in ps (rounded to the nearest ps).
  uint64_t ps(Cycle c) const {  // in 128 bits: c * 10^6 overflows 64 bits above 1.8e13 cycles
    return static_cast<uint64_t>((static_cast<unsigned __int128>(c) * 1000000 + mhz_ / 2) / mhz_);
  }
  double ns(Cycle c) const { return double(c) * 1000.0 / double(mhz_); }
  // First cycle starting at or after `ps`.
  Cycle cycle_ceil_ps(uint64_t p) const {
    Cycle c = Cycle(p * mhz_ / 1000000);
    while (ps(c) < p) ++c;
    while (c > 0 && ps(c - 1) >= p) --c;
    return c;
  }
  uint64_t now_ps() const { return (sc_core::sc_time_stamp().value() + upp_ - 1) / upp_; }
  Cycle now_cycle() const { return cycle_ceil_ps(now_ps()); }
  sc_core::sc_time time_of(Cycle c) const { return sc_core::sc_time::from_value(ps(c) * upp_); }
  // Delay from now until the start of cycle c (zero if c has started).
  sc_core::sc_time delay_until(Cycle c) const {
    const uint64_t t = ps(c) * upp_, now = sc_core::sc_time_stamp().value();
    return sc_core::sc_time::from_value(t > now ? t - now : 0);
  }
  sc_core::sc_time delay_until_ps(uint64_t p) const {
    const uint64_t t = p * upp_, now = sc_core::sc_time_stamp().value();
    return sc_core::sc_time::from_value(t > now ? t - now : 0);
  }

 private:
  uint64_t mhz_;
  uint64_t upp_;  // SystemC time units per ps
};

}  // namespace subbit::dram
