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
  DramParams p = DramParams::from_preset("LPDDR4-3200");
  p.command_log = true;
  const SimRun r = simulate(p, {{0, 0, 3, 7, 3, R}});
  const DramSpec& s = p.spec;
  const uint64_t cycles = s.tRCD + s.CL + s.tDQSCK + s.burst_length / 2;  // 29 + 28 + 6 + 8 = 71
  EXPECT_EQ(cycles, 71u);
  EXPECT_NEAR(r.r.mean_latency_ns, 44.375, 1e-3);
  EXPECT_EQ(r.r.done_cycle[0], cycles);
}

}  // namespace
