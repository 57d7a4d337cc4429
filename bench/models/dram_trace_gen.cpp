// dram_trace_gen: writes a synthetic DRAMSys .stl trace sized for an architecture config's DRAM
// (its burst size and capacity), for `subbit dram-replay` and docs/dram.md's measurements.
//   dram_trace_gen --config configs/default.yaml --pattern stream|random -n 1000000 [-o out.stl]
//                  [--write-fraction 0.3] [--seed 1] [--interval 0]
//   --pattern stream --write-fraction 0.3333333333333333: reads from 0 and writes from capacity/2, 2:1
#include <CLI/CLI.hpp>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <systemc>

#include "config/arch_config.h"
#include "dram/address_mapper.h"
#include "dram/trace.h"
#include "quant/error.h"

int sc_main(int argc, char* argv[]) {
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);
  CLI::App app{"Synthetic DRAM trace (.stl) for an architecture config", "dram_trace_gen"};
  std::string config, pattern = "stream", out;
  uint64_t n = 100000, seed = 1, interval = 0;
  double write_fraction = 0.0;
  app.add_option("--config", config, "architecture config (YAML)")->required();
  app.add_option("--pattern", pattern, "stream (sequential bursts) or random (uniform over capacity)")
      ->check(CLI::IsMember({"stream", "random"}));
  app.add_option("-n,--requests", n, "number of requests");
  app.add_option("-o,--output", out, "output file (default: stdout)");
  app.add_option("--write-fraction", write_fraction,
                 "fraction of writes (random: random writes; stream: 1 all writes, between 0 and 1 a read stream from 0 "
                 "interleaved evenly with a write stream from capacity/2, e.g. 1/3: read, read, write)")
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--seed", seed, "random seed");
  app.add_option("--interval", interval, "cycles between requests (0: all at cycle 0, paced by back-pressure)");
  CLI11_PARSE(app, argc, argv);
  try {
    const subbit::ArchConfig c = subbit::load_arch_config(config);
    const subbit::dram::DramSpec& s = c.dram_spec();
    const subbit::dram::AddressMapper m(s, c.dram.channels, c.dram.address_mapping);
    auto t = pattern == "random" ? subbit::dram::make_random_trace(n, s.burst_bytes(), m.capacity(), seed, write_fraction)
             : write_fraction > 0 && write_fraction < 1
                 ? subbit::dram::make_read_write_stream_trace(n, s.burst_bytes(), m.capacity(), write_fraction)
                 : subbit::dram::make_stream_trace(n, s.burst_bytes(), write_fraction >= 1);
    for (uint64_t i = 0; i < t.size(); ++i) t[i].cycle = i * interval;
    const std::string text = "# " + pattern + ", " + std::to_string(n) + " requests of " +
                             std::to_string(s.burst_bytes()) + " B for " + config + " (" + s.name + ")\n" +
                             subbit::dram::format_stl(t);
    if (out.empty()) {
      std::fwrite(text.data(), 1, text.size(), stdout);
    } else {
      std::ofstream f(out, std::ios::binary);
      if (!f) throw subbit::Error(out + ": cannot write");
      f << text;
    }
  } catch (const subbit::Error& e) {
    std::fprintf(stderr, "dram_trace_gen: error: %s\n", e.what());
    return 1;
  }
  return 0;
}
