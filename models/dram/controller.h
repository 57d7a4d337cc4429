// One DRAM channel controller (one rank), modelled on DRAMSys's Controller: a request buffer with
// per-bank queues, a scheduler, a page policy, a refresh manager and a timing checker, driven by ONE
// SystemC method that runs only when something can happen: a command becomes legal, a burst
// finishes, a refresh falls due while requests wait, or a request arrives. It never ticks per clock.
//
// Each wake: deliver finished bursts, issue any refresh commands that are due, then issue at most
// one command per command slot — the scheduler picks each bank's request, the command arbiter one
// of the banks' next commands — and sleep until the earliest cycle at which the next command is
// legal (as computed by the timing checker) or the arbiter's winner becomes legal.
//
// Refresh while idle is lazy: with no request waiting, the controller does not wake for refresh;
// when it next wakes it issues the missed PREA/REF commands at the cycles they would have had (no
// other command can have intervened), so results equal an eager model, and sc_start() without a
// time limit returns once all traffic is served.
#pragma once
#include <cstdint>
#include <memory>
#include <systemc>
#include <vector>

#include "dram/clock.h"
#include "dram/dram_spec.h"
#include "dram/policies.h"
#include "dram/stats.h"
#include "dram/timing_checker.h"

namespace subbit::dram {

struct CmdRecord {
  Cycle t;
  Cmd cmd;
  uint16_t bank;  // flat bank index (bankgroup * banks_per_group + bank); 0 for PREA/REF
  uint32_t row;
  uint32_t column;
};

// Whoever feeds the controller (DramSystem): told when a burst's data transfer has finished and
// when buffer space frees up.
class ControllerOwner {
 public:
  virtual void burst_done(uint32_t owner, Cycle t) = 0;
  virtual void space_freed(uint32_t channel) = 0;

 protected:
  ~ControllerOwner() = default;
};

struct ControllerOptions {
  SchedulerKind scheduler = SchedulerKind::FrFcfs;
  Watermarks watermarks;  // fr-fcfs-wm only; {0, 0}: default_watermarks(request_buffer_size)
  CmdArbiterKind cmd_arbiter = CmdArbiterKind::Oldest;
  PagePolicyKind page_policy = PagePolicyKind::Open;
  uint32_t request_buffer_size = 32;
  bool refresh = true;
  bool command_log = false;
};

class Controller : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(Controller);
  Controller(sc_core::sc_module_name name, const DramSpec& spec, const ControllerOptions& opt, uint32_t channel,
             ControllerOwner* owner);

  bool can_accept() const { return queued_ < capacity_; }
  // Buffers one burst request arriving now (requires can_accept()). `tag`: attribution tag for
  // per-tag statistics (0: untagged; see tag_stats()).
  void enqueue(uint32_t bank, uint32_t row, uint32_t column, bool write, uint32_t owner, uint16_t tag = 0);
  uint32_t queued() const { return queued_; }
  bool idle() const { return queued_ == 0 && done_n_ == 0; }

  // Brings lazy refresh up to the current time when idle (call before reading statistics).
  void sync();
  const DramStats& stats() const { return stats_; }
  // Cycles with a bank open so far, the interval still open included (stats().active_cycles
  // counts closed intervals only).
  Cycle active_cycles() const { return stats_.active_cycles + (open_mask_ ? now_ - open_since_ : 0); }
  // Row-buffer outcomes and bursts per attribution tag (index = tag given to enqueue; 0 untagged).
  const std::vector<TagStats>& tag_stats() const { return tag_stats_; }
  void reset_stats() {
    stats_ = DramStats{};
    tag_stats_.clear();
    open_since_ = now_;
  }
  const std::vector<CmdRecord>& command_log() const { return log_; }
  const TimingChecker& checker() const { return checker_; }
  const DramClock& clock() const { return clock_; }
  const DramSpec& spec() const { return spec_; }

 private:
  struct BankState {
    int32_t open_row = -1;
    int32_t head = -1, tail = -1;
    uint32_t queued = 0;
    // Cached scheduling decision (request and the command it needs next); recomputed only when
    // the bank's queue or row state changed (dirty).
    int32_t cand = -1;          // -1: no request of this bank may be served now (scheduler)
    int32_t claim = -1;         // the request its open row was activated for, until a column
                                // command or precharge in the bank (DRAMSys's keepTrans)
    Cmd cand_cmd = Cmd::ACT;
    uint8_t cand_kind = 0;      // TimingChecker::kind(cand_cmd)
    bool dirty = true;          // decision must be recomputed
    bool timing_dirty = true;   // t_local must be recomputed
    uint64_t cand_seq = 0;
    Cycle t_local = 0;  // bank + bank-group part of the candidate command's earliest cycle
  };
  struct Choice {
    bool ready = false;
    Cmd cmd = Cmd::ACT;
    uint32_t bank = 0;
    int32_t req = -1;
    uint64_t seq = 0;
    Cycle min_t = ~Cycle(0);
  };
  struct Done {
    Cycle t;
    uint32_t owner;
  };

  void wake();
  void schedule(Cycle c);
  Choice evaluate();
  template <class Arbiter>
  Choice evaluate_with(const Arbiter& arb);
  void queue_changed();
  void decide(BankState& b);
  void issue(const Choice& c);
  void catch_up_refresh(Cycle now);
  void issue_prea(Cycle t);
  void issue_ref(Cycle t);
  void log(Cycle t, Cmd c, uint32_t bank, uint32_t row, uint32_t column) {
    if (log_enabled_) log_.push_back(CmdRecord{t, c, uint16_t(bank), row, column});
  }
  void push_done(Cycle t, uint32_t owner);

  DramSpec spec_;
  Delays d_;
  DramClock clock_;
  TimingChecker checker_;
  std::unique_ptr<Scheduler> scheduler_;
  std::unique_ptr<CommandArbiter> arbiter_;
  CmdArbiterKind arbiter_kind_;
  std::unique_ptr<PagePolicy> page_policy_;
  RefreshManager refresh_;
  uint32_t channel_;
  ControllerOwner* owner_;
  bool log_enabled_;
  QueueCounts counts_;

  std::vector<Request> pool_;  // fixed size = request buffer size
  int32_t free_ = -1;
  uint32_t capacity_;
  uint32_t queued_ = 0;
  uint64_t seq_ = 0;
  std::vector<BankState> banks_;
  uint64_t nonempty_mask_ = 0;  // banks with queued requests
  uint64_t open_mask_ = 0;      // banks with an open row
  Cycle open_since_ = 0;        // when open_mask_ last became non-zero
  void close_banks(uint64_t mask, Cycle t) {  // energy accounting: the active interval ends when the last bank closes
    if (open_mask_ && !(open_mask_ & ~mask)) stats_.active_cycles += t - open_since_;
    open_mask_ &= ~mask;
  }
  TagStats& tag_of(uint16_t tag) {
    if (tag >= tag_stats_.size()) tag_stats_.resize(size_t(tag) + 1);
    return tag_stats_[tag];
  }
  uint32_t banks_per_group_;

  std::vector<Done> done_;  // ring buffer of bursts in flight, in completion order
  size_t done_head_ = 0, done_n_ = 0;

  sc_core::sc_event wake_ev_;
  Cycle scheduled_ = ~Cycle(0);  // cycle of the pending wake-up (none: max)
  Cycle now_ = 0;
  bool in_wake_ = false;
  // The last evaluation's earliest next command, valid until a request arrives or a command
  // issues: lets a wake that only delivers finished bursts skip the scheduling pass.
  bool eval_valid_ = false;
  bool eval_refresh_ = false;  // refresh was pending at that evaluation
  Cycle eval_min_t_ = 0;

  DramStats stats_;
  std::vector<TagStats> tag_stats_;
  std::vector<CmdRecord> log_;
};

}  // namespace subbit::dram
