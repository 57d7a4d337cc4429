// subbit run's area report (docs/area.md): the area model on the run's config, as a per-unit table
// and as the "area" object of --json.
#pragma once
#include <nlohmann/json.hpp>

#include <optional>
#include <string>

#include "area/area_model.h"

namespace subbit::cli {

// The default area table for architecture config `config_path`: area/osu018.yaml in the config's
// folder (configs/area/osu018.yaml for configs/*.yaml), else configs/area/osu018.yaml under the
// working directory, else the source tree's beside the binary's build folder (find_table). Throws
// subbit::Error naming every path tried.
std::string find_area_table(const std::string& config_path);

nlohmann::json area_json(const area::AreaTable& table, const area::AreaReport& r);
std::string area_text(const area::AreaTable& table, const area::AreaReport& r);

}  // namespace subbit::cli
