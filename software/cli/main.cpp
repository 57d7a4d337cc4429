// subbit: the SubBit command-line program. Subcommands run SystemC simulations, so the program
// body is sc_main, entered through sc_elab_and_sim.
#include <systemc>

#include <cstdio>
#include <cstdlib>
#include <string>

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
  subbit::cli::register_run(app);
  subbit::cli::register_report(app);
  subbit::cli::register_trace(app);
  subbit::cli::register_map(app);
  subbit::cli::register_rtlgen(app);
  subbit::cli::register_sweep(app);
  // Name an unknown subcommand (CLI11 would only say that one is required).
  if (argc > 1 && argv[1][0] != '-') {
    std::string known;
    bool found = false;
    for (const CLI::App* sub : app.get_subcommands({})) {
      known += (known.empty() ? "" : ", ") + sub->get_name();
      found |= sub->get_name() == argv[1];
    }
    if (!found) {
      std::fprintf(stderr, "subbit: error: unknown subcommand '%s' (expected one of: %s)\n", argv[1], known.c_str());
      return 1;
    }
  }
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

// Our own main() (it takes precedence over libsystemc's) so the SystemC banner, printed before
// sc_main runs, stays out of output meant for people and scripts.
int main(int argc, char* argv[]) {
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);
  return sc_core::sc_elab_and_sim(argc, argv);
}
