// Each subcommand of `subbit` lives in its own cmd_*.cpp and registers itself on the app.
// A subcommand reports bad input by throwing subbit::Error (see common.h); main prints it and
// exits with status 1.
#pragma once
#include <CLI/CLI.hpp>

namespace subbit::cli {
void register_netgen(CLI::App& app);
void register_inspect(CLI::App& app);
void register_golden(CLI::App& app);
void register_dram_replay(CLI::App& app);
void register_run(CLI::App& app);
void register_report(CLI::App& app);
void register_trace(CLI::App& app);
void register_map(CLI::App& app);
void register_rtlgen(CLI::App& app);
void register_sweep(CLI::App& app);
}  // namespace subbit::cli
