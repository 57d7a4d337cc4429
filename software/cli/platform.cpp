#include "cli/platform.h"

#include "quant/error.h"
#include "system/arch_params.h"

namespace subbit::cli {

void add_platform_options(CLI::App& cmd, PlatformOptions& o) {
  cmd.add_option("--config", o.config, "architecture config (YAML)")->capture_default_str();
  cmd.add_option("--memory", o.memory, "device memory model: dram (the config's DRAM) | ideal (fixed latency, peak bandwidth)")
      ->capture_default_str();
}

Platform make_platform(const PlatformOptions& o) {
  const ArchConfig cfg = load_arch_config(o.config);
  const AccelParams p = accel_params(cfg);
  Platform plat;
  std::unique_ptr<MemoryModel> memory;
  if (o.memory == "dram") {
    memory = std::make_unique<DramMemoryModel>(cfg);
  } else if (o.memory == "ideal") {
    // Same peak bandwidth as the configured DRAM, no banks, rows or refresh: the SCALE-Sim view.
    memory = std::make_unique<IdealMemoryModel>(sc_core::sc_time(50, sc_core::SC_NS), dram::DramParams::from_config(cfg.dram).peak_gbps());
  } else {
    throw Error("--memory: expected dram or ideal, got '" + o.memory + "'");
  }
  plat.system = std::make_unique<SimSystem>(p, std::move(memory));
  plat.description = cfg.name + " (" + o.config + "): " + std::to_string(p.pe_rows) + "x" + std::to_string(p.pe_cols) + " PEs at " +
                     std::to_string(static_cast<int>(p.clock_mhz)) + " MHz" + (p.act_lanes > 1 ? " (" + std::to_string(p.act_lanes) + " activation lanes)" : "") +
                     ", " + std::to_string(p.decrypt_units) + " decrypt unit(s) " + std::to_string(p.n_in) + "/" + std::to_string(p.n_out) +
                     (p.programmable_matrix ? " programmable" : " hard-wired") + (p.streaming_decrypt ? " streaming" : " buffered") + ", " +
                     plat.system->memory().describe();
  plat.config = cfg;
  return plat;
}

int plat_descriptor_node(const Network& net, uint32_t descriptor_index) {
  uint32_t i = 0;
  for (size_t n = 1; n < net.nodes.size(); ++n) {
    if (net.nodes[n].op == Op::Flatten) continue;
    if (i++ == descriptor_index) return static_cast<int>(n);
  }
  return -1;
}

}  // namespace subbit::cli
