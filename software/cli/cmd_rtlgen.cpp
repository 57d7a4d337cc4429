// subbit rtlgen --config C -o DIR: the configuration package, the hard-wired XOR network and a file
// list for the hand-written RTL in rtl/, from the same YAML the model reads.
#include <cstdio>
#include <memory>

#include "cli/commands.h"
#include "config/arch_config.h"
#include "quant/error.h"
#include "rtlgen.h"

namespace subbit::cli {

void register_rtlgen(CLI::App& app) {
  struct Args {
    std::string config, out, rtl_dir;
  };
  auto a = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand("rtlgen", "Generate the configuration's RTL (package, hard-wired XOR network, file list)");
  cmd->add_option("--config", a->config, "architecture config (YAML)")->required();
  cmd->add_option("-o,--output", a->out, "output directory")->required();
  cmd->add_option("--rtl-dir", a->rtl_dir, "directory of the hand-written RTL, listed in files.f after the generated files");
  cmd->callback([a]() {
    const ArchConfig cfg = load_arch_config(a->config);
    const std::string command = "subbit rtlgen --config " + a->config + " -o " + a->out + (a->rtl_dir.empty() ? "" : " --rtl-dir " + a->rtl_dir);
    for (const std::string& path : write_rtl(cfg, a->out, command, a->rtl_dir)) std::printf("wrote %s\n", path.c_str());
  });
}

}  // namespace subbit::cli
