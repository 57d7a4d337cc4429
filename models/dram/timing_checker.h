// Timing checker: for each command and bank, the earliest cycle at which it is legal.
//
// Ramulator-style "future" bookkeeping: issuing a command raises the earliest-legal times of the
// commands it constrains, at bank, bank-group and channel level; a query is then a max over a
// handful of values (O(1); PREA is O(open banks)). The per-standard rules live in the Delays that
// derive_delays() computes from the spec (DDR4 vs LPDDR4). All times are measured between command
// starts (derive_delays converts LPDDR4's JEDEC references, the commands' second halves, to
// starts). Command-bus slots (one command per slot, LPDDR4 multi-cycle commands) and data-bus
// occupancy are checked here too.
#pragma once
#include <algorithm>
#include <cstdint>
#include <vector>

#include "dram/dram_spec.h"

namespace subbit::dram {

enum class Cmd : uint8_t { ACT, PRE, RD, WR, RDA, WRA, PREA, REF };
const char* cmd_name(Cmd c);
inline bool is_column(Cmd c) { return c == Cmd::RD || c == Cmd::WR || c == Cmd::RDA || c == Cmd::WRA; }
inline bool is_read(Cmd c) { return c == Cmd::RD || c == Cmd::RDA; }

class TimingChecker {
 public:
  explicit TimingChecker(const DramSpec& spec);

  const Delays& delays() const { return d_; }
  uint32_t group_of(uint32_t bank) const { return bank >> group_shift_; }  // banks per group: 2^n

  // Earliest legal cycle of a bank command (ACT, PRE, RD, WR, RDA, WRA).
  Cycle earliest(Cmd c, uint32_t bank) const {
    const Bank& b = bank_[bank];
    const Group& g = group_[group_of(bank)];
    switch (c) {
      case Cmd::ACT:
        return std::max({b.act, g.act, ch_act_, cmd_bus_});
      case Cmd::PRE:
        return std::max({b.pre, ch_pre_, cmd_bus_});
      case Cmd::RD:
      case Cmd::RDA:
        return std::max({b.col, g.rd, ch_rd_, cmd_bus_, data_bus_ > d_.rd_data ? data_bus_ - d_.rd_data : 0});
      case Cmd::WR:
      case Cmd::WRA:
        return std::max({b.col, g.wr, ch_wr_, cmd_bus_, data_bus_ > d_.wr_data ? data_bus_ - d_.wr_data : 0});
      default:
        return earliest_ref();
    }
  }
  // Split form of earliest() for the scheduler's per-bank cache: earliest = max(local, floor),
  // where local (bank and bank-group constraints) changes only when a command issues in that bank
  // group, and the floor (channel constraints, command and data bus) is shared by all banks.
  // Kinds: 0 ACT, 1 PRE, 2 RD/RDA, 3 WR/WRA.
  static int kind(Cmd c) {
    switch (c) {
      case Cmd::ACT: return 0;
      case Cmd::PRE: return 1;
      case Cmd::RD:
      case Cmd::RDA: return 2;
      default: return 3;
    }
  }
  struct Floors {
    Cycle k[4];
  };
  Floors floors() const {
    return Floors{{std::max(ch_act_, cmd_bus_), std::max(ch_pre_, cmd_bus_),
                   std::max({ch_rd_, cmd_bus_, data_bus_ > d_.rd_data ? data_bus_ - d_.rd_data : 0}),
                   std::max({ch_wr_, cmd_bus_, data_bus_ > d_.wr_data ? data_bus_ - d_.wr_data : 0})}};
  }
  Cycle local_earliest(int kind, uint32_t bank) const {
    const Bank& b = bank_[bank];
    const Group& g = group_[group_of(bank)];
    switch (kind) {
      case 0: return std::max(b.act, g.act);
      case 1: return b.pre;
      case 2: return std::max(b.col, g.rd);
      default: return std::max(b.col, g.wr);
    }
  }
  // PREA: every open bank must allow PRE. `open_mask` bit i = bank i has an open row.
  Cycle earliest_prea(uint64_t open_mask) const {
    Cycle t = std::max(cmd_bus_, ch_pre_);
    for (uint32_t i = 0; open_mask; ++i, open_mask >>= 1)
      if (open_mask & 1) t = std::max(t, bank_[i].pre);
    return t;
  }
  // REF: all banks precharged for tRP, previous REF done (the controller also requires all banks
  // closed).
  Cycle earliest_ref() const { return std::max(ch_ref_, cmd_bus_); }

  // Records a command issued at cycle t. For RDA/WRA returns the cycle of the implicit precharge
  // (the bank is closed from then on, ACT allowed tRP later); otherwise returns t.
  Cycle issue(Cmd c, uint32_t bank, Cycle t);

  Cycle data_bus_free() const { return data_bus_; }

 private:
  struct Bank {
    Cycle act = 0, pre = 0, col = 0;
  };
  struct Group {
    Cycle act = 0, rd = 0, wr = 0;
  };
  static void raise(Cycle& v, Cycle t) { v = std::max(v, t); }

  Delays d_;
  uint32_t group_shift_;
  std::vector<Bank> bank_;
  std::vector<Group> group_;
  Cycle ch_act_ = 0, ch_rd_ = 0, ch_wr_ = 0, ch_ref_ = 0, ch_pre_ = 0;
  Cycle cmd_bus_ = 0;   // first free command slot
  Cycle data_bus_ = 0;  // first free data-bus cycle
  Cycle faw_[4] = {0, 0, 0, 0};  // last four ACTs (ring)
  uint32_t faw_n_ = 0;
};

}  // namespace subbit::dram
