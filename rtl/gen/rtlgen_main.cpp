// subbit-rtlgen CONFIG DIR RTL_DIR: the build's RTL generator, the same as `subbit rtlgen` (which
// the build cannot use: the co-simulation it links is Verilated from this generator's output).
#include <cstdio>
#include <fstream>

#include "config/arch_config.h"
#include "quant/error.h"
#include "rtlgen.h"

int main(int argc, char* argv[]) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: subbit-rtlgen CONFIG OUT_DIR RTL_DIR\n");
    return 2;
  }
  try {
    const subbit::ArchConfig cfg = subbit::load_arch_config(argv[1]);
    const std::string command = std::string("subbit rtlgen --config ") + argv[1] + " -o " + argv[2] + " --rtl-dir " + argv[3];
    subbit::write_rtl(cfg, argv[2], command, argv[3]);
    // The signature the co-simulation matches a run's config against, as a C++ string literal.
    std::ofstream sig(std::string(argv[2]) + "/rtl_signature.inc", std::ios::trunc);
    sig << "R\"subbit_signature(" << subbit::rtl_signature(cfg) << ")subbit_signature\"\n";
    if (!sig.flush()) throw subbit::Error(std::string(argv[2]) + "/rtl_signature.inc: cannot write");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "subbit-rtlgen: %s\n", e.what());
    return 1;
  }
  return 0;
}
