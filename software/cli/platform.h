// Builds the simulated platform the run/bench commands use, from an architecture config.
#pragma once
#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "config/arch_config.h"
#include "netfile/network.h"
#include "system/sim_system.h"

namespace subbit::cli {

struct PlatformOptions {
  std::string config = "configs/default.yaml";
  std::string memory = "dram";  // dram | ideal
};
void add_platform_options(CLI::App& cmd, PlatformOptions& o);

struct Platform {
  std::unique_ptr<SimSystem> system;
  std::string description;
  ArchConfig config;
};
Platform make_platform(const PlatformOptions& o);

// The node a layer descriptor computes (descriptors skip the input and flatten nodes).
int plat_descriptor_node(const Network& net, uint32_t descriptor_index);

}  // namespace subbit::cli
