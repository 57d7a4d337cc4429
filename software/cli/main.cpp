// subbit: the SubBit command-line program. libsystemc provides main() (subcommands run SystemC
// simulations), so the entry point is sc_main.
#include <systemc>

#include <cstdio>

#include "cli/commands.h"
#include "quant/error.h"

int sc_main(int argc, char* argv[]) {
  CLI::App app{"SubBit: sub-1-bit neural-network accelerator platform (models, golden reference, reports)", "subbit"};
  app.require_subcommand(1);
  app.fallthrough(false);
  subbit::cli::register_netgen(app);
  subbit::cli::register_inspect(app);
  subbit::cli::register_golden(app);
  subbit::cli::register_dram_replay(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const subbit::Error& e) {
    std::fprintf(stderr, "subbit: error: %s\n", e.what());
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "subbit: internal error: %s\n", e.what());
    return 2;
  }
  return 0;
}
