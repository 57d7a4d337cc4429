// dram-replay lands with the DRAM model
#include "cli/commands.h"
void subbit::cli::register_dram_replay(CLI::App&) {}
