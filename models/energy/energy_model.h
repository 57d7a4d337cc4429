// Energy model (docs/energy.md): activity counts of the timed model x energy per action, in the
// manner of Timeloop/Accelergy, with the DRAM's energy per command and background power derived
// from its datasheet IDD currents in the manner of DRAMPower. One source of truth: the per-action
// energy table (configs/energy/*.yaml) and the architecture config (buffer sizes, widths, DRAM
// preset); the counters come from LayerStats and the DRAM's per-layer (tagged) command counts.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "accel/accel_params.h"
#include "accel/tile.h"
#include "dram/dram_spec.h"

namespace subbit::energy {

// The table `subbit run` uses unless --energy-table names another (relative to the working
// directory, as --config's default configs/default.yaml is).
constexpr const char* kDefaultEnergyTable = "configs/energy/45nm.yaml";

// SRAM energy of one access of `access_bits` bits (read) to an array of `capacity_kib` KiB.
struct SramPoint {
  double capacity_kib = 0, read_pj = 0;
};

// Per-action energies (pJ) and leakage powers (µW) of one technology. Every field is required in
// the YAML file; parse errors name the file, the line, the field and what was expected.
struct EnergyTable {
  std::string file;    // where it was loaded from
  std::string name;    // e.g. "horowitz-45nm"
  std::string source;  // citation
  double technology_nm = 0;
  double int8_add_pj = 0, int32_add_pj = 0, int8_mult_pj = 0, int32_mult_pj = 0;
  uint32_t sram_access_bits = 64;
  std::vector<SramPoint> sram;  // ascending capacity, at least two points
  double sram_write_factor = 1;  // write energy / read energy
  double xor2_pj = 0;            // one 2-input XOR gate evaluation
  double register_bit_pj = 0;    // one bit written to or read from a register (descriptors, control registers)
  // Leakage (static power, µW).
  double leak_pe_uw = 0, leak_sram_uw_per_kib = 0, leak_decrypt_unit_uw = 0, leak_post_lane_uw = 0, leak_control_uw = 0;
};

EnergyTable parse_energy_table(const std::string& text, const std::string& source_name);
EnergyTable load_energy_table(const std::string& path);

// Derived per-action energies (pJ), the formulas of docs/energy.md:
//   add(b)     = int8_add  * (b / 8) ^ log4(int32_add / int8_add)           (power law through both points)
//   mult(a, b) = int8_mult * (a b / 64) ^ log16(int32_mult / int8_mult)
//   sram(C)    = piecewise linear in log(C) through the table's points (clamped below the first,
//                extrapolated above the last), per access of sram_access_bits; per bit / access_bits.
double add_pj(const EnergyTable& t, double bits);
double mult_pj(const EnergyTable& t, double a_bits, double b_bits);
double sram_access_pj(const EnergyTable& t, double capacity_kib);
double sram_read_pj_per_bit(const EnergyTable& t, double capacity_kib);

// DRAM energy per command (pJ, one channel: every device of the rank) and background power (mW),
// DRAMPower's formulas summed over the preset's supply domains (docs/energy.md, "DRAM").
struct DramEnergy {
  double act_pre_pj = 0;  // one ACT and its PRE: (IDD0 tRC - (IDD3N tRAS + IDD2N (tRC - tRAS))) VDD
  double rd_pj = 0;       // (IDD4R - IDD3N) VDD tBurst
  double wr_pj = 0;       // (IDD4W - IDD3N) VDD tBurst
  double ref_pj = 0;      // (IDD5B - IDD3N) VDD tRFC
  double precharged_mw = 0, active_mw = 0;  // IDD2N VDD, IDD3N VDD
};
DramEnergy dram_energy(const dram::DramSpec& s);

// The hardware the counters ran on.
struct Hardware {
  AccelParams accel;
  uint32_t banks = 1;                    // SRAM macros per buffer (banks, x2 double-buffered): an access reads one
  const dram::DramSpec* dram = nullptr;  // nullptr: an ideal memory (no DRAM energy)
  uint32_t channels = 1;
};

// DRAM commands: one layer's (its tagged bursts) and the inference's (every command, with the
// cycles some bank was open, summed over channels).
struct DramCommands {
  uint64_t act = 0, pre = 0, rd = 0, wr = 0, ref = 0;
  uint64_t active_cycles = 0;
};

// Energy (pJ) by component.
struct Breakdown {
  double dram_dynamic = 0, dram_background = 0;
  double weight_sram = 0, act_sram = 0, acc_sram = 0;
  double xor_decrypt = 0, pe = 0, post = 0, control = 0, leakage = 0;
  double dram() const { return dram_dynamic + dram_background; }
  double total() const {
    return dram_dynamic + dram_background + weight_sram + act_sram + acc_sram + xor_decrypt + pe + post + control + leakage;
  }
  void add(const Breakdown& o);
};

struct EnergyReport {
  std::vector<Breakdown> layers;  // per LayerStats entry
  Breakdown total;
  double seconds = 0;             // the inference's time (sum of layer windows)
  DramEnergy dram;                // per-command energies used
  // What no layer's tag carried (host transfers, refresh and its precharges): shared among the
  // layers by their share of the time, with the background.
  DramCommands unattributed;
};

// `layer_dram[i]`: the commands of stats[i]'s tagged bursts (missing entries: none); `inference`:
// all commands of the inference.
EnergyReport compute_energy(const EnergyTable& t, const Hardware& hw, const std::vector<LayerStats>& stats,
                            const std::vector<DramCommands>& layer_dram, const DramCommands& inference);

}  // namespace subbit::energy
