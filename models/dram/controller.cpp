#include "dram/controller.h"

#include "quant/error.h"

namespace subbit::dram {

std::unique_ptr<Scheduler> make_scheduler(SchedulerKind k, Watermarks wm, uint32_t buffer) {
  switch (k) {
    case SchedulerKind::Fcfs: return std::make_unique<FcfsScheduler>();
    case SchedulerKind::FrFcfsWm: {
      if (wm.high == 0 && wm.low == 0) wm = default_watermarks(buffer);
      const std::string err = check_watermarks(wm.high, wm.low, buffer);
      if (!err.empty()) throw Error("DRAM controller: " + err);
      return std::make_unique<FrFcfsWmScheduler>(wm.high, wm.low);
    }
    case SchedulerKind::FrFcfs: break;
  }
  return std::make_unique<FrFcfsScheduler>();
}

std::unique_ptr<CommandArbiter> make_cmd_arbiter(CmdArbiterKind k) {
  if (k == CmdArbiterKind::ColumnFirst) return std::make_unique<ColumnFirstArbiter>();
  return std::make_unique<OldestArbiter>();
}

std::unique_ptr<PagePolicy> make_page_policy(PagePolicyKind k) {
  if (k == PagePolicyKind::Closed) return std::make_unique<ClosedPagePolicy>();
  return std::make_unique<OpenPagePolicy>();
}

Controller::Controller(sc_core::sc_module_name name, const DramSpec& spec, const ControllerOptions& opt,
                       uint32_t channel, ControllerOwner* owner)
    : sc_core::sc_module(name),
      spec_(spec),
      d_(derive_delays(spec)),
      clock_(spec.clock_mhz),
      checker_(spec),
      scheduler_(make_scheduler(opt.scheduler, opt.watermarks, opt.request_buffer_size)),
      arbiter_(make_cmd_arbiter(opt.cmd_arbiter)),
      arbiter_kind_(opt.cmd_arbiter),
      page_policy_(make_page_policy(opt.page_policy)),
      refresh_(spec.tREFI, opt.refresh),
      channel_(channel),
      owner_(owner),
      log_enabled_(opt.command_log),
      capacity_(opt.request_buffer_size),
      banks_(spec.banks()),
      banks_per_group_(spec.banks_per_group) {
  check_spec(spec);
  if (spec.banks() > 64) throw Error("DRAM controller: at most 64 banks per channel");
  if (capacity_ == 0) throw Error("DRAM controller: request buffer size must be >= 1");
  pool_.resize(capacity_);
  for (uint32_t i = 0; i < capacity_; ++i) pool_[i].next = i + 1 < capacity_ ? int32_t(i + 1) : -1;
  free_ = 0;
  done_.resize(64);
  SC_METHOD(wake);
  sensitive << wake_ev_;
  dont_initialize();
}

void Controller::enqueue(uint32_t bank, uint32_t row, uint32_t column, bool write, uint32_t owner, uint16_t tag) {
  const int32_t i = free_;
  Request& r = pool_[i];
  free_ = r.next;
  r.seq = seq_++;
  r.row = row;
  r.column = column;
  r.owner = owner;
  r.bank = uint16_t(bank);
  r.tag = tag;
  r.write = write;
  r.flags = 0;
  BankState& b = banks_[bank];
  r.prev = b.tail;
  r.next = -1;
  if (b.tail >= 0)
    pool_[b.tail].next = i;
  else
    b.head = i;
  b.tail = i;
  ++b.queued;
  b.dirty = true;
  eval_valid_ = false;
  ++queued_;
  ++(write ? counts_.writes : counts_.reads);
  queue_changed();
  nonempty_mask_ |= uint64_t(1) << bank;
  if (!in_wake_) schedule(clock_.now_cycle());
}

void Controller::queue_changed() {
  if (!scheduler_->update(counts_)) return;
  // The scheduler's eligibility rule changed (write-drain mode switch): every bank decides again.
  for (BankState& b : banks_) b.dirty = true;
  eval_valid_ = false;
}

void Controller::schedule(Cycle c) {
  if (c >= scheduled_) return;
  scheduled_ = c;
  wake_ev_.notify(clock_.delay_until(c));
}

void Controller::push_done(Cycle t, uint32_t owner) {
  if (done_n_ == done_.size()) {  // grow the ring, keeping order
    std::vector<Done> bigger(done_.size() * 2);
    for (size_t k = 0; k < done_n_; ++k) bigger[k] = done_[(done_head_ + k) & (done_.size() - 1)];
    done_.swap(bigger);
    done_head_ = 0;
  }
  done_[(done_head_ + done_n_) & (done_.size() - 1)] = Done{t, owner};
  ++done_n_;
}

void Controller::wake() {
  // The only trigger is wake_ev_, whose pending notification is always for cycle scheduled_.
  now_ = scheduled_ != ~Cycle(0) ? scheduled_ : clock_.now_cycle();
  scheduled_ = ~Cycle(0);
  in_wake_ = true;

  // 1. Bursts whose data transfer has finished (completion order = issue order: the data bus is
  //    used in order).
  while (done_n_ && done_[done_head_].t <= now_) {
    const Done d = done_[done_head_];
    done_head_ = (done_head_ + 1) & (done_.size() - 1);
    --done_n_;
    owner_->burst_done(d.owner, d.t);
  }

  // 2. Refresh commands that are due (including any missed while idle).
  catch_up_refresh(now_);

  // 3. At most one command per command slot; after issuing, the bus is busy, so the second
  //    evaluation yields the next wake-up time.
  Choice c;
  const bool refresh_pending = refresh_.pending(now_);
  if (eval_valid_ && eval_min_t_ > now_ && eval_refresh_ == refresh_pending) {
    c.min_t = eval_min_t_;  // nothing changed since the last pass and nothing is due yet
  } else {
    c = evaluate();
    while (c.ready) {
      const bool column = is_column(c.cmd);
      issue(c);
      if (column) owner_->space_freed(channel_);  // may enqueue more requests
      c = evaluate();
    }
    eval_valid_ = true;
    eval_refresh_ = refresh_pending;
    eval_min_t_ = c.min_t;
  }

  Cycle next = ~Cycle(0);
  if (done_n_) next = done_[done_head_].t;
  if (queued_) {
    next = std::min(next, c.min_t);
    if (!refresh_.pending(now_)) next = std::min(next, refresh_.due());
  }
  in_wake_ = false;
  if (next != ~Cycle(0)) schedule(next);
}

void Controller::decide(BankState& bs) {
  int32_t ri = scheduler_->pick(BankQueue(pool_.data(), bs.head), bs.open_row);
  bs.dirty = false;
  bs.timing_dirty = true;
  if (ri >= 0 && bs.claim >= 0 && int32_t(pool_[ri].row) != bs.open_row) ri = bs.claim;
  bs.cand = ri;
  if (ri < 0) return;
  const Request& r = pool_[ri];
  Cmd cmd;
  if (bs.open_row == int32_t(r.row)) {
    const bool ap = page_policy_->auto_precharge(r);
    cmd = r.write ? (ap ? Cmd::WRA : Cmd::WR) : (ap ? Cmd::RDA : Cmd::RD);
  } else {
    cmd = bs.open_row >= 0 ? Cmd::PRE : Cmd::ACT;
  }
  bs.cand_seq = r.seq;
  bs.cand_cmd = cmd;
  bs.cand_kind = uint8_t(TimingChecker::kind(cmd));
}

Controller::Choice Controller::evaluate() {
  // One dispatch per pass; the arbiters' comparisons inline in the per-bank loop.
  if (arbiter_kind_ == CmdArbiterKind::ColumnFirst)
    return evaluate_with(static_cast<const ColumnFirstArbiter&>(*arbiter_));
  return evaluate_with(static_cast<const OldestArbiter&>(*arbiter_));
}

template <class Arbiter>
Controller::Choice Controller::evaluate_with(const Arbiter& arb) {
  Choice best;
  if (refresh_.pending(now_)) {  // catch_up_refresh issued everything legal up to now
    const Cycle due = refresh_.due();
    best.min_t = std::max(due, open_mask_ ? checker_.earliest_prea(open_mask_) : checker_.earliest_ref());
    if (best.min_t <= now_) best.min_t = now_ + 1;  // unreachable; keeps the loop finite
    return best;
  }
  const bool ready_only = arb.Arbiter::ready_only();
  const TimingChecker::Floors floors = checker_.floors();
  const uint32_t bus_cycles[4] = {d_.cmd_act, d_.cmd_pre, d_.cmd_cas, d_.cmd_cas};  // by kind
  // The winner so far: lowest (rank, request age).
  bool have = false;
  uint64_t top_rank = 0, top_seq = 0;
  uint32_t top_bank = 0;
  Cycle top_ready = 0;
  uint64_t m = nonempty_mask_;
  while (m) {
    const uint32_t b = uint32_t(__builtin_ctzll(m));
    m &= m - 1;
    BankState& bs = banks_[b];
    if (bs.dirty) decide(bs);
    if (bs.cand < 0) continue;
    if (bs.timing_dirty) {
      bs.t_local = checker_.local_earliest(bs.cand_kind, b);
      bs.timing_dirty = false;
    }
    CmdCandidate c;
    c.cmd = bs.cand_cmd;
    c.bank = b;
    c.seq = bs.cand_seq;
    c.ready = std::max(bs.t_local, floors.k[bs.cand_kind]);
    c.bus_cycles = bus_cycles[bs.cand_kind];
    if (ready_only && c.ready > now_) {
      best.min_t = std::min(best.min_t, c.ready);
      continue;
    }
    const uint64_t r = arb.Arbiter::rank(c, now_);
    if (have && (r > top_rank || (r == top_rank && c.seq > top_seq))) continue;
    have = true;
    top_rank = r;
    top_seq = c.seq;
    top_bank = b;
    top_ready = c.ready;
  }
  if (!have) return best;
  if (top_ready > now_) {  // the winner is not legal yet: the command bus waits for it
    best.min_t = std::min(best.min_t, top_ready);
    return best;
  }
  best.ready = true;
  best.cmd = banks_[top_bank].cand_cmd;
  best.bank = top_bank;
  best.req = banks_[top_bank].cand;
  best.seq = top_seq;
  return best;
}

void Controller::issue(const Choice& c) {
  Request& r = pool_[c.req];
  BankState& b = banks_[c.bank];
  const uint64_t bit = uint64_t(1) << c.bank;
  b.dirty = true;
  eval_valid_ = false;
  if (c.cmd != Cmd::PRE) {  // ACT and column commands change bank-group constraints
    const uint32_t g0 = c.bank & ~(banks_per_group_ - 1);
    for (uint32_t i = 0; i < banks_per_group_; ++i) banks_[g0 + i].timing_dirty = true;
  }
  switch (c.cmd) {
    case Cmd::ACT:
      checker_.issue(Cmd::ACT, c.bank, now_);
      b.open_row = int32_t(r.row);
      b.claim = c.req;
      if (!open_mask_) open_since_ = now_;
      open_mask_ |= bit;
      r.flags |= Request::kActed;
      ++stats_.act;
      ++tag_of(r.tag).acts;
      log(now_, Cmd::ACT, c.bank, r.row, 0);
      return;
    case Cmd::PRE:
      checker_.issue(Cmd::PRE, c.bank, now_);
      b.open_row = -1;
      b.claim = -1;
      close_banks(bit, now_);
      r.flags |= Request::kPrecharged;
      ++stats_.pre;
      ++tag_of(r.tag).pres;
      log(now_, Cmd::PRE, c.bank, r.row, 0);
      return;
    default:
      break;
  }
  // Column command: the request leaves the buffer.
  b.claim = -1;
  checker_.issue(c.cmd, c.bank, now_);
  log(now_, c.cmd, c.bank, r.row, r.column);
  const bool rd = is_read(c.cmd);
  if (rd) {
    ++stats_.rd;
    if (c.cmd == Cmd::RDA) ++stats_.rda;
  } else {
    ++stats_.wr;
    if (c.cmd == Cmd::WRA) ++stats_.wra;
  }
  TagStats& ts = tag_of(r.tag);
  ++(rd ? ts.reads : ts.writes);
  if (r.flags & Request::kPrecharged) {
    ++stats_.row_conflicts;
    ++ts.row_conflicts;
  } else if (r.flags & Request::kActed) {
    ++stats_.row_misses;
    ++ts.row_misses;
  } else {
    ++stats_.row_hits;
    ++ts.row_hits;
  }
  stats_.data_bus_cycles += d_.burst;
  if (c.cmd == Cmd::RDA || c.cmd == Cmd::WRA) {
    b.open_row = -1;
    close_banks(bit, now_);
    ++stats_.pre;
    ++ts.pres;
  }
  push_done(now_ + (rd ? d_.rd_data : d_.wr_data) + d_.burst, r.owner);
  // Unlink from the bank queue and return the slot.
  if (r.prev >= 0)
    pool_[r.prev].next = r.next;
  else
    b.head = r.next;
  if (r.next >= 0)
    pool_[r.next].prev = r.prev;
  else
    b.tail = r.prev;
  if (--b.queued == 0) nonempty_mask_ &= ~bit;
  --queued_;
  --(rd ? counts_.reads : counts_.writes);
  r.next = free_;
  free_ = c.req;
  queue_changed();
}

void Controller::issue_prea(Cycle t) {
  eval_valid_ = false;
  checker_.issue(Cmd::PREA, 0, t);
  stats_.pre += uint64_t(__builtin_popcountll(open_mask_));
  ++stats_.prea;
  for (uint64_t m = open_mask_; m; m &= m - 1) {
    BankState& b = banks_[__builtin_ctzll(m)];
    b.open_row = -1;
    b.claim = -1;
    b.dirty = true;
  }
  close_banks(open_mask_, t);
  log(t, Cmd::PREA, 0, 0, 0);
}

void Controller::issue_ref(Cycle t) {
  eval_valid_ = false;
  checker_.issue(Cmd::REF, 0, t);
  ++stats_.ref;
  refresh_.refreshed();
  log(t, Cmd::REF, 0, 0, 0);
}

void Controller::catch_up_refresh(Cycle now) {
  while (refresh_.pending(now)) {
    const Cycle due = refresh_.due();
    if (open_mask_) {
      const Cycle t = std::max(due, checker_.earliest_prea(open_mask_));
      if (t > now) return;
      issue_prea(t);
    }
    const Cycle t = std::max(due, checker_.earliest_ref());
    if (t > now) return;
    issue_ref(t);
  }
}

void Controller::sync() {
  if (!idle() || in_wake_) return;
  now_ = clock_.now_cycle();
  catch_up_refresh(now_);
}

}  // namespace subbit::dram
