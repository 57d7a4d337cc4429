// DRAM controller timing, in the manner of Ramulator 2's tests: for each JEDEC constraint, a
// request sequence that makes that constraint the only binding one, then the command log must show
// the constrained command at exactly the earliest legal cycle (later = too loose, earlier = too
// tight). One SystemC simulation per TEST; gtest_discover_tests runs each in its own process.
//
// Unless noted: DDR4-2400R, one channel, open page, FR-FCFS. Flat bank = bankgroup * 4 + bank.
#include <gtest/gtest.h>

#include <sstream>

#include "dram/address_mapper.h"
#include "dram/dram_system.h"
#include "dram/trace.h"

namespace {

using namespace subbit::dram;

struct SimRun {
  DramParams p;
  Delays d;
  ReplayResult r;
  std::vector<CmdRecord> log;

  // Cycle of the n-th (0-based) command `c` on `bank` (-1: any bank); -1 if absent.
  int64_t at(Cmd c, int bank = -1, int n = 0) const {
    for (const CmdRecord& e : log)
      if (e.cmd == c && (bank < 0 || e.bank == bank) && n-- == 0) return int64_t(e.t);
    return -1;
  }
  std::string dump() const {
    std::ostringstream o;
    o << "command log:\n";
    for (const CmdRecord& e : log) o << "  " << e.t << " " << cmd_name(e.cmd) << " bank " << e.bank << " row " << e.row << "\n";
    return o.str();
  }
};

DramParams ddr4(SchedulerKind s = SchedulerKind::FrFcfs, PagePolicyKind pp = PagePolicyKind::Open) {
  DramParams p = DramParams::from_preset("DDR4-2400R");
  p.scheduler = s;
  p.page_policy = pp;
  p.command_log = true;
  return p;
}

DramParams lpddr4(CmdArbiterKind a = CmdArbiterKind::Oldest) {
  DramParams p = DramParams::from_preset("LPDDR4-3200");
  p.cmd_arbiter = a;
  p.command_log = true;
  return p;
}

DramParams with_arbiter(DramParams p, CmdArbiterKind a) {
  p.cmd_arbiter = a;
  return p;
}

DramParams write_drain(uint32_t high, uint32_t low) {
  DramParams p = ddr4(SchedulerKind::FrFcfsWm);
  p.watermarks = Watermarks{high, low};
  return p;
}

struct Req {
  uint64_t cycle;
  uint32_t bg, ba, row, col;
  bool write;
};

SimRun simulate(const DramParams& p, const std::vector<Req>& reqs) {
  const AddressMapper m(p.spec, p.channels, p.address_mapping);
  std::vector<TraceRequest> t;
  for (const Req& q : reqs) t.push_back(TraceRequest{q.cycle, m.encode(DramAddress{0, q.bg, q.ba, q.row, q.col}), 0, q.write});
  ReplayHarness h(p, 64, "t");
  SimRun r;
  r.p = p;
  r.d = derive_delays(p.spec);
  r.r = h.run(t, true);
  r.log = h.dram().channel(0).command_log();
  return r;
}

constexpr bool R = false, W = true;

TEST(DramTiming, tRCD) {
  const SimRun r = simulate(ddr4(), {{0, 0, 0, 5, 0, R}});
  EXPECT_EQ(r.at(Cmd::ACT), 0) << r.dump();
  EXPECT_EQ(r.at(Cmd::RD) - r.at(Cmd::ACT), int64_t(r.p.spec.tRCD)) << r.dump();
}

TEST(DramTiming, CL) {
  // Second read is a row hit arriving long after the first: its data ends CL + BL/2 after RD.
  const SimRun r = simulate(ddr4(), {{0, 0, 0, 5, 0, R}, {100, 0, 0, 5, 1, R}});
  EXPECT_EQ(r.at(Cmd::RD, 0, 1), 100) << r.dump();
  EXPECT_EQ(int64_t(r.r.done_cycle[1]) - r.at(Cmd::RD, 0, 1), int64_t(r.p.spec.CL + r.p.spec.burst_length / 2));
  EXPECT_EQ(r.r.done_cycle[0], r.p.spec.tRCD + r.p.spec.CL + 4);
  EXPECT_EQ(r.r.stats.row_hits, 1u);
  EXPECT_EQ(r.r.stats.row_misses, 1u);
}

TEST(DramTiming, CWL) {
  const SimRun r = simulate(ddr4(), {{0, 0, 0, 5, 0, W}});
  EXPECT_EQ(int64_t(r.r.done_cycle[0]) - r.at(Cmd::WR), int64_t(r.p.spec.CWL + 4)) << r.dump();
}

TEST(DramTiming, tRP) {
  // The conflicting request arrives late, so tRAS/tRTP are long satisfied: PRE at arrival, ACT tRP later.
  const SimRun r = simulate(ddr4(), {{0, 0, 0, 0, 0, R}, {200, 0, 0, 1, 0, R}});
  EXPECT_EQ(r.at(Cmd::PRE), 200) << r.dump();
  EXPECT_EQ(r.at(Cmd::ACT, 0, 1) - r.at(Cmd::PRE), int64_t(r.p.spec.tRP)) << r.dump();
  EXPECT_EQ(r.r.stats.row_conflicts, 1u);
}

TEST(DramTiming, tRAS) {
  // Conflict queued at once: PRE waits for tRAS (39) > tRCD + tRTP (25).
  const SimRun r = simulate(ddr4(), {{0, 0, 0, 0, 0, R}, {0, 0, 0, 1, 0, R}});
  EXPECT_EQ(r.at(Cmd::PRE) - r.at(Cmd::ACT), int64_t(r.p.spec.tRAS)) << r.dump();
}

TEST(DramTiming, tRC) {
  // JEDEC DDR4-2400R: tRC = tRAS + tRP, so back-to-back ACTs to one bank are exactly tRC apart.
  const SimRun r = simulate(ddr4(), {{0, 0, 0, 0, 0, R}, {0, 0, 0, 1, 0, R}});
  EXPECT_EQ(r.at(Cmd::ACT, 0, 1) - r.at(Cmd::ACT, 0, 0), int64_t(r.p.spec.tRC)) << r.dump();
}

TEST(DramTiming, tRC_AloneBinding) {
  // With tRC raised above tRAS + tRP, the second ACT waits for tRC, not for PRE + tRP.
  DramParams p = ddr4();
  p.spec.tRC = 70;
  const SimRun r = simulate(p, {{0, 0, 0, 0, 0, R}, {0, 0, 0, 1, 0, R}});
  EXPECT_EQ(r.at(Cmd::PRE), int64_t(p.spec.tRAS)) << r.dump();
  EXPECT_EQ(r.at(Cmd::ACT, 0, 1), 70) << r.dump();
}

TEST(DramTiming, tCCD_L) {
  const SimRun r = simulate(ddr4(), {{0, 0, 0, 0, 0, R}, {0, 0, 0, 0, 1, R}});
  EXPECT_EQ(r.at(Cmd::RD, 0, 1) - r.at(Cmd::RD, 0, 0), int64_t(r.p.spec.tCCD_L)) << r.dump();
}

TEST(DramTiming, tCCD_S) {
  // A1 B1 A2 B2 with A in bank group 0, B in bank group 1: after the first two reads, reads
  // alternate groups every tCCD_S, later than tCCD_L would allow within each group.
  const SimRun r = simulate(ddr4(), {{0, 0, 0, 0, 0, R}, {0, 1, 0, 0, 0, R}, {0, 0, 0, 0, 1, R}, {0, 1, 0, 0, 1, R}});
  const int64_t a1 = r.at(Cmd::RD, 0, 0), b1 = r.at(Cmd::RD, 4, 0), a2 = r.at(Cmd::RD, 0, 1), b2 = r.at(Cmd::RD, 4, 1);
  EXPECT_EQ(a2 - b1, int64_t(r.p.spec.tCCD_S)) << r.dump();
  EXPECT_EQ(b2 - a2, int64_t(r.p.spec.tCCD_S)) << r.dump();
  EXPECT_GT(a2 - a1, int64_t(r.p.spec.tCCD_L)) << r.dump();  // tCCD_L is not what binds
}

TEST(DramTiming, tRRD_S) {
  const SimRun r = simulate(ddr4(), {{0, 0, 0, 0, 0, R}, {0, 1, 0, 0, 0, R}});
  EXPECT_EQ(r.at(Cmd::ACT, 4) - r.at(Cmd::ACT, 0), int64_t(r.p.spec.tRRD_S)) << r.dump();
}

TEST(DramTiming, tRRD_L) {
  const SimRun r = simulate(ddr4(), {{0, 0, 0, 0, 0, R}, {0, 0, 1, 0, 0, R}});
  EXPECT_EQ(r.at(Cmd::ACT, 1) - r.at(Cmd::ACT, 0), int64_t(r.p.spec.tRRD_L)) << r.dump();
}

TEST(DramTiming, tFAW) {
  // Four ACTs tRRD_S apart in four bank groups, then a fifth: it waits for tFAW after the first.
  const SimRun r = simulate(ddr4(), {{0, 0, 0, 0, 0, R}, {0, 1, 0, 0, 0, R}, {0, 2, 0, 0, 0, R}, {0, 3, 0, 0, 0, R},
                                  {0, 0, 1, 0, 0, R}});
  EXPECT_EQ(r.at(Cmd::ACT, 12), 3 * int64_t(r.p.spec.tRRD_S)) << r.dump();
  EXPECT_EQ(r.at(Cmd::ACT, 1) - r.at(Cmd::ACT, 0), int64_t(r.p.spec.tFAW)) << r.dump();
  EXPECT_GT(r.at(Cmd::ACT, 1) - r.at(Cmd::ACT, 12), int64_t(r.p.spec.tRRD_S)) << r.dump();
}

TEST(DramTiming, tWR) {
  // Write, then a read to another row of the same bank: PRE waits WL + BL/2 + tWR after WR.
  const SimRun r = simulate(ddr4(), {{0, 0, 0, 0, 0, W}, {0, 0, 0, 1, 0, R}});
  EXPECT_EQ(r.at(Cmd::PRE) - r.at(Cmd::WR), int64_t(r.p.spec.CWL + 4 + r.p.spec.tWR)) << r.dump();
  EXPECT_GT(r.at(Cmd::PRE) - r.at(Cmd::ACT), int64_t(r.p.spec.tRAS)) << r.dump();
}

TEST(DramTiming, tWTR_L) {
  const SimRun r = simulate(ddr4(), {{0, 0, 0, 0, 0, W}, {0, 0, 0, 0, 1, R}});
  EXPECT_EQ(r.at(Cmd::RD) - r.at(Cmd::WR), int64_t(r.p.spec.CWL + 4 + r.p.spec.tWTR_L)) << r.dump();
}

TEST(DramTiming, tWTR_S) {
  const SimRun r = simulate(ddr4(), {{0, 0, 0, 0, 0, W}, {0, 1, 0, 0, 0, R}});
  EXPECT_EQ(r.at(Cmd::RD) - r.at(Cmd::WR), int64_t(r.p.spec.CWL + 4 + r.p.spec.tWTR_S)) << r.dump();
}

TEST(DramTiming, tRTP) {
  // A late row hit (RD at 50) and then a conflict: PRE waits tRTP after that RD (tRAS long past).
  const SimRun r = simulate(ddr4(), {{0, 0, 0, 0, 0, R}, {50, 0, 0, 0, 1, R}, {51, 0, 0, 1, 0, R}});
  EXPECT_EQ(r.at(Cmd::RD, 0, 1), 50) << r.dump();
  EXPECT_EQ(r.at(Cmd::PRE) - r.at(Cmd::RD, 0, 1), int64_t(r.p.spec.tRTP)) << r.dump();
}

TEST(DramTiming, ReadToWriteTurnaround) {
  const SimRun r = simulate(ddr4(), {{0, 0, 0, 0, 0, R}, {0, 0, 0, 0, 1, W}});
  EXPECT_EQ(r.at(Cmd::WR) - r.at(Cmd::RD), int64_t(r.p.spec.CL + 4 + 2 - r.p.spec.CWL)) << r.dump();
}

TEST(DramTiming, tREFI_tRFC_WithOpenBank) {
  // Bank 0 is left open; the first refresh falls due at tREFI: PREA then, REF tRP later, and the
  // waiting request's ACT tRFC after REF.
  const uint64_t trefi = find_dram_preset("DDR4-2400R")->tREFI;
  const SimRun r = simulate(ddr4(), {{0, 0, 0, 0, 0, R}, {trefi + 10, 0, 0, 0, 1, R}});
  EXPECT_EQ(r.at(Cmd::PREA), int64_t(trefi)) << r.dump();
  EXPECT_EQ(r.at(Cmd::REF) - r.at(Cmd::PREA), int64_t(r.p.spec.tRPab)) << r.dump();
  EXPECT_EQ(r.at(Cmd::ACT, 0, 1) - r.at(Cmd::REF), int64_t(r.p.spec.tRFC)) << r.dump();
  EXPECT_EQ(r.r.stats.ref, 1u);
  EXPECT_EQ(r.r.stats.prea, 1u);
}

TEST(DramTiming, tREFI_tRFC_Idle) {
  // Idle with all banks closed: REF exactly every tREFI (no PREA needed).
  const uint64_t trefi = find_dram_preset("DDR4-2400R")->tREFI;
  const SimRun r = simulate(ddr4(), {{2 * trefi + 5, 0, 0, 0, 0, R}});
  EXPECT_EQ(r.at(Cmd::REF, -1, 0), int64_t(trefi)) << r.dump();
  EXPECT_EQ(r.at(Cmd::REF, -1, 1), int64_t(2 * trefi)) << r.dump();
  EXPECT_EQ(r.at(Cmd::PREA), -1) << r.dump();
  EXPECT_EQ(r.at(Cmd::ACT) - r.at(Cmd::REF, -1, 1), int64_t(r.p.spec.tRFC)) << r.dump();
}

TEST(DramTiming, Lpddr4_tRCD_tRRD_CommandSlots) {
  DramParams p = DramParams::from_preset("LPDDR4-3200");
  p.command_log = true;
  const SimRun r = simulate(p, {{0, 0, 0, 0, 0, R}, {0, 0, 1, 0, 0, R}});
  EXPECT_EQ(r.at(Cmd::ACT, 1) - r.at(Cmd::ACT, 0), int64_t(p.spec.tRRD_S)) << r.dump();
  EXPECT_EQ(r.at(Cmd::RD, 0) - r.at(Cmd::ACT, 0), int64_t(p.spec.tRCD)) << r.dump();
  EXPECT_EQ(r.at(Cmd::RD, 1) - r.at(Cmd::ACT, 1), int64_t(p.spec.tRCD)) << r.dump();
}

// LPDDR4 sends ACT as ACT-1 + ACT-2 and RD/WR as RD-1/WR-1 + CAS-2, each half 2 cycles; JEDEC
// measures row timings from ACT-2 and CAS-2, and RL / WL from the last cycle of CAS-2. The log
// records command starts, so each constraint shows with the halves' offsets (as DRAMSys).

TEST(DramTiming, Lpddr4_RL_FromLastCommandCycle) {
  // A row hit arriving late: its data ends RL + tDQSCK + BL/2 after the RD's last cycle.
  const SimRun r = simulate(lpddr4(), {{0, 0, 0, 5, 0, R}, {200, 0, 0, 5, 1, R}});
  const DramSpec& s = r.p.spec;
  EXPECT_EQ(r.at(Cmd::RD, 0, 1), 200) << r.dump();
  EXPECT_EQ(int64_t(r.r.done_cycle[1]) - 200, int64_t(s.cmd_cycles_cas - 1 + s.CL + s.tDQSCK + s.burst_length / 2));
  EXPECT_EQ(r.r.done_cycle[1], 200u + 3 + 28 + 6 + 8);
}

TEST(DramTiming, Lpddr4_WL_FromLastCommandCycle) {
  // Write data: WL + tDQSS (1) + tDQS2DQ after the WR's last cycle, then BL/2.
  const SimRun r = simulate(lpddr4(), {{0, 0, 0, 5, 0, W}});
  const DramSpec& s = r.p.spec;
  EXPECT_EQ(r.at(Cmd::WR), int64_t(s.tRCD)) << r.dump();
  EXPECT_EQ(int64_t(r.r.done_cycle[0]) - r.at(Cmd::WR), int64_t(s.cmd_cycles_cas - 1 + s.CWL + 1 + s.tDQS2DQ + s.burst_length / 2));
}

TEST(DramTiming, Lpddr4_tRAS_FromAct2) {
  // Conflict queued at once: PRE tRAS after ACT-2, i.e. tRAS + 2 after the ACT starts.
  const SimRun r = simulate(lpddr4(), {{0, 0, 0, 0, 0, R}, {0, 0, 0, 1, 0, R}});
  EXPECT_EQ(r.at(Cmd::PRE) - r.at(Cmd::ACT), int64_t(r.p.spec.tRAS + 2)) << r.dump();
  // tRC between the ACTs is unchanged (ACT-2 to ACT-2): PRE + tRP - 2.
  EXPECT_EQ(r.at(Cmd::ACT, 0, 1) - r.at(Cmd::ACT, 0, 0), int64_t(r.p.spec.tRC)) << r.dump();
}

TEST(DramTiming, Lpddr4_tRP_ToAct2) {
  // A late conflict: PRE at its arrival, ACT-2 tRP later (ACT starts tRP - 2 after the PRE).
  const SimRun r = simulate(lpddr4(), {{0, 0, 0, 0, 0, R}, {300, 0, 0, 1, 0, R}});
  EXPECT_EQ(r.at(Cmd::PRE), 300) << r.dump();
  EXPECT_EQ(r.at(Cmd::ACT, 0, 1) - r.at(Cmd::PRE), int64_t(r.p.spec.tRP - 2)) << r.dump();
}

TEST(DramTiming, Lpddr4_tRTP) {
  // RD at 100, then a conflict: PRE BL/2 + max(8, tRTP) - 8 after CAS-2 (2 after the RD starts).
  const SimRun r = simulate(lpddr4(), {{0, 0, 0, 0, 0, R}, {100, 0, 0, 0, 1, R}, {101, 0, 0, 1, 0, R}});
  const DramSpec& s = r.p.spec;
  EXPECT_EQ(r.at(Cmd::RD, 0, 1), 100) << r.dump();
  EXPECT_EQ(r.at(Cmd::PRE) - r.at(Cmd::RD, 0, 1), int64_t(2 + s.burst_length / 2 + std::max(8u, s.tRTP) - 8)) << r.dump();
}

TEST(DramTiming, Lpddr4_tWR) {
  // Write, then a read to another row: PRE WL + 1 + BL/2 + tWR after CAS-2.
  const SimRun r = simulate(lpddr4(), {{0, 0, 0, 0, 0, W}, {0, 0, 0, 1, 0, R}});
  const DramSpec& s = r.p.spec;
  EXPECT_EQ(r.at(Cmd::PRE) - r.at(Cmd::WR), int64_t(2 + s.CWL + 1 + s.burst_length / 2 + s.tWR)) << r.dump();
  EXPECT_GT(r.at(Cmd::PRE) - r.at(Cmd::ACT), int64_t(s.tRAS + 2)) << r.dump();
}

TEST(DramTiming, Lpddr4_tPPD) {
  // Two banks open, conflicts for both arrive together: the second PRE waits tPPD (4), not only
  // the first's 2 command-bus cycles.
  const SimRun r = simulate(lpddr4(), {{0, 0, 0, 0, 0, R}, {0, 0, 1, 0, 0, R}, {400, 0, 0, 1, 0, R}, {400, 0, 1, 1, 0, R}});
  EXPECT_EQ(r.at(Cmd::PRE, 0), 400) << r.dump();
  EXPECT_EQ(r.at(Cmd::PRE, 1) - r.at(Cmd::PRE, 0), int64_t(r.p.spec.tPPD)) << r.dump();
}

// ------------------------------------------------------------------ command-bus arbitration

TEST(CmdArbiter, OldestIssuesTheOlderActBeforeAYoungerRead) {
  // At cycle 30 an ACT (bank group 1, older request) and a row-hit RD (bank group 0, younger) are
  // both legal. DDR4 commands take one cycle, so oldest-first issues the ACT, then the RD.
  const std::vector<Req> q = {{0, 0, 0, 0, 0, R}, {30, 1, 0, 0, 0, R}, {30, 0, 0, 0, 1, R}};
  const SimRun r = simulate(ddr4(), q);
  EXPECT_EQ(r.at(Cmd::ACT, 4), 30) << r.dump();
  EXPECT_EQ(r.at(Cmd::RD, 0, 1), 31) << r.dump();
}

TEST(CmdArbiter, ColumnFirstIssuesTheYoungerReadFirst) {
  const std::vector<Req> q = {{0, 0, 0, 0, 0, R}, {30, 1, 0, 0, 0, R}, {30, 0, 0, 0, 1, R}};
  const SimRun r = simulate(with_arbiter(ddr4(), CmdArbiterKind::ColumnFirst), q);
  EXPECT_EQ(r.at(Cmd::RD, 0, 1), 30) << r.dump();
  EXPECT_EQ(r.at(Cmd::ACT, 4), 31) << r.dump();
}

// At 200 an ACT for an older request (4 bus cycles) and a PRE for a younger one (2 cycles) are
// legal: DRAMSys's CmdMuxOldest issues the one that leaves the bus first, the PRE; column-first
// (neither is a column command) the older ACT.
const std::vector<Req> kActOrPre = {{0, 0, 0, 0, 0, R}, {200, 0, 1, 0, 0, R}, {200, 0, 0, 1, 0, R}};

TEST(CmdArbiter, OldestPrefersTheCommandThatFinishesFirstLpddr4) {
  const SimRun o = simulate(lpddr4(), kActOrPre);
  EXPECT_EQ(o.at(Cmd::PRE, 0), 200) << o.dump();
  EXPECT_EQ(o.at(Cmd::ACT, 1), 202) << o.dump();
}

TEST(CmdArbiter, ColumnFirstTakesTheOlderActLpddr4) {
  const SimRun c = simulate(lpddr4(CmdArbiterKind::ColumnFirst), kActOrPre);
  EXPECT_EQ(c.at(Cmd::ACT, 1), 200) << c.dump();
  EXPECT_EQ(c.at(Cmd::PRE, 0), 204) << c.dump();
}

// At 69 an ACT is legal (it would leave the bus at 73); bank 0's PRE becomes legal at 70 (tRAS
// from ACT-2) and would leave at 72: oldest-first leaves the bus idle for a cycle, issues the PRE
// at 70 and the ACT at 72. Column-first issues the ready ACT at once.
const std::vector<Req> kHold = {{0, 0, 0, 0, 0, R}, {0, 0, 0, 1, 0, R}, {69, 0, 1, 0, 0, R}};

TEST(CmdArbiter, OldestHoldsTheBusForACommandThatFinishesFirstLpddr4) {
  const SimRun o = simulate(lpddr4(), kHold);
  EXPECT_EQ(o.at(Cmd::PRE, 0), 70) << o.dump();
  EXPECT_EQ(o.at(Cmd::ACT, 1), 72) << o.dump();
}

TEST(CmdArbiter, ColumnFirstIssuesTheReadyCommandLpddr4) {
  const SimRun c = simulate(lpddr4(CmdArbiterKind::ColumnFirst), kHold);
  EXPECT_EQ(c.at(Cmd::ACT, 1), 69) << c.dump();
  EXPECT_EQ(c.at(Cmd::PRE, 0), 73) << c.dump();
}

// ------------------------------------------------------------------ write draining (fr-fcfs-wm)

TEST(WriteDrain, ReadsGoFirstBelowTheHighWatermark) {
  // R0, W1, R1, W2 in bank groups 3, 0, 1, 2, all at 0 (FR-FCFS would serve W1 before R1, by
  // age). With the high watermark at 3 the writes wait: both reads' ACTs and RDs first; with no
  // read left, write mode, and the writes' ACTs follow the last RD.
  const std::vector<Req> q = {{0, 3, 0, 0, 0, R}, {0, 0, 0, 0, 0, W}, {0, 1, 0, 0, 0, R}, {0, 2, 0, 0, 0, W}};
  const SimRun w = simulate(write_drain(3, 0), q);
  const DramSpec& s = w.p.spec;
  EXPECT_EQ(w.at(Cmd::ACT, 12), 0) << w.dump();
  EXPECT_EQ(w.at(Cmd::ACT, 4), int64_t(s.tRRD_S)) << w.dump();
  EXPECT_EQ(w.at(Cmd::RD, 12), int64_t(s.tRCD)) << w.dump();
  EXPECT_EQ(w.at(Cmd::RD, 4), int64_t(s.tRCD + s.tRRD_S)) << w.dump();
  const int64_t last_rd = w.at(Cmd::RD, 4);
  EXPECT_EQ(w.at(Cmd::ACT, 0), last_rd + 1) << w.dump();  // write mode from the last RD on
  EXPECT_EQ(w.at(Cmd::ACT, 8), last_rd + 1 + int64_t(s.tRRD_S)) << w.dump();
  EXPECT_EQ(w.at(Cmd::WR, 0), w.at(Cmd::ACT, 0) + int64_t(s.tRCD)) << w.dump();
  EXPECT_EQ(w.at(Cmd::WR, 8), w.at(Cmd::ACT, 8) + int64_t(s.tRCD)) << w.dump();
}

TEST(WriteDrain, WritesDrainFromTheHighWatermarkDownToTheLow) {
  // Four writes (one per bank group) and a read, all at 0, high 4, low 2: write mode at once, two
  // writes drain to the low watermark, the read goes, then the last two writes.
  const std::vector<Req> q = {{0, 0, 0, 0, 0, W}, {0, 1, 0, 0, 0, W}, {0, 2, 0, 0, 0, W}, {0, 3, 0, 0, 0, W}, {0, 0, 1, 0, 0, R}};
  const SimRun w = simulate(write_drain(4, 2), q);
  std::string order;
  for (const CmdRecord& e : w.log)
    if (is_column(e.cmd)) order += is_read(e.cmd) ? 'R' : 'W';
  EXPECT_EQ(order, "WWRWW") << w.dump();
}

TEST(WriteDrain, AnActivatedRowServesItsRequestFirst) {
  // Read mode: R1's row is activated at 0. At 1 two writes arrive and reach the high watermark
  // (2): write mode. W1 wants another row of R1's bank, but the bank keeps the request it opened
  // the row for (DRAMSys's keepTrans): R1's RD at tRCD, no wasted ACT/PRE pair.
  const SimRun w = simulate(write_drain(2, 0), {{0, 0, 0, 0, 0, R}, {1, 0, 0, 1, 0, W}, {1, 1, 0, 0, 0, W}});
  EXPECT_EQ(w.at(Cmd::RD), int64_t(w.p.spec.tRCD)) << w.dump();
  EXPECT_GT(w.at(Cmd::PRE), w.at(Cmd::RD)) << w.dump();
  EXPECT_EQ(w.r.stats.act, 3u);
  EXPECT_EQ(w.r.stats.row_conflicts, 1u);
}

TEST(WriteDrain, FewerBusTurnaroundsOnARandomTwoToOneTrace) {
  // 20 000 random bursts, one in three a write: FR-FCFS switches direction every few bursts;
  // draining (24 / 8 of 32) every batch of tens.
  auto switches = [](const std::vector<CmdRecord>& log, uint64_t* bursts) {
    uint64_t n = 0;
    int last = -1;
    for (const CmdRecord& e : log)
      if (is_column(e.cmd)) {
        const int d = is_read(e.cmd) ? 0 : 1;
        n += last >= 0 && d != last;
        last = d;
        ++*bursts;
      }
    return n;
  };
  DramParams f = ddr4();
  DramParams w = write_drain(0, 0);  // defaults: 24 / 8
  const AddressMapper m(f.spec, 1, f.address_mapping);
  const auto trace = make_random_trace(20000, f.spec.burst_bytes(), m.capacity(), 3, 1.0 / 3);
  ReplayHarness hf(f, 64, "f"), hw(w, 64, "w");
  const ReplayResult rf = hf.run(trace), rw = hw.run(trace);
  uint64_t nf = 0, nw = 0;
  const uint64_t sf = switches(hf.dram().channel(0).command_log(), &nf), sw = switches(hw.dram().channel(0).command_log(), &nw);
  EXPECT_EQ(nf, 20000u);
  EXPECT_EQ(nw, 20000u);
  EXPECT_LT(nf / sf, 8u) << sf << " switches";
  EXPECT_GT(nw / sw, 20u) << sw << " switches";
  EXPECT_EQ(rf.writes, rw.writes);
}

TEST(DramTiming, ClosedPageAutoPrecharge) {
  // Closed page: every access is RDA; the second read to the same row must re-activate, at
  // max(ACT + tRAS, RDA + tRTP) + tRP.
  const SimRun r = simulate(ddr4(SchedulerKind::FrFcfs, PagePolicyKind::Closed), {{0, 0, 0, 0, 0, R}, {0, 0, 0, 0, 1, R}});
  const auto& s = r.p.spec;
  EXPECT_EQ(r.at(Cmd::RDA, 0, 0), int64_t(s.tRCD)) << r.dump();
  EXPECT_EQ(r.at(Cmd::ACT, 0, 1), int64_t(std::max(s.tRAS, s.tRCD + s.tRTP) + s.tRP)) << r.dump();
  EXPECT_EQ(r.r.stats.rda, 2u);
  EXPECT_EQ(r.r.stats.rd, 2u);
  EXPECT_EQ(r.r.stats.pre, 2u);
  EXPECT_EQ(r.r.stats.row_misses, 2u);
  EXPECT_EQ(r.at(Cmd::PRE), -1);
}

TEST(DramTiming, FrFcfsServesRowHitsFirst) {
  // R1 row 0, R2 row 1, R3 row 0 (same bank): FR-FCFS serves R3 (a hit) before R2.
  const SimRun r = simulate(ddr4(), {{0, 0, 0, 0, 0, R}, {0, 0, 0, 1, 0, R}, {0, 0, 0, 0, 1, R}});
  const auto& d = r.r.done_cycle;
  EXPECT_LT(d[0], d[2]);
  EXPECT_LT(d[2], d[1]);
  EXPECT_EQ(r.r.stats.row_hits, 1u);
  EXPECT_EQ(r.r.stats.row_conflicts, 1u);
}

TEST(DramTiming, FcfsServesInArrivalOrder) {
  const SimRun r = simulate(ddr4(SchedulerKind::Fcfs), {{0, 0, 0, 0, 0, R}, {0, 0, 0, 1, 0, R}, {0, 0, 0, 0, 1, R}});
  const auto& d = r.r.done_cycle;
  EXPECT_LT(d[0], d[1]);
  EXPECT_LT(d[1], d[2]);
  EXPECT_EQ(r.r.stats.row_hits, 0u);
  EXPECT_EQ(r.r.stats.row_conflicts, 2u);
}

// Unloaded read latency, closed form (docs/dram.md): a read to a closed bank of an idle
// controller responds tRCD + RL + tDQSCK + BL/2 cycles after it arrives (the controller adds no
// pipeline cycles of its own; the ACT issues in the arrival cycle).
TEST(DramLatency, UnloadedReadClosedFormDdr4) {
  const SimRun r = simulate(ddr4(), {{0, 0, 0, 7, 3, R}});
  const DramSpec& s = r.p.spec;
  const uint64_t cycles = s.tRCD + s.CL + s.tDQSCK + s.burst_length / 2;  // 16 + 16 + 0 + 4 = 36
  EXPECT_EQ(cycles, 36u);
  EXPECT_NEAR(r.r.mean_latency_ns, double(cycles) * 1000.0 / s.clock_mhz, 1e-3);  // 30.0 ns
  EXPECT_NEAR(r.r.p99_latency_ns, 30.0, 1e-9);
  EXPECT_EQ(r.r.done_cycle[0], cycles);
}

TEST(DramLatency, UnloadedReadClosedFormLpddr4) {
  // RL counts from the RD's last cycle (RD-1 + CAS-2: 4 cycles): tRCD + 3 + RL + tDQSCK + BL/2,
  // as DRAMSys (46.25 ns).
  DramParams p = DramParams::from_preset("LPDDR4-3200");
  p.command_log = true;
  const SimRun r = simulate(p, {{0, 0, 3, 7, 3, R}});
  const DramSpec& s = p.spec;
  const uint64_t cycles = s.tRCD + (s.cmd_cycles_cas - 1) + s.CL + s.tDQSCK + s.burst_length / 2;  // 29 + 3 + 28 + 6 + 8
  EXPECT_EQ(cycles, 74u);
  EXPECT_NEAR(r.r.mean_latency_ns, 46.25, 1e-3);
  EXPECT_EQ(r.r.done_cycle[0], cycles);
}

TEST(DramLatency, UnloadedWriteClosedFormDdr4) {
  // tRCD + CWL + BL/2 = 32 cycles.
  const SimRun d = simulate(ddr4(), {{0, 0, 0, 7, 3, W}});
  EXPECT_EQ(d.r.done_cycle[0], 16u + 12 + 4);
  EXPECT_NEAR(d.r.mean_latency_ns, 32 * 1000.0 / 1200, 1e-3);
}

TEST(DramLatency, UnloadedWriteClosedFormLpddr4) {
  // tRCD + 3 + WL + tDQSS + tDQS2DQ + BL/2 = 57 cycles, 35.625 ns (as DRAMSys).
  const SimRun l = simulate(lpddr4(), {{0, 0, 3, 7, 3, W}});
  EXPECT_EQ(l.r.done_cycle[0], 29u + 3 + 14 + 1 + 2 + 8);
  EXPECT_NEAR(l.r.mean_latency_ns, 35.625, 1e-3);
}

}  // namespace
