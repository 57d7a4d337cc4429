// subbit rtlgen --config C -o DIR: the configuration package, the hard-wired XOR network and a file
// list for the hand-written RTL in rtl/, from the same YAML the model reads.
#include <cstdio>
#include <filesystem>
#include <fstream>
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
    namespace fs = std::filesystem;
    std::error_code ec;
    fs::create_directories(a->out, ec);
    if (ec || !fs::is_directory(a->out)) throw Error(a->out + ": cannot create the output directory (rtlgen -o): " + ec.message());
    const std::string command = "subbit rtlgen --config " + a->config + " -o " + a->out + (a->rtl_dir.empty() ? "" : " --rtl-dir " + a->rtl_dir);
    for (const GeneratedFile& f : generate_rtl(cfg, command, a->rtl_dir)) {
      // Written beside, then renamed: a failed run leaves the previous file whole.
      const fs::path path = fs::path(a->out) / f.name, tmp = path.string() + ".tmp";
      {
        std::ofstream o(tmp, std::ios::binary | std::ios::trunc);
        o << f.text;
        if (!o.flush()) throw Error(tmp.string() + ": cannot write");
      }
      fs::rename(tmp, path, ec);
      if (ec) throw Error(path.string() + ": cannot write: " + ec.message());
      std::printf("wrote %s\n", path.string().c_str());
    }
  });
}

}  // namespace subbit::cli
