#include "cli/platform.h"

#include "quant/error.h"

namespace subbit::cli {

void add_platform_options(CLI::App& cmd, PlatformOptions& o) {
  cmd.add_option("--config", o.config, "architecture config (YAML)")->capture_default_str();
  cmd.add_option("--memory", o.memory, "device memory model: dram (the config's DRAM) | ideal (fixed latency, peak bandwidth)")
      ->capture_default_str();
}

Platform make_platform(const PlatformOptions& o) {
  AccelParams p;
  Platform plat;
  if (o.memory != "ideal") throw Error("--memory: only 'ideal' is available in this build");
  plat.system = std::make_unique<SimSystem>(p, std::make_unique<IdealMemoryModel>(sc_core::sc_time(60, sc_core::SC_NS), 12.8));
  plat.description = std::to_string(p.pe_rows) + "x" + std::to_string(p.pe_cols) + " PEs at " + std::to_string(static_cast<int>(p.clock_mhz)) +
                     " MHz, " + plat.system->memory().describe();
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
