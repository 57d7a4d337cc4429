// The controller's small policy objects (in the manner of DRAMSys's Controller): which queued
// request a bank serves next (scheduler), whether a column access closes its row (page policy),
// and when the next all-bank refresh is due (refresh manager).
#pragma once
#include <cstdint>
#include <memory>

#include "dram/dram_spec.h"

namespace subbit::dram {

// One buffered burst request. Lives in the controller's fixed-size pool; prev/next link it into
// its bank's queue (oldest first).
struct Request {
  uint64_t seq = 0;  // arrival order (age)
  uint32_t row = 0;
  uint32_t column = 0;
  uint32_t owner = 0;  // transaction id of the DramSystem
  uint16_t bank = 0;
  uint8_t write = 0;
  uint8_t flags = 0;  // kActed / kPrecharged: commands issued on its behalf
  int32_t prev = -1, next = -1;
  static constexpr uint8_t kActed = 1, kPrecharged = 2;
};

class Scheduler {
 public:
  virtual ~Scheduler() = default;
  // The request bank queue `head` (oldest first) should serve next, given its open row (-1: none).
  virtual int32_t pick(int32_t open_row, int32_t head, const Request* pool) const = 0;
  // Among commands ready in the same cycle, rank column commands (row hits) before ACT/PRE.
  virtual bool hits_first() const = 0;
};

// FR-FCFS (Rixner et al., ISCA 2000): the oldest row hit first, otherwise the oldest request.
class FrFcfsScheduler final : public Scheduler {
 public:
  int32_t pick(int32_t open_row, int32_t head, const Request* pool) const override {
    if (open_row >= 0)
      for (int32_t i = head; i >= 0; i = pool[i].next)
        if (int32_t(pool[i].row) == open_row) return i;
    return head;
  }
  bool hits_first() const override { return true; }
};

// FCFS: each bank serves its requests in arrival order; ready commands are ranked by age only.
class FcfsScheduler final : public Scheduler {
 public:
  int32_t pick(int32_t, int32_t head, const Request*) const override { return head; }
  bool hits_first() const override { return false; }
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

std::unique_ptr<Scheduler> make_scheduler(SchedulerKind k);
std::unique_ptr<PagePolicy> make_page_policy(PagePolicyKind k);

}  // namespace subbit::dram
