#include "dram/dram_spec.h"

#include <algorithm>

#include "quant/error.h"

namespace subbit::dram {

const char* standard_name(Standard s) { return s == Standard::DDR4 ? "DDR4" : "LPDDR4"; }
const char* scheduler_name(SchedulerKind s) {
  switch (s) {
    case SchedulerKind::FrFcfs: return "fr-fcfs";
    case SchedulerKind::Fcfs: return "fcfs";
    case SchedulerKind::FrFcfsWm: return "fr-fcfs-wm";
  }
  return "?";
}
const char* cmd_arbiter_name(CmdArbiterKind a) { return a == CmdArbiterKind::Oldest ? "oldest" : "column-first"; }
const char* page_policy_name(PagePolicyKind p) { return p == PagePolicyKind::Open ? "open" : "closed"; }

Watermarks default_watermarks(uint32_t buffer) {
  Watermarks w;
  w.high = std::max<uint32_t>(1, buffer * 3 / 4);
  w.low = std::min<uint32_t>(w.high - 1, buffer / 4);
  return w;
}

std::string check_watermarks(uint32_t high, uint32_t low, uint32_t buffer) {
  if (high == 0 || high > buffer)
    return "expected a write high watermark from 1 to the request buffer size " + std::to_string(buffer) +
           ", got " + std::to_string(high);
  if (low >= high)
    return "expected a write low watermark below the high watermark " + std::to_string(high) + ", got " +
           std::to_string(low);
  return "";
}

namespace {

// ---------------------------------------------------------------------------------------------
// Preset table. Values are in clock cycles; each comment gives the JEDEC minimum and the
// conversion nCK = ceil(t / tCK) (JEDEC rounding), or the nCK value the standard specifies.
//
// DDR4: JESD79-4C (DDR4 SDRAM standard, JEDEC, Jan 2020)
//   - speed-bin table "DDR4-2400 Speed Bins and Operating Conditions": speed bin 2400R = 16-16-16
//     (tAA = tRCD = tRP = 13.32 ns, tRAS = 32 ns, tRC = 45.32 ns); 2400T = 17-17-17 (14.16 ns,
//     tRC = 46.16 ns). CWL = 12 for 2400 with 1tCK write preamble (Table "CWL settings").
//   - table "Timing Parameters by Speed Bin" (DDR4-2400 column): tCCD_S = 4 nCK,
//     tCCD_L = max(5 nCK, 5 ns), tRRD_S(1K page) = max(4 nCK, 3.3 ns),
//     tRRD_L(1K page) = max(4 nCK, 4.9 ns), tFAW(1K page) = max(20 nCK, 21 ns),
//     tWTR_S = max(2 nCK, 2.5 ns), tWTR_L = max(4 nCK, 7.5 ns), tRTP = max(4 nCK, 7.5 ns),
//     tWR = 15 ns.
//   - Refresh (table "Refresh parameters by device density"): tREFI = 7.8 us
//     (0..85 C), tRFC1 = 350 ns for 8 Gb.
//   - Organisation: 8 Gb x8 device = 4 bank groups x 4 banks, 65536 rows (A0-A15), 1024 columns,
//     1 KB page; a 64-bit channel is one rank of eight x8 devices (8 KB row, 8 GiB).
//   tCK = 1/1200 MHz = 0.8333 ns.
//
// LPDDR4: JESD209-4B (LPDDR4 standard, JEDEC, Feb 2017), 8 Gb per channel, x16 channel
//   - Table "Read and Write Latencies": RL = 28 (DBI off), WL = 14 (set A) at 3200 Mbps.
//   - Table "Core AC timing": tRCD = max(18 ns, 4 nCK), tRPpb = max(18 ns, 4 nCK),
//     tRPab = max(21 ns, 4 nCK), tRAS = max(42 ns, 3 nCK), tRC = tRAS + tRPpb,
//     tRRD = max(10 ns, 4 nCK), tFAW = 40 ns, tPPD = 4 nCK, tWR = max(18 ns, 4 nCK),
//     tWTR = max(10 ns, 8 nCK), tRTP = max(7.5 ns, 8 nCK), tCCD = 8 nCK (BL16).
//   - Table "Refresh requirement parameters": tREFIab = 3.904 us, tRFCab = 280 ns (8 Gb/channel).
//   - tDQSCK max = 3.5 ns; tDQS2DQ max = 800 ps (ceil(0.8 / 0.625) = 2 nCK); tWPRE = 2 nCK;
//     static tRPST = 0 (as DRAMSys's JEDEC memspec: DQSCK 6, DQS2DQ 2, DQSS 1).
//   - RL and WL count from the last clock of the command (the second cycle of CAS-2, i.e. 3 cycles
//     after RD-1 starts; figure "Read timing" and "Write timing"); tDQSS (1 nCK) after WL.
//   - Organisation: 8 banks (no bank groups), 65536 rows (R0-R15), 1024 columns x16 (2 KB page),
//     BL16 = 32 B per burst; 1 GiB per channel.
//   tCK = 1/1600 MHz = 0.625 ns.
//   Cross-checked against DRAMSys configs/memspec/JEDEC_8Gb_LPDDR4-3200_16bit.json (same values).
//
// Power (IDD currents per device, mA; supply voltages, V) for the energy model (docs/energy.md):
// DDR4: Micron 8Gb DDR4 SDRAM MT40A1G8 (x8, die rev. B), DDR4-2400 column of the IDD table. The
//   per-device values are recovered from Micron's MTA18ASF2G72HZ 16GB DDR4 SODIMM data sheet
//   (asf18c2gx72hz.pdf, Rev. F, Table 15, "values are for the MT40A1G8 ... computed from values
//   specified in the 8Gb (1 Gig x 8) component data sheet"; 18 devices in 2 ranks, the active rank's
//   9 devices in the IDD condition and the other 9 in IDD2P = 450 / 18 = 25 mA):
//   IDD0 = (657 - 225) / 9 = 48, IDD2N = 612 / 18 = 34, IDD3N = 774 / 18 = 43,
//   IDD4R = (1440 - 225) / 9 = 135, IDD4W = (1332 - 225) / 9 = 123, IDD5B = (2475 - 225) / 9 = 250;
//   IPP3N = 54 / 18 = 3, IPP0 = (54 - 27) / 9 = 3, IPP5B = (279 - 27) / 9 = 28 (IPP2N, IPP4R/W: as
//   IPP3N, the datasheet's IPP3N note). VDD = 1.2 V, VPP = 2.5 V. Eight x8 devices per channel.
// LPDDR4: DRAMSys configs/memspec/JEDEC_8Gb_LPDDR4-3200_16bit.json "mempowerspec" (Micron/JEDEC
//   8Gb LPDDR4-3200 values): VDD1 = 1.8 V: IDD01 3.5, IDD2N1 2.0, IDD3N1 2.25, IDD4R1 = IDD4W1 2.25,
//   IDD51 10; VDD2 = 1.1 V: IDD02 45, IDD2N2 27, IDD3N2 30, IDD4R2 275, IDD4W2 210, IDD52 90. VDDQ
//   (I/O, termination) is left out, as DRAMPower's core model leaves it out. One die per channel.
// ---------------------------------------------------------------------------------------------

DramSpec ddr4_2400(const char* name, uint32_t cl_rcd_rp, uint32_t trc) {
  DramSpec s;
  s.name = name;
  s.standard = Standard::DDR4;
  s.data_rate_mtps = 2400;
  s.clock_mhz = 1200;
  s.burst_length = 8;     // BL8
  s.bus_width_bits = 64;  // 8 x8 devices
  s.bank_groups = 4;
  s.banks_per_group = 4;
  s.rows = 65536;
  s.columns = 1024;
  s.tRCD = cl_rcd_rp;  // 13.32 ns (2400R) / 14.16 ns (2400T)
  s.CL = cl_rcd_rp;    // CL16 / CL17
  s.CWL = 12;          // CWL 12 (1tCK preamble)
  s.tRP = cl_rcd_rp;
  s.tRPab = cl_rcd_rp;  // DDR4 PREA uses tRP
  s.tRAS = 39;          // 32 ns / 0.8333 = 38.4 -> 39
  s.tRC = trc;          // tRAS + tRP: 45.32 ns -> 55 (2400R), 46.16 ns -> 56 (2400T)
  s.tCCD_S = 4;         // 4 nCK
  s.tCCD_L = 6;         // max(5 nCK, 5 ns = 6.0 nCK)
  s.tRRD_S = 4;         // max(4 nCK, 3.3 ns = 3.96 nCK)
  s.tRRD_L = 6;         // max(4 nCK, 4.9 ns = 5.88 nCK)
  s.tFAW = 26;          // max(20 nCK, 21 ns = 25.2 nCK)
  s.tWR = 18;           // 15 ns = 18.0 nCK
  s.tWTR_S = 3;         // max(2 nCK, 2.5 ns = 3.0 nCK)
  s.tWTR_L = 9;         // max(4 nCK, 7.5 ns = 9.0 nCK)
  s.tRTP = 9;           // max(4 nCK, 7.5 ns = 9.0 nCK)
  s.tREFI = 9360;       // 7.8 us / 0.8333 ns
  s.tRFC = 420;         // tRFC1 350 ns (8 Gb) / 0.8333 ns
  s.tDQSCK = 0;
  s.tWPRE = 1;
  s.tRPST = 0;
  s.cmd_cycles_act = s.cmd_cycles_cas = s.cmd_cycles_pre = 1;
  s.devices = 8;  // x8 devices on a 64-bit channel
  // Micron MT40A1G8 (8Gb x8) DDR4-2400 IDD table (see the header comment).
  s.power = {{"VDD", 1.2, 48, 34, 43, 135, 123, 250}, {"VPP", 2.5, 3, 3, 3, 3, 3, 28}};
  return s;
}

DramSpec lpddr4_3200() {
  DramSpec s;
  s.name = "LPDDR4-3200";
  s.standard = Standard::LPDDR4;
  s.data_rate_mtps = 3200;
  s.clock_mhz = 1600;
  s.burst_length = 16;    // BL16
  s.bus_width_bits = 16;  // one x16 channel
  s.bank_groups = 1;      // no bank groups
  s.banks_per_group = 8;
  s.rows = 65536;
  s.columns = 1024;
  s.tRCD = 29;    // max(18 ns = 28.8 nCK, 4 nCK)
  s.CL = 28;      // RL 28
  s.CWL = 14;     // WL 14
  s.tRP = 29;     // tRPpb max(18 ns = 28.8 nCK, 4 nCK)
  s.tRPab = 34;   // max(21 ns = 33.6 nCK, 4 nCK)
  s.tRAS = 68;    // max(42 ns = 67.2 nCK, 3 nCK)
  s.tRC = 97;     // tRAS + tRPpb
  s.tCCD_S = 8;   // tCCD = BL16/2
  s.tCCD_L = 8;   // no bank groups: same as tCCD
  s.tRRD_S = 16;  // max(10 ns = 16 nCK, 4 nCK)
  s.tRRD_L = 16;
  s.tFAW = 64;     // 40 ns
  s.tWR = 29;      // max(18 ns = 28.8 nCK, 4 nCK)
  s.tWTR_S = 16;   // max(10 ns = 16 nCK, 8 nCK)
  s.tWTR_L = 16;
  s.tRTP = 12;     // max(7.5 ns = 12 nCK, 8 nCK)
  s.tPPD = 4;      // 4 nCK: PRE -> PRE, any banks
  s.tREFI = 6246;  // 3.904 us / 0.625 ns = 6246.4, rounded down (a maximum interval)
  s.tRFC = 448;    // tRFCab 280 ns
  s.tDQSCK = 6;    // 3.5 ns = 5.6 nCK
  s.tDQS2DQ = 2;   // 800 ps = 1.28 nCK
  s.tWPRE = 2;
  s.tRPST = 0;
  s.cmd_cycles_act = 4;  // ACT-1 + ACT-2
  s.cmd_cycles_cas = 4;  // RD-1/WR-1 + CAS-2
  s.cmd_cycles_pre = 2;  // PRE, REF: single 2-cycle command
  s.devices = 1;
  // DRAMSys JEDEC_8Gb_LPDDR4-3200_16bit mempowerspec (see the header comment).
  s.power = {{"VDD1", 1.8, 3.5, 2.0, 2.25, 2.25, 2.25, 10}, {"VDD2", 1.1, 45, 27, 30, 275, 210, 90}};
  return s;
}

}  // namespace

const std::vector<DramSpec>& dram_presets() {
  static const std::vector<DramSpec> presets = {
      ddr4_2400("DDR4-2400R", 16, 55),
      ddr4_2400("DDR4-2400T", 17, 56),
      lpddr4_3200(),
  };
  return presets;
}

const DramSpec* find_dram_preset(const std::string& name) {
  const std::string n = name == "DDR4-2400" ? "DDR4-2400R" : name;
  for (const DramSpec& s : dram_presets())
    if (s.name == n) return &s;
  return nullptr;
}

std::string dram_preset_names(Standard st) {
  std::string out;
  for (const DramSpec& s : dram_presets()) {
    if (s.standard != st) continue;
    if (!out.empty()) out += ", ";
    out += s.name;
    if (s.name == "DDR4-2400R") out += ", DDR4-2400";
  }
  return out;
}

Delays derive_delays(const DramSpec& s) {
  // All delays are between command STARTS (what the timing checker compares). JEDEC measures an
  // LPDDR4 multi-cycle command from its second half: ACT from ACT-2, RD/WR from CAS-2 (each half
  // 2 cycles), and RL/WL from the last cycle of CAS-2; PRE and REF are single 2-cycle commands.
  // ra / rc: cycles from an ACT's / a column command's start to its reference half (0 for DDR4,
  // whose commands take one cycle). As DRAMSys's CheckerLPDDR4 (tRAS + 2, tRPpb - 2, ...).
  Delays d;
  const uint32_t bl2 = s.burst_length / 2;
  const uint32_t ra = s.cmd_cycles_act / 2, rc = s.cmd_cycles_cas / 2;
  const uint32_t last = s.cmd_cycles_cas - 1;  // a column command's start -> its last cycle
  d.act_to_col = s.tRCD + ra - rc;
  d.act_to_pre = s.tRAS + ra;
  d.act_to_act = s.tRC;
  d.pre_to_act = s.tRP - ra;
  d.prea_to_act = s.tRPab - ra;
  d.pre_to_ref = s.tRP;
  d.prea_to_ref = s.tRPab;
  d.rrd_s = s.tRRD_S;
  d.rrd_l = s.tRRD_L;
  d.faw = s.tFAW;
  d.ppd = s.tPPD;
  d.rd_to_rd_s = d.wr_to_wr_s = s.tCCD_S;
  d.rd_to_rd_l = d.wr_to_wr_l = s.tCCD_L;
  d.ref_to_act = s.tRFC - ra;
  d.ref_to_ref = s.tRFC;
  d.burst = bl2;
  d.cmd_act = s.cmd_cycles_act;
  d.cmd_cas = s.cmd_cycles_cas;
  d.cmd_pre = s.cmd_cycles_pre;
  switch (s.standard) {
    case Standard::DDR4:
      // JESD79-4C command timing (AL = 0, 1tCK preambles):
      //   RD -> WR  = RL + BL/2 - WL + 2 tCK
      //   WR -> RD  = WL + BL/2 + tWTR_S|L
      //   RD -> PRE = AL + tRTP
      //   WR -> PRE = WL + BL/2 + tWR
      d.rd_data = s.CL;
      d.wr_data = s.CWL;
      d.rd_to_wr = s.CL + bl2 + 2 - s.CWL;
      d.wr_to_rd_s = s.CWL + bl2 + s.tWTR_S;
      d.wr_to_rd_l = s.CWL + bl2 + s.tWTR_L;
      d.rd_to_pre = s.tRTP;
      d.wr_to_pre = s.CWL + bl2 + s.tWR;
      break;
    case Standard::LPDDR4:
      // JESD209-4B command timing, from the reference halves (RD/WR: CAS-2; as DRAMSys's
      // CheckerLPDDR4):
      //   RD -> WR  = RL + tDQSCK + BL/2 - WL + tWPRE + tRPST      (CAS-2 to CAS-2)
      //   WR -> RD  = WL + 1 + BL/2 + tWTR                         (CAS-2 to CAS-2)
      //   RD -> PRE = BL/2 + max(8, tRTP) - 8                      (CAS-2 to PRE): + rc from the start
      //   WR -> PRE = WL + 1 + BL/2 + tWR                          (CAS-2 to PRE): + rc
      //   read data starts RL + tDQSCK, write data WL + tDQSS (1 nCK) + tDQS2DQ after the LAST
      //   cycle of the command (CAS-2's second cycle: cmd_cycles_cas - 1 after its start; JESD209-4
      //   read / write timing figures, DRAMSys MemSpecLPDDR4::getIntervalOnDataStrobe).
      d.rd_data = last + s.CL + s.tDQSCK;
      d.wr_data = last + s.CWL + 1 + s.tDQS2DQ;
      d.rd_to_wr = s.CL + s.tDQSCK + bl2 + s.tWPRE + s.tRPST - s.CWL;
      d.wr_to_rd_s = s.CWL + 1 + bl2 + s.tWTR_S;
      d.wr_to_rd_l = s.CWL + 1 + bl2 + s.tWTR_L;
      d.rd_to_pre = rc + bl2 + std::max<uint32_t>(8, s.tRTP) - 8;
      d.wr_to_pre = rc + s.CWL + 1 + bl2 + s.tWR;
      break;
  }
  return d;
}

void check_spec(const DramSpec& s) {
  auto pow2 = [](uint64_t v) { return v != 0 && (v & (v - 1)) == 0; };
  const std::string w = "DRAM spec '" + s.name + "': ";
  if (!pow2(s.bank_groups) || !pow2(s.banks_per_group) || !pow2(s.rows) || !pow2(s.columns) ||
      !pow2(s.burst_length) || !pow2(s.bus_width_bits) || s.bus_width_bits < 8)
    throw Error(w + "bank groups, banks, rows, columns, burst length and bus width must be powers of two");
  if (s.columns < s.burst_length) throw Error(w + "fewer columns than the burst length");
  if (s.clock_mhz == 0 || s.data_rate_mtps != 2 * s.clock_mhz) throw Error(w + "data rate must be twice the clock");
  if (s.tRC < s.tRAS) throw Error(w + "tRC < tRAS");
  if (s.tREFI <= s.tRFC) throw Error(w + "tREFI must exceed tRFC");
  if (s.CL < s.CWL) throw Error(w + "CL < CWL is not supported");
  if (s.cmd_cycles_act == 0 || s.cmd_cycles_cas == 0 || s.cmd_cycles_pre == 0)
    throw Error(w + "command-bus slots must be >= 1");
  if (s.tRP < s.cmd_cycles_act / 2 || s.tRPab < s.cmd_cycles_act / 2 || s.tRFC < s.cmd_cycles_act / 2 ||
      s.tRCD + s.cmd_cycles_act / 2 < s.cmd_cycles_cas / 2)
    throw Error(w + "tRP, tRPab, tRFC and tRCD must cover the command halves they are measured from");
}

}  // namespace subbit::dram
