// The controller's small policy objects (in the manner of DRAMSys's Controller): which queued
// request a bank serves next (scheduler), which of the banks' next commands gets the command bus
// (command arbiter, DRAMSys's CmdMux), whether a column access closes its row (page policy), and
// when the next all-bank refresh is due (refresh manager).
#pragma once
#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>

#include "dram/dram_spec.h"
#include "dram/timing_checker.h"

namespace subbit::dram {

// One buffered burst request. Lives in the controller's fixed-size pool; prev/next link it into
// its bank's queue (oldest first).
struct Request {
  uint64_t seq = 0;  // arrival order (age)
  uint32_t row = 0;
  uint32_t column = 0;
  uint32_t owner = 0;  // transaction id of the DramSystem
  uint16_t bank = 0;
  uint16_t tag = 0;    // attribution tag (layer) of its transaction, for per-tag statistics
  uint8_t write = 0;
  uint8_t flags = 0;  // kActed / kPrecharged: commands issued on its behalf
  int32_t prev = -1, next = -1;
  static constexpr uint8_t kActed = 1, kPrecharged = 2;
};

// Read-only view of one bank's request queue, oldest first:
//   for (int32_t i = q.head(); i >= 0; i = q.next(i)) use(q[i]);
class BankQueue {
 public:
  BankQueue(const Request* pool, int32_t head) : pool_(pool), head_(head) {}
  int32_t head() const { return head_; }
  int32_t next(int32_t i) const { return pool_[i].next; }
  const Request& operator[](int32_t i) const { return pool_[i]; }

 private:
  const Request* pool_;
  int32_t head_;
};

// Requests queued in one channel, by direction.
struct QueueCounts {
  uint32_t reads = 0, writes = 0;
};

class Scheduler {
 public:
  virtual ~Scheduler() = default;
  // The request (an index of q) the bank should serve next, given its open row (-1: closed);
  // -1 if none of its requests may be served now.
  virtual int32_t pick(const BankQueue& q, int32_t open_row) const = 0;
  // The channel's queue changed to `c`; true if that changes which requests pick() may choose
  // (then every bank decides again).
  virtual bool update(const QueueCounts& c) { return false; }
};

// FR-FCFS (Rixner et al., ISCA 2000): the oldest row hit first, otherwise the oldest request.
class FrFcfsScheduler final : public Scheduler {
 public:
  int32_t pick(const BankQueue& q, int32_t open_row) const override {
    if (open_row >= 0)
      for (int32_t i = q.head(); i >= 0; i = q.next(i))
        if (int32_t(q[i].row) == open_row) return i;
    return q.head();
  }
};

// FCFS: each bank serves its requests in arrival order.
class FcfsScheduler final : public Scheduler {
 public:
  int32_t pick(const BankQueue& q, int32_t) const override { return q.head(); }
};

// FR-FCFS with write draining (DRAMSys's GrpFrFcfsWm, Ramulator 2's write-mode switch): in read
// mode only reads are served (FR-FCFS among them), in write mode only writes. Read mode switches
// to write mode when the queued writes reach the high watermark (or no read is queued); write
// mode switches back when the writes have drained to the low watermark and a read is waiting.
// Each switch costs one bus turnaround (tWTR / RD->WR) instead of one every few bursts.
class FrFcfsWmScheduler final : public Scheduler {
 public:
  FrFcfsWmScheduler(uint32_t high, uint32_t low) : high_(high), low_(low) {}
  int32_t pick(const BankQueue& q, int32_t open_row) const override {
    int32_t first = -1;
    for (int32_t i = q.head(); i >= 0; i = q.next(i)) {
      if (bool(q[i].write) != write_mode_) continue;
      if (open_row < 0 || int32_t(q[i].row) == open_row) return i;
      if (first < 0) first = i;
    }
    return first;
  }
  bool update(const QueueCounts& c) override {
    const bool was = write_mode_;
    if (!write_mode_)
      write_mode_ = c.writes >= high_ || (c.reads == 0 && c.writes > 0);
    else
      write_mode_ = !(c.writes <= low_ && c.reads > 0);
    return write_mode_ != was;
  }
  bool write_mode() const { return write_mode_; }

 private:
  uint32_t high_, low_;
  bool write_mode_ = false;
};

// One bank's next command as the command arbiter sees it.
struct CmdCandidate {
  Cmd cmd = Cmd::ACT;
  uint32_t bank = 0;
  uint64_t seq = 0;        // arrival order of the request it serves
  Cycle ready = 0;         // earliest legal cycle (timing checker)
  uint32_t bus_cycles = 1; // command-bus cycles it occupies
};

// Command-bus arbitration (DRAMSys's CmdMux): at most one command per command slot, chosen among
// the banks' next commands. Each arbiter ranks a candidate by rank() (lower goes first); equal
// ranks go to the oldest request.
class CommandArbiter {
 public:
  virtual ~CommandArbiter() = default;
  // True: only commands legal now compete, and the winner issues now. False: every bank's next
  // command competes; the winner issues once it is legal, and the bus waits for it meanwhile.
  virtual bool ready_only() const = 0;
  virtual uint64_t rank(const CmdCandidate& c, Cycle now) const = 0;
  // True if `a` goes before `b` at cycle `now`.
  bool before(const CmdCandidate& a, const CmdCandidate& b, Cycle now) const {
    const uint64_t ra = rank(a, now), rb = rank(b, now);
    return ra != rb ? ra < rb : a.seq < b.seq;
  }
};

// DRAMSys's CmdMuxOldest: the command that would finish on the command bus first
// (max(ready, now) + its bus cycles), ties to the oldest request. With one-cycle commands (DDR4)
// this is "oldest ready first"; on LPDDR4 a ready 2-cycle PRE goes before a ready 4-cycle ACT or
// RD, and a command that is not yet legal but would finish first holds the bus.
class OldestArbiter final : public CommandArbiter {
 public:
  bool ready_only() const override { return false; }
  uint64_t rank(const CmdCandidate& c, Cycle now) const override { return std::max(c.ready, now) + c.bus_cycles; }
};

// Column commands (RD/WR, i.e. row hits being served) before ACT/PRE, then the oldest request;
// only commands legal now compete. SubBit's original rule; DRAMSys has no equivalent (its
// CmdMuxStrict issues column commands strictly in request order).
class ColumnFirstArbiter final : public CommandArbiter {
 public:
  bool ready_only() const override { return true; }
  uint64_t rank(const CmdCandidate& c, Cycle) const override { return is_column(c.cmd) ? 0 : 1; }
};

class PagePolicy {
 public:
  virtual ~PagePolicy() = default;
  // True: issue RDA/WRA (close the row right after this access).
  virtual bool auto_precharge(const Request& r) const = 0;
};
class OpenPagePolicy final : public PagePolicy {
 public:
  bool auto_precharge(const Request&) const override { return false; }
};
class ClosedPagePolicy final : public PagePolicy {
 public:
  bool auto_precharge(const Request&) const override { return true; }
};

// All-bank refresh every tREFI: refresh k is due at cycle k * tREFI (k >= 1). While a refresh is
// due the controller issues nothing else: PREA if any bank is open, then REF.
class RefreshManager {
 public:
  RefreshManager(uint32_t trefi, bool enabled) : interval_(trefi), due_(trefi), enabled_(enabled) {}
  bool enabled() const { return enabled_; }
  bool pending(Cycle now) const { return enabled_ && now >= due_; }
  Cycle due() const { return enabled_ ? due_ : ~Cycle(0); }
  void refreshed() { due_ += interval_; }

 private:
  Cycle interval_;
  Cycle due_;
  bool enabled_;
};

std::unique_ptr<Scheduler> make_scheduler(SchedulerKind k, Watermarks wm = {}, uint32_t buffer = 32);
std::unique_ptr<CommandArbiter> make_cmd_arbiter(CmdArbiterKind k);
std::unique_ptr<PagePolicy> make_page_policy(PagePolicyKind k);

}  // namespace subbit::dram
