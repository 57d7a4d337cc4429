// Area model (docs/area.md): logic area of the compute core's units from the synthesis JSON of
// scripts/synth.sh (cells x the liberty's cell areas) when it is the config's, else scaled from the
// area table's synthesized references; SRAM buffer area from the table's capacity model (bit-cell
// area / array efficiency, interpolated in log capacity). One source of truth: the versioned,
// replaceable area table (configs/area/*.yaml) and the architecture config.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "config/arch_config.h"

namespace subbit::area {

// The table `subbit run` uses unless --area-table names another (relative to the working directory).
constexpr const char* kDefaultAreaTable = "configs/area/osu018.yaml";

// Array efficiency (bit-cell area / macro area) of one SRAM macro of `capacity_kib` KiB.
struct SramPoint {
  double capacity_kib = 0, efficiency = 0;
};

// One synthesized unit the table scales from: `area_um2` measured on the reference config, where
// the scaling quantity (`per`) was `quantity`.
struct LogicReference {
  std::string unit;         // pe_array, post_processor, xor_decryptor_hardwired, xor_decryptor_programmable
  std::string per;          // pe (rows x cols), post_lane (pe_array.cols), decryptor_output_bit (units x n_out)
  double area_um2 = 0;
  double quantity = 0;
  std::string config;       // the reference config (path and design)
  std::string config_hash;  // fnv1a64:<hex> of the reference config
  std::string command;      // the command that measured it
};

struct AreaTable {
  std::string file;  // where it was loaded from
  std::string name;
  std::string version;
  std::string source;  // citation
  double technology_nm = 0;
  std::string liberty;  // the cell library the logic references were measured with
  double bitcell_um2 = 0;
  std::string bitcell_source, efficiency_source;
  std::vector<SramPoint> sram;  // ascending capacity, at least two points
  std::vector<LogicReference> logic;  // in the order of kLogicUnits
};

// The logic references every table has, and what each scales with.
struct LogicUnitRule {
  const char* unit;
  const char* per;
};
extern const std::vector<LogicUnitRule> kLogicUnits;

AreaTable parse_area_table(const std::string& text, const std::string& source_name);
AreaTable load_area_table(const std::string& path);

// SRAM capacity model: µm² per bit of one macro of `capacity_kib` KiB = bitcell / efficiency(C),
// the efficiency linear in log(C) between the points around C, clamped to the first and last
// points outside them (no extrapolation).
double sram_efficiency(const AreaTable& t, double capacity_kib);
double sram_macro_um2(const AreaTable& t, double capacity_kib);

// Areas from one scripts/synth.sh JSON.
struct SynthAreas {
  std::string file;
  std::string design;
  std::string config_hash;  // "fnv1a64:<16 hex>"
  std::string library;
  std::map<std::string, double> area_um2;  // units whose status is "ok"
  std::map<std::string, long long> cells;
};
SynthAreas load_synth_json(const std::string& path);
SynthAreas parse_synth_json(const std::string& text, const std::string& source_name);

// "fnv1a64:<16 hex digits>", as synth.sh and the generated RTL headers write it.
std::string config_hash_text(uint64_t hash);

struct UnitArea {
  std::string name;    // pe_array, post_processor, xor_decryptor, weight_buffer, activation_buffer, accumulator_buffer
  double area_um2 = 0;
  std::string source;  // "synthesis", "scaled", "sram-model"
  std::string detail;  // how it was obtained
  bool sram = false;
};

struct AreaReport {
  std::vector<UnitArea> units;
  double logic_um2 = 0, sram_um2 = 0, total_um2 = 0;
  double xor_decrypt_um2 = 0;
  double xor_decrypt_share() const { return total_um2 > 0 ? xor_decrypt_um2 / total_um2 : 0; }
};

// `synth` (may be null): used for the units it has, only if its config_hash is the config's
// (config_hash(config) of rtl/gen/rtlgen.h); another config's JSON is refused with an Error naming
// both hashes. Units it lacks are scaled from the table's references.
AreaReport compute_area(const AreaTable& t, const ArchConfig& config, const SynthAreas* synth);

}  // namespace subbit::area
