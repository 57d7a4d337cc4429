#include "dram/timing_checker.h"

namespace subbit::dram {

const char* cmd_name(Cmd c) {
  switch (c) {
    case Cmd::ACT: return "ACT";
    case Cmd::PRE: return "PRE";
    case Cmd::RD: return "RD";
    case Cmd::WR: return "WR";
    case Cmd::RDA: return "RDA";
    case Cmd::WRA: return "WRA";
    case Cmd::PREA: return "PREA";
    case Cmd::REF: return "REF";
  }
  return "?";
}

TimingChecker::TimingChecker(const DramSpec& spec)
    : d_(derive_delays(spec)),
      group_shift_(uint32_t(__builtin_ctz(spec.banks_per_group))),
      bank_(spec.banks()),
      group_(spec.bank_groups) {}

Cycle TimingChecker::issue(Cmd c, uint32_t bank, Cycle t) {
  switch (c) {
    case Cmd::ACT: {
      Bank& b = bank_[bank];
      raise(b.act, t + d_.act_to_act);
      raise(b.col, t + d_.act_to_col);
      raise(b.pre, t + d_.act_to_pre);
      raise(group_[group_of(bank)].act, t + d_.rrd_l);
      raise(ch_act_, t + d_.rrd_s);
      // tFAW: after this ACT the ring holds the last four; a fifth needs the oldest + tFAW.
      faw_[faw_n_ & 3] = t;
      ++faw_n_;
      if (faw_n_ >= 4) raise(ch_act_, faw_[faw_n_ & 3] + d_.faw);
      cmd_bus_ = t + d_.cmd_act;
      return t;
    }
    case Cmd::PRE:
      raise(bank_[bank].act, t + d_.pre_to_act);
      raise(ch_ref_, t + d_.pre_to_ref);
      raise(ch_pre_, t + d_.ppd);
      cmd_bus_ = t + d_.cmd_pre;
      return t;
    case Cmd::PREA:
      raise(ch_act_, t + d_.prea_to_act);
      raise(ch_ref_, t + d_.prea_to_ref);
      raise(ch_pre_, t + d_.ppd);
      cmd_bus_ = t + d_.cmd_pre;
      return t;
    case Cmd::REF:
      raise(ch_act_, t + d_.ref_to_act);
      raise(ch_ref_, t + d_.ref_to_ref);
      cmd_bus_ = t + d_.cmd_pre;
      return t;
    case Cmd::RD:
    case Cmd::RDA:
    case Cmd::WR:
    case Cmd::WRA: {
      const bool rd = is_read(c);
      Bank& b = bank_[bank];
      Group& g = group_[group_of(bank)];
      if (rd) {
        raise(b.pre, t + d_.rd_to_pre);
        raise(g.rd, t + d_.rd_to_rd_l);
        raise(ch_rd_, t + d_.rd_to_rd_s);
        raise(ch_wr_, t + d_.rd_to_wr);
        data_bus_ = t + d_.rd_data + d_.burst;
      } else {
        raise(b.pre, t + d_.wr_to_pre);
        raise(g.wr, t + d_.wr_to_wr_l);
        raise(ch_wr_, t + d_.wr_to_wr_s);
        raise(g.rd, t + d_.wr_to_rd_l);
        raise(ch_rd_, t + d_.wr_to_rd_s);
        data_bus_ = t + d_.wr_data + d_.burst;
      }
      cmd_bus_ = t + d_.cmd_cas;
      if (c == Cmd::RDA || c == Cmd::WRA) {
        const Cycle t_pre = b.pre;  // implicit precharge at the earliest legal PRE
        raise(b.act, t_pre + d_.pre_to_act);
        raise(ch_ref_, t_pre + d_.pre_to_ref);
        return t_pre;
      }
      return t;
    }
  }
  return t;
}

}  // namespace subbit::dram
