#include "dram/stats.h"

#include <algorithm>
#include <cmath>

namespace subbit::dram {

void DramStats::add(const DramStats& o) {
  act += o.act;
  pre += o.pre;
  prea += o.prea;
  rd += o.rd;
  wr += o.wr;
  rda += o.rda;
  wra += o.wra;
  ref += o.ref;
  row_hits += o.row_hits;
  row_misses += o.row_misses;
  row_conflicts += o.row_conflicts;
  data_bus_cycles += o.data_bus_cycles;
  active_cycles += o.active_cycles;
}

void TagStats::add(const TagStats& o) {
  bytes_read += o.bytes_read;
  bytes_written += o.bytes_written;
  reads += o.reads;
  writes += o.writes;
  acts += o.acts;
  pres += o.pres;
  row_hits += o.row_hits;
  row_misses += o.row_misses;
  row_conflicts += o.row_conflicts;
}

void LatencyStats::add(uint64_t cycles, uint64_t ps) {
  if (hist_.empty()) hist_.assign(kBins, 0);
  if (cycles < kBins)
    ++hist_[cycles];
  else
    overflow_.push_back(cycles);
  ++count_;
  sum_ps_ += ps;
  max_ = std::max(max_, cycles);
  min_ = std::min(min_, cycles);
}

void LatencyStats::clear() {
  hist_.clear();
  overflow_.clear();
  count_ = sum_ps_ = max_ = 0;
  min_ = ~uint64_t(0);
}

uint64_t LatencyStats::percentile_cycles(double p) const {
  if (count_ == 0) return 0;
  const uint64_t need = std::max<uint64_t>(1, uint64_t(std::ceil(p * double(count_) - 1e-9)));
  uint64_t seen = 0;
  if (!hist_.empty())
    for (uint64_t c = 0; c < kBins; ++c) {
      seen += hist_[c];
      if (seen >= need) return c;
    }
  std::vector<uint64_t> o = overflow_;
  std::sort(o.begin(), o.end());
  return o[std::min<size_t>(need - seen - 1, o.size() - 1)];
}

}  // namespace subbit::dram
