// DRAM model pieces without a simulation: the preset table, derived delays, the address mapper,
// the timing checker (Ramulator-style: issue a command, check the earliest legal time of the next
// one equals exactly the JEDEC constraint), statistics, the backing store and the .stl parser.
#include <gtest/gtest.h>

#include <cstring>

#include "dram/address_mapper.h"
#include "dram/backing_store.h"
#include "dram/dram_spec.h"
#include "dram/stats.h"
#include "dram/timing_checker.h"
#include "dram/trace.h"
#include "quant/error.h"

namespace {

using namespace subbit::dram;

const DramSpec& ddr4() { return *find_dram_preset("DDR4-2400R"); }
const DramSpec& lpddr4() { return *find_dram_preset("LPDDR4-3200"); }

// DDR4 flat bank = bankgroup * 4 + bank
constexpr uint32_t kB0 = 0;   // bg0 ba0
constexpr uint32_t kB1 = 1;   // bg0 ba1 (same group as kB0)
constexpr uint32_t kG1 = 4;   // bg1 ba0
constexpr uint32_t kG2 = 8;   // bg2 ba0
constexpr uint32_t kG3 = 12;  // bg3 ba0

TEST(DramSpec, Ddr4_2400R_Table) {
  const DramSpec& s = ddr4();
  EXPECT_EQ(s.clock_mhz, 1200u);
  EXPECT_EQ(s.burst_length, 8u);
  EXPECT_EQ(s.bus_width_bits, 64u);
  EXPECT_EQ(s.bank_groups, 4u);
  EXPECT_EQ(s.banks(), 16u);
  EXPECT_EQ(s.rows, 65536u);
  EXPECT_EQ(s.columns, 1024u);
  EXPECT_EQ(s.CL, 16u);
  EXPECT_EQ(s.tRCD, 16u);
  EXPECT_EQ(s.tRP, 16u);
  EXPECT_EQ(s.tRAS, 39u);
  EXPECT_EQ(s.tRC, 55u);
  EXPECT_EQ(s.CWL, 12u);
  EXPECT_EQ(s.tCCD_S, 4u);
  EXPECT_EQ(s.tCCD_L, 6u);
  EXPECT_EQ(s.tRRD_S, 4u);
  EXPECT_EQ(s.tRRD_L, 6u);
  EXPECT_EQ(s.tFAW, 26u);
  EXPECT_EQ(s.tWR, 18u);
  EXPECT_EQ(s.tWTR_S, 3u);
  EXPECT_EQ(s.tWTR_L, 9u);
  EXPECT_EQ(s.tRTP, 9u);
  EXPECT_EQ(s.tREFI, 9360u);
  EXPECT_EQ(s.tRFC, 420u);
  EXPECT_EQ(s.burst_bytes(), 64u);
  EXPECT_DOUBLE_EQ(s.peak_gbps(), 19.2);
  EXPECT_EQ(s.bytes(), uint64_t(8) << 30);
  EXPECT_EQ(find_dram_preset("DDR4-2400"), &s);  // alias
  EXPECT_EQ(find_dram_preset("DDR4-2400T")->CL, 17u);
  EXPECT_EQ(find_dram_preset("DDR4-2400T")->tRC, 56u);
  EXPECT_EQ(find_dram_preset("DDR5-4800"), nullptr);
}

TEST(DramSpec, Lpddr4_3200_Table) {
  const DramSpec& s = lpddr4();
  EXPECT_EQ(s.clock_mhz, 1600u);
  EXPECT_EQ(s.burst_length, 16u);
  EXPECT_EQ(s.bus_width_bits, 16u);
  EXPECT_EQ(s.bank_groups, 1u);
  EXPECT_EQ(s.banks(), 8u);
  EXPECT_EQ(s.tRCD, 29u);
  EXPECT_EQ(s.CL, 28u);
  EXPECT_EQ(s.CWL, 14u);
  EXPECT_EQ(s.tRP, 29u);
  EXPECT_EQ(s.tRPab, 34u);
  EXPECT_EQ(s.tRAS, 68u);
  EXPECT_EQ(s.tRC, 97u);
  EXPECT_EQ(s.tCCD_S, s.tCCD_L);
  EXPECT_EQ(s.tCCD_S, 8u);
  EXPECT_EQ(s.tRRD_S, 16u);
  EXPECT_EQ(s.tFAW, 64u);
  EXPECT_EQ(s.tWR, 29u);
  EXPECT_EQ(s.tWTR_S, 16u);
  EXPECT_EQ(s.tRTP, 12u);
  EXPECT_EQ(s.tREFI, 6246u);
  EXPECT_EQ(s.tRFC, 448u);
  EXPECT_EQ(s.tDQSCK, 6u);   // 3.5 ns max
  EXPECT_EQ(s.tDQS2DQ, 2u);  // 800 ps max
  EXPECT_EQ(s.tPPD, 4u);
  EXPECT_EQ(s.burst_bytes(), 32u);
  EXPECT_DOUBLE_EQ(s.peak_gbps(), 6.4);
  EXPECT_EQ(s.bytes(), uint64_t(1) << 30);
}

TEST(DramSpec, DerivedDelays) {
  const Delays d = derive_delays(ddr4());
  EXPECT_EQ(d.rd_to_wr, 16u + 4 + 2 - 12);  // RL + BL/2 + 2 - WL
  EXPECT_EQ(d.wr_to_rd_s, 12u + 4 + 3);     // WL + BL/2 + tWTR_S
  EXPECT_EQ(d.wr_to_rd_l, 12u + 4 + 9);
  EXPECT_EQ(d.wr_to_pre, 12u + 4 + 18);     // WL + BL/2 + tWR
  EXPECT_EQ(d.rd_to_pre, 9u);               // tRTP
  EXPECT_EQ(d.rd_data, 16u);
  EXPECT_EQ(d.burst, 4u);
  EXPECT_EQ(d.act_to_pre, 39u);             // DDR4 commands take one cycle: no offsets
  EXPECT_EQ(d.pre_to_act, 16u);
  EXPECT_EQ(d.ppd, 0u);
  // LPDDR4, between command starts: ACT is measured from ACT-2 and RD/WR from CAS-2 (2 cycles
  // after the start), RL/WL from CAS-2's last cycle (3 after the start).
  const Delays l = derive_delays(lpddr4());
  EXPECT_EQ(l.rd_data, 3u + 28 + 6);                // last cycle + RL + tDQSCK
  EXPECT_EQ(l.wr_data, 3u + 14 + 1 + 2);            // last cycle + WL + tDQSS + tDQS2DQ
  EXPECT_EQ(l.rd_to_wr, 28u + 6 + 8 + 2 + 0 - 14);  // RL + tDQSCK + BL/2 + tWPRE + tRPST - WL
  EXPECT_EQ(l.wr_to_rd_l, 14u + 1 + 8 + 16);        // WL + 1 + BL/2 + tWTR
  EXPECT_EQ(l.rd_to_pre, 2u + 8 + 12 - 8);          // CAS-2 + BL/2 + max(8, tRTP) - 8
  EXPECT_EQ(l.wr_to_pre, 2u + 14 + 1 + 8 + 29);     // CAS-2 + WL + 1 + BL/2 + tWR
  EXPECT_EQ(l.act_to_col, 29u);                     // ACT-2 -> CAS-2: tRCD
  EXPECT_EQ(l.act_to_pre, 68u + 2);                 // ACT-2 -> PRE: tRAS
  EXPECT_EQ(l.pre_to_act, 29u - 2);                 // PRE -> ACT-2: tRP
  EXPECT_EQ(l.prea_to_act, 34u - 2);                // PREA -> ACT-2: tRPab
  EXPECT_EQ(l.ref_to_act, 448u - 2);                // REF -> ACT-2: tRFCab
  EXPECT_EQ(l.pre_to_ref, 29u);
  EXPECT_EQ(l.act_to_act, 97u);                     // tRC, ACT-2 to ACT-2
  EXPECT_EQ(l.ppd, 4u);                             // tPPD
  EXPECT_EQ(l.cmd_act, 4u);
  EXPECT_EQ(l.cmd_pre, 2u);
  // The same as DRAMSys's CheckerLPDDR4 (tRDAACT, tWRAACT): RDA/WRA -> ACT through the implicit PRE.
  EXPECT_EQ(l.rd_to_pre + l.pre_to_act, 12u + 29 + 8 - 8);       // tRTP + tRPpb + BL/2 - 8
  EXPECT_EQ(l.wr_to_pre + l.pre_to_act, 14u + 8 + 29 + 1 + 29);  // WL + BL/2 + tWR + 1 + tRPpb
}

// ------------------------------------------------------------------ address mapper

TEST(AddressMapper, NamedMappings) {
  EXPECT_EQ(AddressMapper(lpddr4(), 1, "RoBaRaCoCh").describe(), "Ro[29:14] Ba[13:11] Co[10:5] offset[4:0]");
  // Without Bg, DDR4 bank-group bits sit right below Ba.
  EXPECT_EQ(AddressMapper(ddr4(), 1, "RoBaRaCoCh").describe(), "Ro[32:17] Ba[16:15] Bg[14:13] Co[12:6] offset[5:0]");
  EXPECT_EQ(AddressMapper(ddr4(), 2, "RoBaCoBgCh").describe(), "Ro[33:18] Ba[17:16] Co[15:9] Bg[8:7] Ch[6] offset[5:0]");
  EXPECT_EQ(AddressMapper(ddr4(), 4, "ChRoBaBgCo").describe(), "Ch[34:33] Ro[32:17] Ba[16:15] Bg[14:13] Co[12:6] offset[5:0]");
}

TEST(AddressMapper, BitFieldMappingSplitsFields) {
  const AddressMapper m(ddr4(), 2, "Ro16 Ba2 Co5 Bg2 Co2 Ch1");
  EXPECT_EQ(m.describe(), "Ro[33:18] Ba[17:16] Co[15:11] Bg[10:9] Co[8:7] Ch[6] offset[5:0]");
  const DramAddress a = m.decode((uint64_t(0x1f) << 11) | (uint64_t(2) << 9) | (uint64_t(1) << 7) | (1u << 6));
  EXPECT_EQ(a.column, (0x1fu << 2) | 1u);
  EXPECT_EQ(a.bankgroup, 2u);
  EXPECT_EQ(a.channel, 1u);
  EXPECT_EQ(a.row, 0u);
}

TEST(AddressMapper, EncodeDecodeRoundTrip) {
  for (const char* map : {"RoBaRaCoCh", "RoBaCoBgCh", "Ro16 Ba2 Co5 Bg2 Co2 Ch1", "ChBgBaRoCo"}) {
    const AddressMapper m(ddr4(), 2, map);
    EXPECT_EQ(m.capacity(), uint64_t(16) << 30) << map;
    uint64_t x = 12345;
    for (int i = 0; i < 1000; ++i) {
      x = x * 6364136223846793005ULL + 1442695040888963407ULL;
      const uint64_t addr = (x >> 20) % m.capacity() & ~uint64_t(63);
      const DramAddress a = m.decode(addr);
      EXPECT_LT(a.row, 65536u);
      EXPECT_LT(a.column, 128u);
      EXPECT_EQ(m.encode(a), addr) << map;
    }
  }
}

TEST(AddressMapper, ValidationMessages) {
  EXPECT_EQ(AddressMapper::validate(ddr4(), 1, "RoBaRaCoCh"), "");
  EXPECT_EQ(AddressMapper::validate(ddr4(), 1, "Ro16 Ba2 Co7"),
            "expected the widths of Bg to add up to 2 (DDR4-2400R x 1 channel: Ro16 Ba2 Bg2 Co7 Ch0), they add up to "
            "0, got \"Ro16 Ba2 Co7\"");
  EXPECT_EQ(AddressMapper::validate(ddr4(), 1, "Ro16 BaBgCo7"),
            "expected either no widths (RoBaRaCoCh) or a width on every field (Ro16 Ba2 Co7 Bg2 Ch1), got \"Ro16 BaBgCo7\"");
  EXPECT_EQ(AddressMapper::validate(ddr4(), 1, "Ro-Ba-9"),
            "expected field names Ro, Ba, Bg, Ra, Co, Ch (e.g. RoBaRaCoCh or Ro16 Ba2 Co7 Bg2 Ch1); unexpected '9' at "
            "position 7, got \"Ro-Ba-9\"");
  EXPECT_EQ(AddressMapper::validate(ddr4(), 1, ""), "expected an address mapping such as RoBaRaCoCh, got \"\"");
  EXPECT_THROW(AddressMapper(ddr4(), 1, "RoCo"), subbit::Error);
}

// ------------------------------------------------------------------ timing checker
// Each test issues the command sequence and checks the earliest legal time of the constrained
// command equals the constraint exactly (a looser checker would give a later time, a tighter one
// an earlier time).

TEST(TimingChecker, tRCD) {
  TimingChecker c(ddr4());
  c.issue(Cmd::ACT, kB0, 100);
  EXPECT_EQ(c.earliest(Cmd::RD, kB0), 100 + ddr4().tRCD);
  EXPECT_EQ(c.earliest(Cmd::WR, kB0), 100 + ddr4().tRCD);
}

TEST(TimingChecker, tRAS) {
  TimingChecker c(ddr4());
  c.issue(Cmd::ACT, kB0, 100);
  EXPECT_EQ(c.earliest(Cmd::PRE, kB0), 100 + ddr4().tRAS);
}

TEST(TimingChecker, tRP) {
  TimingChecker c(ddr4());
  c.issue(Cmd::ACT, kB0, 0);
  c.issue(Cmd::PRE, kB0, 200);
  EXPECT_EQ(c.earliest(Cmd::ACT, kB0), 200 + ddr4().tRP);
}

TEST(TimingChecker, tRC) {
  DramSpec s = ddr4();
  s.tRC = 70;  // make tRC exceed tRAS + tRP so it binds alone
  TimingChecker c(s);
  c.issue(Cmd::ACT, kB0, 100);
  c.issue(Cmd::PRE, kB0, 100 + s.tRAS);
  EXPECT_EQ(c.earliest(Cmd::ACT, kB0), 100 + 70u);
  TimingChecker j(ddr4());  // JEDEC preset: tRC = tRAS + tRP
  j.issue(Cmd::ACT, kB0, 100);
  j.issue(Cmd::PRE, kB0, 100 + ddr4().tRAS);
  EXPECT_EQ(j.earliest(Cmd::ACT, kB0), 100 + ddr4().tRC);
}

TEST(TimingChecker, tRRD_S_and_tRRD_L) {
  TimingChecker c(ddr4());
  c.issue(Cmd::ACT, kB0, 100);
  EXPECT_EQ(c.earliest(Cmd::ACT, kG1), 100 + ddr4().tRRD_S);
  EXPECT_EQ(c.earliest(Cmd::ACT, kB1), 100 + ddr4().tRRD_L);
}

TEST(TimingChecker, tFAW) {
  TimingChecker c(ddr4());
  c.issue(Cmd::ACT, kB0, 0);
  c.issue(Cmd::ACT, kG1, 10);
  c.issue(Cmd::ACT, kG2, 14);
  c.issue(Cmd::ACT, kG3, 18);
  EXPECT_EQ(c.earliest(Cmd::ACT, kG1 + 1), ddr4().tFAW);  // 26 > 18 + tRRD_S
  c.issue(Cmd::ACT, kG1 + 1, 26);
  EXPECT_EQ(c.earliest(Cmd::ACT, kG2 + 1), 10 + ddr4().tFAW);  // window slid to the ACT at 10 (36 > 26 + 4)
}

TEST(TimingChecker, tCCD_S_and_tCCD_L) {
  TimingChecker c(ddr4());
  c.issue(Cmd::ACT, kB0, 0);
  c.issue(Cmd::ACT, kG1, 4);
  c.issue(Cmd::ACT, kB1, 10);
  c.issue(Cmd::RD, kB0, 40);
  EXPECT_EQ(c.earliest(Cmd::RD, kG1), 40 + ddr4().tCCD_S);
  EXPECT_EQ(c.earliest(Cmd::RD, kB1), 40 + ddr4().tCCD_L);
  EXPECT_EQ(c.earliest(Cmd::RD, kB0), 40 + ddr4().tCCD_L);
  c.issue(Cmd::WR, kG1, 60);
  EXPECT_EQ(c.earliest(Cmd::WR, kB0), 60 + ddr4().tCCD_S);
  EXPECT_EQ(c.earliest(Cmd::WR, kG1), 60 + ddr4().tCCD_L);
}

TEST(TimingChecker, tWR) {
  TimingChecker c(ddr4());
  c.issue(Cmd::ACT, kB0, 0);
  c.issue(Cmd::WR, kB0, 30);
  EXPECT_EQ(c.earliest(Cmd::PRE, kB0), 30 + ddr4().CWL + 4 + ddr4().tWR);
}

TEST(TimingChecker, tWTR_S_and_tWTR_L) {
  TimingChecker c(ddr4());
  c.issue(Cmd::ACT, kB0, 0);
  c.issue(Cmd::ACT, kG1, 4);
  c.issue(Cmd::WR, kB0, 30);
  EXPECT_EQ(c.earliest(Cmd::RD, kB0), 30 + ddr4().CWL + 4 + ddr4().tWTR_L);
  EXPECT_EQ(c.earliest(Cmd::RD, kG1), 30 + ddr4().CWL + 4 + ddr4().tWTR_S);
}

TEST(TimingChecker, tRTP) {
  TimingChecker c(ddr4());
  c.issue(Cmd::ACT, kB0, 0);
  c.issue(Cmd::RD, kB0, 60);
  EXPECT_EQ(c.earliest(Cmd::PRE, kB0), 60 + ddr4().tRTP);
}

TEST(TimingChecker, ReadToWriteTurnaround) {
  TimingChecker c(ddr4());
  c.issue(Cmd::ACT, kB0, 0);
  c.issue(Cmd::ACT, kG1, 4);
  c.issue(Cmd::RD, kB0, 30);
  EXPECT_EQ(c.earliest(Cmd::WR, kG1), 30 + ddr4().CL + 4 + 2 - ddr4().CWL);
}

TEST(TimingChecker, tRFC_and_refresh_after_precharge) {
  TimingChecker c(ddr4());
  c.issue(Cmd::ACT, kB0, 0);
  c.issue(Cmd::PRE, kB0, 500);
  EXPECT_EQ(c.earliest_ref(), 500 + ddr4().tRP);
  c.issue(Cmd::REF, 0, 1000);
  EXPECT_EQ(c.earliest(Cmd::ACT, kG3), 1000 + ddr4().tRFC);
  EXPECT_EQ(c.earliest_ref(), 1000 + ddr4().tRFC);
}

TEST(TimingChecker, PrechargeAllWaitsForEveryOpenBank) {
  TimingChecker c(lpddr4());
  c.issue(Cmd::ACT, 0, 0);
  c.issue(Cmd::ACT, 1, 16);
  EXPECT_EQ(c.earliest_prea(0b11), 16 + lpddr4().tRAS + 2);  // tRAS from ACT-2
  EXPECT_EQ(c.earliest_prea(0b01), lpddr4().tRAS + 2);
  c.issue(Cmd::PREA, 0, 200);
  EXPECT_EQ(c.earliest(Cmd::ACT, 5), 200 + lpddr4().tRPab - 2);  // to ACT-2
  EXPECT_EQ(c.earliest_ref(), 200 + lpddr4().tRPab);
}

TEST(TimingChecker, Lpddr4_tPPD) {
  // Two banks ready to precharge long before: the second PRE waits tPPD (4) after the first, not
  // just the first's 2 command-bus cycles.
  TimingChecker c(lpddr4());
  c.issue(Cmd::ACT, 0, 0);
  c.issue(Cmd::ACT, 1, 16);
  c.issue(Cmd::PRE, 0, 200);
  EXPECT_EQ(c.earliest(Cmd::PRE, 1), 200 + lpddr4().tPPD);
  EXPECT_EQ(c.earliest(Cmd::ACT, 2), 202u);  // other commands: only the bus
  EXPECT_EQ(c.earliest_prea(0b10), 200 + lpddr4().tPPD);
}

TEST(TimingChecker, AutoPrechargeClosesAtEarliestLegalPrecharge) {
  TimingChecker c(ddr4());
  c.issue(Cmd::ACT, kB0, 0);
  const Cycle t_pre = c.issue(Cmd::RDA, kB0, ddr4().tRCD);
  EXPECT_EQ(t_pre, ddr4().tRAS);  // tRAS (39) > tRCD + tRTP (25)
  EXPECT_EQ(c.earliest(Cmd::ACT, kB0), ddr4().tRAS + ddr4().tRP);
}

TEST(TimingChecker, DataBusAndCommandSlots) {
  TimingChecker c(lpddr4());
  c.issue(Cmd::ACT, 0, 0);
  EXPECT_EQ(c.earliest(Cmd::PRE, 3), 4u);  // ACT occupies 4 CA-bus cycles on LPDDR4
  c.issue(Cmd::RD, 0, 29);
  EXPECT_EQ(c.data_bus_free(), 29 + 3 + 28 + 6 + 8u);  // RL from the RD's last cycle
  TimingChecker d(ddr4());
  d.issue(Cmd::ACT, kB0, 0);
  EXPECT_EQ(d.earliest(Cmd::PRE, kG3), 1u);  // DDR4: one slot per command
}

// ------------------------------------------------------------------ statistics, store

TEST(LatencyStats, MeanAndPercentiles) {
  LatencyStats s;
  for (uint64_t i = 1; i <= 100; ++i) s.add(i, i * 1000);
  s.add(100000, 100000000);  // overflow bucket
  EXPECT_EQ(s.count(), 101u);
  EXPECT_EQ(s.percentile_cycles(0.5), 51u);
  EXPECT_EQ(s.percentile_cycles(0.99), 100u);
  EXPECT_EQ(s.percentile_cycles(1.0), 100000u);
  EXPECT_EQ(s.max_cycles(), 100000u);
  EXPECT_NEAR(s.mean_ps(), (5050.0 * 1000 + 1e8) / 101, 1e-6);
}

TEST(BackingStore, SparsePagesAndByteEnables) {
  BackingStore m;
  uint8_t buf[10000];
  for (size_t i = 0; i < sizeof buf; ++i) buf[i] = uint8_t(i * 7);
  m.write(4000, buf, sizeof buf);  // spans 4 pages
  EXPECT_EQ(m.pages(), 4u);
  uint8_t out[10000];
  m.read(4000, out, sizeof out);
  EXPECT_EQ(std::memcmp(buf, out, sizeof buf), 0);
  uint8_t z[16];
  m.read(uint64_t(1) << 30, z, 16);  // never written: zeros, nothing allocated
  for (uint8_t v : z) EXPECT_EQ(v, 0);
  EXPECT_EQ(m.pages(), 4u);
  const uint8_t data[4] = {1, 2, 3, 4}, be[2] = {0xff, 0};
  m.write(0, data, 4, be, 2);
  uint8_t got[4];
  m.read(0, got, 4);
  EXPECT_EQ(got[0], 1);
  EXPECT_EQ(got[1], 0);
  EXPECT_EQ(got[2], 3);
  EXPECT_EQ(got[3], 0);
}

// ------------------------------------------------------------------ .stl traces

TEST(StlTrace, ParsesDramsysFormat) {
  const auto t = parse_stl(
      "# header comment\n"
      "\n"
      "0: read 0x0\n"
      "  5:\twrite\t0x1F40   # trailing comment\n"
      "5: READ 0xabc0 \r\n"
      "9: write 0x40 0x00112233\n",
      "x.stl");
  ASSERT_EQ(t.size(), 4u);
  EXPECT_EQ(t[0].cycle, 0u);
  EXPECT_FALSE(t[0].write);
  EXPECT_EQ(t[1].cycle, 5u);
  EXPECT_TRUE(t[1].write);
  EXPECT_EQ(t[1].address, 0x1f40u);
  EXPECT_EQ(t[1].line, 4u);
  EXPECT_EQ(t[2].address, 0xabc0u);
  EXPECT_EQ(t[3].address, 0x40u);
  EXPECT_EQ(parse_stl(format_stl(t), "y.stl").size(), 4u);
}

std::string stl_error(const std::string& text) {
  try {
    parse_stl(text, "t.stl");
  } catch (const subbit::Error& e) {
    return e.what();
  }
  return "";
}

TEST(StlTrace, BadLinesNameFileLineAndExpectation) {
  EXPECT_EQ(stl_error("0: read 0x0\nread 0x40\n"),
            "t.stl:2: expected '<cycle>: read|write 0x<hex address>': a cycle number first, got \"read 0x40\"");
  EXPECT_EQ(stl_error("10 read 0x40\n"),
            "t.stl:1: expected '<cycle>: read|write 0x<hex address>': ':' after the cycle number, got \"10 read 0x40\"");
  EXPECT_EQ(stl_error("# c\n10: fetch 0x40\n"),
            "t.stl:2: expected '<cycle>: read|write 0x<hex address>': read or write after the cycle, got \"10: fetch 0x40\"");
  EXPECT_EQ(stl_error("10: read 64\n"),
            "t.stl:1: expected '<cycle>: read|write 0x<hex address>': a hex address starting with 0x after read, got "
            "\"10: read 64\"");
  EXPECT_EQ(stl_error("10: write 0x4g\n"),
            "t.stl:1: expected '<cycle>: read|write 0x<hex address>': a hex address starting with 0x after write, got "
            "\"10: write 0x4g\"");
  EXPECT_EQ(stl_error("10: read 0x40 extra\n"),
            "t.stl:1: expected '<cycle>: read|write 0x<hex address>': nothing after the address except an optional "
            "0x<hex data> field, got \"10: read 0x40 extra\"");
  EXPECT_EQ(stl_error("10: read 0x40\n5: read 0x80\n"),
            "t.stl:2: expected a cycle ≥ 10 (cycles must not decrease), got \"5: read 0x80\"");
  EXPECT_THROW(load_stl("/nonexistent.stl"), subbit::Error);
  // Issue 11: a cycle near 2^64 wrapped SystemC time and hung the replay; a directory read as an
  // empty trace.
  EXPECT_EQ(stl_error("18446744073709551000: read 0x0\n"),
            "t.stl:1: expected a cycle ≤ 10^12 (about 10 minutes of DRAM time), got \"18446744073709551000: read 0x0\"");
  EXPECT_EQ(stl_error("1000000000000: read 0x0\n"), "");
  try {
    load_stl("/tmp");
    FAIL() << "a directory was read as a trace";
  } catch (const subbit::Error& e) {
    EXPECT_STREQ(e.what(), "/tmp: is a directory, expected a DRAMSys .stl trace");
  }
}

TEST(StlTrace, AddressBeyondCapacity) {
  const auto t = parse_stl("0: read 0x0\n\n1: read 0x40000000\n", "c.stl");
  try {
    check_trace(t, uint64_t(1) << 30, "c.stl");
    FAIL();
  } catch (const subbit::Error& e) {
    EXPECT_STREQ(e.what(),
                 "c.stl:3: expected an address below the DRAM capacity 0x40000000 (1024 MiB), got 0x40000000");
  }
}

}  // namespace
