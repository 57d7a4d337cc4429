#include "cli/area_report.h"

#include <cstdio>

#include "cli/common.h"
#include "cli/energy_report.h"

namespace subbit::cli {

std::string find_area_table(const std::string& config_path) {
  return find_table(config_path, "area/osu018.yaml", area::kDefaultAreaTable, "area table", "--area-table", "docs/area.md");
}

nlohmann::json area_json(const area::AreaTable& table, const area::AreaReport& r) {
  nlohmann::json j = {{"table", table.file},
                      {"table_name", table.name},
                      {"version", table.version},
                      {"source", table.source},
                      {"technology_nm", table.technology_nm},
                      {"total_um2", r.total_um2},
                      {"total_mm2", r.total_um2 * 1e-6},
                      {"logic_um2", r.logic_um2},
                      {"sram_um2", r.sram_um2},
                      {"xor_decrypt_share", r.xor_decrypt_share()},
                      {"not_modelled", {"dma", "registers", "dram_controller"}}};
  j["units"] = nlohmann::json::array();
  for (const area::UnitArea& u : r.units)
    j["units"].push_back({{"name", u.name},
                          {"area_um2", u.area_um2},
                          {"share", r.total_um2 > 0 ? u.area_um2 / r.total_um2 : 0.0},
                          {"source", u.source},
                          {"detail", u.detail}});
  return j;
}

std::string area_text(const area::AreaTable& table, const area::AreaReport& r) {
  Table t({"unit", "area", "share %", "source"});
  auto row = [&](const std::string& name, double um2, const std::string& source) {
    t.add({name, fmt(um2 * 1e-6, 3), fmt(r.total_um2 > 0 ? 100.0 * um2 / r.total_um2 : 0.0, 2), source});
  };
  for (const area::UnitArea& u : r.units) row(u.name, u.area_um2, u.source);
  t.rule();
  row("total", r.total_um2, "");
  std::string out = "area (mm²; " + table.name + " table v" + table.version + " " + table.file + ", " + fmt(table.technology_nm, 0) +
                    " nm; docs/area.md)\n\n" + t.str() + "\n";
  for (const area::UnitArea& u : r.units) out += "  " + u.name + ": " + u.detail + "\n";
  auto pct = [&](double v) { return fmt(r.total_um2 > 0 ? 100.0 * v / r.total_um2 : 0.0, 2); };
  char buf[512];
  std::snprintf(buf, sizeof buf,
                "area %s mm² at %s nm: logic %s%%, SRAM %s%%, XOR decryption %s%% (not modelled: DMA, registers, DRAM controller)\n",
                fmt(r.total_um2 * 1e-6, 3).c_str(), fmt(table.technology_nm, 0).c_str(), pct(r.logic_um2).c_str(), pct(r.sram_um2).c_str(),
                pct(r.xor_decrypt_um2).c_str());
  out += buf;
  return out;
}

}  // namespace subbit::cli
