// subbit run's energy report (docs/energy.md): the energy model applied to the first inference's
// counters, as a per-layer table and as the "energy" object of --json.
#pragma once
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "accel/tile.h"
#include "config/arch_config.h"
#include "energy/energy_model.h"
#include "system/sim_system.h"

namespace subbit::cli {

// The default energy table for architecture config `config_path`: energy/45nm.yaml in the config's
// folder (configs/energy/45nm.yaml for configs/*.yaml), else configs/energy/45nm.yaml under the
// working directory, else the source tree's beside the binary's build folder (<exe>/../configs/...).
// Throws subbit::Error naming every path tried.
std::string find_energy_table(const std::string& config_path);

// The search behind find_energy_table and find_area_table: `beside_config` in the config's folder,
// else `default_path` under the working directory, else under the folder above the binary's;
// otherwise an Error "run: no WHAT found (tried ...); name one with OPTION FILE (DOC)".
std::string find_table(const std::string& config_path, const std::string& beside_config, const std::string& default_path, const std::string& what,
                       const std::string& option, const std::string& doc);

// The model on the platform's counters: `stats` and `dram` of one inference (`dram.has_rows`
// false: an ideal memory, no DRAM energy).
energy::EnergyReport run_energy_model(const energy::EnergyTable& table, const ArchConfig& config, const AccelParams& params,
                                      const std::vector<LayerStats>& stats, const MemoryCounters& dram);
// `names[i]`: the layer of stats[i].
nlohmann::json energy_json(const energy::EnergyTable& table, const energy::EnergyReport& r, const std::vector<std::string>& names,
                           const std::vector<LayerStats>& stats);
std::string energy_text(const energy::EnergyTable& table, const energy::EnergyReport& r, const std::vector<std::string>& names);

}  // namespace subbit::cli
