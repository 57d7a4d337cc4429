#include "cli/energy_report.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include "quant/error.h"

#include "cli/common.h"

namespace subbit::cli {

std::string find_table(const std::string& config_path, const std::string& beside_config, const std::string& default_path, const std::string& what,
                       const std::string& option, const std::string& doc) {
  namespace fs = std::filesystem;
  std::vector<std::string> tried;
  const fs::path beside = fs::path(config_path).parent_path() / beside_config;
  tried.push_back(beside.string());
  tried.push_back(default_path);
  char exe[4096];
  const ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n > 0) tried.push_back((fs::path(std::string(exe, static_cast<size_t>(n))).parent_path().parent_path() / default_path).string());
  std::error_code ec;
  for (const std::string& p : tried)
    if (fs::is_regular_file(p, ec)) return p;
  std::string list;
  for (const std::string& p : tried) list += (list.empty() ? "" : ", ") + p;
  throw Error("run: no " + what + " found (tried " + list + "); name one with " + option + " FILE (" + doc + ")");
}

std::string find_energy_table(const std::string& config_path) {
  return find_table(config_path, "energy/45nm.yaml", energy::kDefaultEnergyTable, "energy table", "--energy-table", "docs/energy.md");
}

energy::EnergyReport run_energy_model(const energy::EnergyTable& table, const ArchConfig& config, const AccelParams& params,
                                      const std::vector<LayerStats>& stats, const MemoryCounters& dram) {
  energy::Hardware hw;
  hw.accel = params;
  // One access reads one SRAM macro: a bank, or half a bank when double-buffered (each half its own
  // macro), as the area model splits the buffers (docs/area.md).
  hw.banks = config.buffers.banks * (config.buffers.double_buffered ? 2 : 1);
  hw.channels = config.dram.channels;
  hw.dram = dram.has_rows ? &config.dram_spec() : nullptr;
  std::vector<energy::DramCommands> layers;
  for (const LayerStats& s : stats) {
    energy::DramCommands c;
    if (s.index < dram.tags.size()) {
      const TagCounters& t = dram.tags[s.index];
      c.act = t.act, c.pre = t.pre, c.rd = t.rd, c.wr = t.wr;
    }
    layers.push_back(c);
  }
  const energy::DramCommands all{dram.act, dram.pre, dram.rd, dram.wr, dram.ref, dram.active_cycles};
  return energy::compute_energy(table, hw, stats, layers, all);
}

namespace {

nlohmann::json breakdown_json(const energy::Breakdown& b) {
  return {{"dram_dynamic_pj", b.dram_dynamic}, {"dram_background_pj", b.dram_background}, {"weight_sram_pj", b.weight_sram},
          {"act_sram_pj", b.act_sram},         {"acc_sram_pj", b.acc_sram},               {"xor_decrypt_pj", b.xor_decrypt},
          {"pe_pj", b.pe},                     {"post_pj", b.post},                       {"control_pj", b.control},
          {"leakage_pj", b.leakage},           {"total_pj", b.total()}};
}

}  // namespace

nlohmann::json energy_json(const energy::EnergyTable& table, const energy::EnergyReport& r, const std::vector<std::string>& names,
                           const std::vector<LayerStats>& stats) {
  nlohmann::json j = {{"table", table.file},
                      {"table_name", table.name},
                      {"source", table.source},
                      {"technology_nm", table.technology_nm},
                      {"per_inference_uj", r.total.total() * 1e-6},
                      {"xor_decrypt_share", r.total.total() > 0 ? r.total.xor_decrypt / r.total.total() : 0.0},
                      {"total", breakdown_json(r.total)},
                      {"dram_per_command_pj", {{"act_pre", r.dram.act_pre_pj}, {"rd", r.dram.rd_pj}, {"wr", r.dram.wr_pj}, {"ref", r.dram.ref_pj}}},
                      {"dram_background_mw", {{"precharged", r.dram.precharged_mw}, {"active", r.dram.active_mw}}},
                      {"dram_unattributed", {{"act", r.unattributed.act}, {"rd", r.unattributed.rd}, {"wr", r.unattributed.wr}, {"ref", r.unattributed.ref}}}};
  j["layers"] = nlohmann::json::array();
  for (size_t i = 0; i < r.layers.size(); ++i) {
    const LayerStats& s = stats[i];
    nlohmann::json l = breakdown_json(r.layers[i]);
    l["name"] = i < names.size() ? names[i] : "?";
    l["counters"] = {{"weight_buf_read_bits", s.weight_buf_read_bits}, {"weight_buf_write_bits", s.weight_buf_write_bits},
                     {"act_buf_read_bits", s.act_buf_read_bits},       {"act_buf_write_bits", s.act_buf_write_bits},
                     {"acc_buf_read_bits", s.acc_buf_read_bits},       {"acc_buf_write_bits", s.acc_buf_write_bits},
                     {"decrypted_bits", s.decrypted_bits},             {"xor_gate_ops", s.xor_gate_ops},
                     {"pe_ops", s.pe_ops},                             {"effectual_ops", s.effectual_ops},
                     {"pe_cycles", s.pe_cycles},                       {"int8_macs", s.int8_macs},
                     {"alpha_mults", s.alpha_mults},                   {"requant_ops", s.requant_ops},
                     {"pool_ops", s.pool_ops},                         {"add_ops", s.add_ops},
                     {"descriptor_fetches", s.descriptor_fetches},     {"descriptor_bytes", s.descriptor_bytes},
                     {"matrix_bytes", s.matrix_bytes},                 {"reg_accesses", s.reg_accesses}};
    j["layers"].push_back(l);
  }
  return j;
}

std::string energy_text(const energy::EnergyTable& table, const energy::EnergyReport& r, const std::vector<std::string>& names) {
  Table t({"layer", "DRAM dyn", "DRAM bg", "W-SRAM", "A-SRAM", "Acc-SRAM", "XOR dec", "PE", "post", "ctrl", "leak", "total nJ", "XOR %"});
  auto nj = [](double pj) { return fmt(pj * 1e-3, 2); };
  auto row = [&](const std::string& name, const energy::Breakdown& b) {
    t.add({name, nj(b.dram_dynamic), nj(b.dram_background), nj(b.weight_sram), nj(b.act_sram), nj(b.acc_sram), nj(b.xor_decrypt), nj(b.pe),
           nj(b.post), nj(b.control), nj(b.leakage), nj(b.total()), fmt(b.total() > 0 ? 100.0 * b.xor_decrypt / b.total() : 0.0, 2)});
  };
  for (size_t i = 0; i < r.layers.size(); ++i) row(i < names.size() ? names[i] : "?", r.layers[i]);
  t.rule();
  row("total", r.total);
  const double total = r.total.total();
  auto pct = [&](double v) { return fmt(total > 0 ? 100.0 * v / total : 0.0, 1); };
  std::string out = "energy (nJ, first inference; " + table.name + " table " + table.file + "; docs/energy.md)\n\n" + t.str() + "\n";
  char buf[512];
  std::snprintf(buf, sizeof buf,
                "energy per inference %s uJ (%s nJ): DRAM %s%%, SRAM %s%%, XOR decryption %s%%, PE array %s%%, post %s%%, control %s%%, "
                "leakage %s%%\n",
                fmt(total * 1e-6, 3).c_str(), fmt(total * 1e-3, 1).c_str(), pct(r.total.dram()).c_str(),
                pct(r.total.weight_sram + r.total.act_sram + r.total.acc_sram).c_str(), pct(r.total.xor_decrypt).c_str(), pct(r.total.pe).c_str(),
                pct(r.total.post).c_str(), pct(r.total.control).c_str(), pct(r.total.leakage).c_str());
  out += buf;
  if (r.dram.act_pre_pj > 0) {
    std::snprintf(buf, sizeof buf,
                  "DRAM energy per command (from the preset's IDD currents): ACT+PRE %.1f pJ, RD %.1f pJ, WR %.1f pJ, REF %.1f pJ; background "
                  "%.1f mW precharged, %.1f mW active\n",
                  r.dram.act_pre_pj, r.dram.rd_pj, r.dram.wr_pj, r.dram.ref_pj, r.dram.precharged_mw, r.dram.active_mw);
    out += buf;
  }
  return out;
}

}  // namespace subbit::cli
