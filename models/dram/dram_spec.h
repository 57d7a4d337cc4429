// DRAM device descriptions: organisation and JEDEC timing of one channel, as a table of presets
// (dram_spec.cpp cites the JEDEC tables each value comes from), plus the command-to-command delays
// each standard derives from them (the per-standard part of the timing checker).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace subbit::dram {

using Cycle = uint64_t;  // DRAM command-clock cycles (tCK)

enum class Standard { DDR4, LPDDR4 };
enum class SchedulerKind { FrFcfs, Fcfs, FrFcfsWm };
enum class PagePolicyKind { Open, Closed };
enum class CmdArbiterKind { Oldest, ColumnFirst };

const char* standard_name(Standard s);
const char* scheduler_name(SchedulerKind s);       // "fr-fcfs", "fcfs", "fr-fcfs-wm"
const char* page_policy_name(PagePolicyKind p);    // "open", "closed"
const char* cmd_arbiter_name(CmdArbiterKind a);    // "oldest", "column-first"

// Write-drain watermarks (scheduler fr-fcfs-wm), in queued write bursts per channel.
struct Watermarks {
  uint32_t high = 0, low = 0;  // 0, 0: the defaults for the buffer size (default_watermarks)
};
// Defaults for a request buffer of `buffer` entries: high = 3/4, low = 1/4 of it (high at least
// 1, low below high); the best of the settings measured in docs/dram.md, "Write draining".
Watermarks default_watermarks(uint32_t buffer);
// Empty if (high, low) is valid for the buffer size, 0 <= low < high <= buffer; else what was
// expected.
std::string check_watermarks(uint32_t high, uint32_t low, uint32_t buffer);

// One supply domain of one device: its voltage (V) and IDD currents (mA) as the datasheet's IDD
// table gives them (DRAMPower's memspec "mempowerspec"); the energy model (docs/energy.md) derives
// the energy per command and the background power from them.
struct PowerDomain {
  std::string name;  // "VDD", "VPP" (DDR4); "VDD1", "VDD2" (LPDDR4)
  double vdd = 0;
  double idd0 = 0, idd2n = 0, idd3n = 0, idd4r = 0, idd4w = 0, idd5b = 0;
};

// One channel = one rank of devices sharing a command bus and a data bus. Every timing value is
// in clock cycles of the command clock (tCK = 1 / clock_mhz; two data beats per clock).
struct DramSpec {
  std::string name;  // preset name, e.g. "DDR4-2400R"
  Standard standard = Standard::DDR4;

  // Organisation of one channel
  uint32_t data_rate_mtps = 0;  // MT/s per data pin
  uint32_t clock_mhz = 0;       // command clock, data_rate / 2
  uint32_t burst_length = 0;    // BL, data beats per column command
  uint32_t bus_width_bits = 0;  // channel data bus width
  uint32_t bank_groups = 1;
  uint32_t banks_per_group = 0;
  uint32_t rows = 0;     // rows per bank
  uint32_t columns = 0;  // columns per row (one column = bus_width_bits)

  // Timing (cycles)
  uint32_t tRCD = 0;    // ACT -> RD/WR, same bank
  uint32_t CL = 0;      // read latency RL: RD -> first data beat
  uint32_t CWL = 0;     // write latency WL: WR -> first data beat
  uint32_t tRP = 0;     // PRE (one bank) -> ACT, same bank
  uint32_t tRPab = 0;   // PREA (all banks) -> ACT; equal to tRP for DDR4
  uint32_t tRAS = 0;    // ACT -> PRE, same bank
  uint32_t tRC = 0;     // ACT -> ACT, same bank
  uint32_t tCCD_S = 0;  // RD->RD / WR->WR, different bank group
  uint32_t tCCD_L = 0;  // RD->RD / WR->WR, same bank group
  uint32_t tRRD_S = 0;  // ACT -> ACT, different bank group
  uint32_t tRRD_L = 0;  // ACT -> ACT, same bank group
  uint32_t tFAW = 0;    // window holding at most four ACTs
  uint32_t tWR = 0;     // write recovery: end of write data -> PRE
  uint32_t tWTR_S = 0;  // end of write data -> RD, different bank group
  uint32_t tWTR_L = 0;  // end of write data -> RD, same bank group
  uint32_t tRTP = 0;    // RD -> PRE
  uint32_t tPPD = 0;    // PRE -> PRE, any banks (LPDDR4 4 nCK; 0: none, DDR4)
  uint32_t tREFI = 0;   // average refresh interval (all-bank REF)
  uint32_t tRFC = 0;    // REF -> next command (all-bank refresh cycle time, tRFCab for LPDDR4)
  uint32_t tDQSCK = 0;  // extra read data delay (LPDDR4 tDQSCK max); 0 for DDR4
  uint32_t tDQS2DQ = 0; // extra write data delay, DQS to DQ (LPDDR4 tDQS2DQ max); 0 for DDR4
  uint32_t tWPRE = 0;   // write preamble
  uint32_t tRPST = 0;   // read postamble

  // Command-bus slots a command occupies (DDR4: every command 1; LPDDR4 sends ACT, RD and WR as
  // two 2-cycle halves on its 6-bit CA bus, PRE and REF as one). JEDEC counts RL and WL from the
  // last cycle of the command (LPDDR4: the second cycle of CAS-2, cmd_cycles_cas - 1 after its start).
  uint32_t cmd_cycles_act = 1;
  uint32_t cmd_cycles_cas = 1;
  uint32_t cmd_cycles_pre = 1;

  // Power (energy model): devices per channel and each device's supply domains.
  uint32_t devices = 1;
  std::vector<PowerDomain> power;

  uint32_t banks() const { return bank_groups * banks_per_group; }
  uint32_t burst_bytes() const { return burst_length * bus_width_bits / 8; }
  uint32_t burst_cycles() const { return burst_length / 2; }  // two beats per clock
  uint32_t bursts_per_row() const { return columns / burst_length; }
  double tck_ns() const { return 1000.0 / clock_mhz; }
  double peak_gbps() const { return double(data_rate_mtps) * 1e6 * bus_width_bits / 8 / 1e9; }
  uint64_t bytes() const { return uint64_t(banks()) * rows * columns * (bus_width_bits / 8); }
};

// Every preset, in table order.
const std::vector<DramSpec>& dram_presets();
// Preset by name (exact, e.g. "DDR4-2400R"; "DDR4-2400" is an alias of "DDR4-2400R"); nullptr if
// unknown.
const DramSpec* find_dram_preset(const std::string& name);
// Preset names of one standard, comma-separated, for error messages.
std::string dram_preset_names(Standard s);

// Minimum delays between command starts (cycles), derived from a DramSpec by the rules of its
// standard (JESD79-4 / JESD209-4 command timing rules; LPDDR4's measured from the commands' second
// halves, converted to starts). "_s" = different bank group, "_l" = same bank group (identical
// for LPDDR4, which has one group).
struct Delays {
  uint32_t act_to_col = 0;    // tRCD
  uint32_t act_to_pre = 0;    // tRAS
  uint32_t act_to_act = 0;    // tRC (same bank)
  uint32_t pre_to_act = 0;    // tRP (LPDDR4: to ACT-2, so tRP - 2 to ACT's start)
  uint32_t prea_to_act = 0;   // tRPab (likewise)
  uint32_t pre_to_ref = 0, prea_to_ref = 0;  // tRP, tRPab: a precharge -> REF
  uint32_t rrd_s = 0, rrd_l = 0;
  uint32_t faw = 0;
  uint32_t ppd = 0;           // tPPD: PRE -> PRE
  uint32_t rd_to_rd_s = 0, rd_to_rd_l = 0;  // tCCD_S / tCCD_L
  uint32_t wr_to_wr_s = 0, wr_to_wr_l = 0;
  uint32_t rd_to_wr = 0;                    // read -> write turnaround, any bank
  uint32_t wr_to_rd_s = 0, wr_to_rd_l = 0;  // write -> read turnaround (tWTR_S / tWTR_L)
  uint32_t rd_to_pre = 0;                   // tRTP
  uint32_t wr_to_pre = 0;                   // write recovery (tWR)
  uint32_t ref_to_act = 0;                  // tRFC (LPDDR4: to ACT-2)
  uint32_t ref_to_ref = 0;                  // tRFC
  uint32_t rd_data = 0;                     // RD (its first cycle) -> first data beat on the bus
  uint32_t wr_data = 0;                     // WR (its first cycle) -> first data beat on the bus
  uint32_t burst = 0;                       // data-bus cycles per burst (BL/2)
  uint32_t cmd_act = 1, cmd_cas = 1, cmd_pre = 1;
};

Delays derive_delays(const DramSpec& s);

// Throws subbit::Error if the spec is inconsistent (zero or non-power-of-two sizes, tRC < tRAS+...).
void check_spec(const DramSpec& s);

}  // namespace subbit::dram
