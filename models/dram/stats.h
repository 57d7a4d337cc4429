// Statistics of the DRAM model: per-command counts (the energy model multiplies these by energy
// per command), row-buffer outcomes, data-bus occupancy, and a latency histogram.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "dram/dram_spec.h"

namespace subbit::dram {

struct DramStats {
  // Commands. rd/wr count every read/write burst, including the auto-precharge variants counted
  // again in rda/wra. pre counts bank precharges: explicit PRE, the implicit precharge of each
  // RDA/WRA, and each open bank closed by a PREA; prea counts PREA commands.
  uint64_t act = 0, pre = 0, prea = 0, rd = 0, wr = 0, rda = 0, wra = 0, ref = 0;
  // Row-buffer outcome of each burst, decided when its column command issues: hit (no ACT needed),
  // miss (bank was closed: ACT), conflict (another row was open: PRE + ACT).
  uint64_t row_hits = 0, row_misses = 0, row_conflicts = 0;
  uint64_t data_bus_cycles = 0;  // cycles the data bus carried bursts
  // Cycles with at least one bank open (active standby; the rest is precharged standby), summed
  // over channels: the background term of the energy model (docs/energy.md).
  uint64_t active_cycles = 0;

  void add(const DramStats& o);
  uint64_t bursts() const { return rd + wr; }
  double row_hit_rate() const {
    const uint64_t n = row_hits + row_misses + row_conflicts;
    return n ? double(row_hits) / double(n) : 0.0;
  }
};

// Per attribution tag (e.g. the accelerator layer a transaction belongs to, carried by
// DramTagExtension): bytes the tag's transactions moved, its bursts and their row-buffer outcomes.
struct TagStats {
  uint64_t bytes_read = 0, bytes_written = 0;  // transaction bytes (DramSystem)
  uint64_t reads = 0, writes = 0;              // bursts (controllers)
  uint64_t acts = 0, pres = 0;                 // ACTs and bank precharges (PRE, RDA/WRA) issued for them
  uint64_t row_hits = 0, row_misses = 0, row_conflicts = 0;

  void add(const TagStats& o);
  uint64_t bytes() const { return bytes_read + bytes_written; }
  double row_hit_rate() const {
    const uint64_t n = row_hits + row_misses + row_conflicts;
    return n ? double(row_hits) / double(n) : 0.0;
  }
};

// Latency histogram in DRAM clock cycles (exact up to 65535 cycles, larger values kept in a list),
// plus the exact sum in ps for the mean.
class LatencyStats {
 public:
  void add(uint64_t cycles, uint64_t ps);
  void clear();
  uint64_t count() const { return count_; }
  double mean_ps() const { return count_ ? double(sum_ps_) / double(count_) : 0.0; }
  uint64_t max_cycles() const { return max_; }
  uint64_t min_cycles() const { return count_ ? min_ : 0; }
  // Smallest latency L (cycles) such that at least fraction p of the samples are <= L.
  uint64_t percentile_cycles(double p) const;

 private:
  static constexpr uint64_t kBins = 65536;
  std::vector<uint64_t> hist_;
  std::vector<uint64_t> overflow_;
  uint64_t count_ = 0, sum_ps_ = 0, max_ = 0, min_ = ~uint64_t(0);
};

}  // namespace subbit::dram
