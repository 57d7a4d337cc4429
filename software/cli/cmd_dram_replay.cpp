// subbit dram-replay TRACE --config C [--json] [--outstanding N]: replays a DRAMSys .stl trace
// through the DRAM model of an architecture config and reports bandwidth against the theoretical
// peak, latency, row-buffer outcomes and DRAM command counts (docs/dram.md).
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/common.h"
#include "config/arch_config.h"
#include "dram/trace.h"
#include "quant/error.h"

namespace subbit::cli {

namespace {

std::string pct(double f) { return fmt(100.0 * f, 1) + " %"; }

}  // namespace

void register_dram_replay(CLI::App& app) {
  struct Args {
    std::string trace;
    std::string config;
    uint32_t outstanding = 0;
    bool json = false;
  };
  auto a = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand(
      "dram-replay", "Replay a DRAMSys .stl trace through the DRAM model: bandwidth vs peak, latency, row hits, commands");
  cmd->add_option("trace", a->trace, ".stl trace: '<cycle>: read|write 0x<address>' per line, cycles of the DRAM clock")
      ->required();
  cmd->add_option("--config", a->config, "architecture config (YAML); its dram section is used")->required();
  cmd->add_option("--outstanding", a->outstanding, "most requests in flight (default: 64 per channel)");
  cmd->add_flag("--json", a->json, "print JSON instead of a table");
  cmd->callback([a]() {
    const ArchConfig cfg = load_arch_config(a->config);
    dram::DramParams p = dram::DramParams::from_config(cfg.dram);
    p.functional = false;  // a trace carries no data
    const std::vector<dram::TraceRequest> trace = dram::load_stl(a->trace);
    const uint32_t outstanding = a->outstanding ? a->outstanding : 64 * p.channels;
    if (outstanding > 1u << 20) throw Error("--outstanding: expected at most 1048576, got " + std::to_string(outstanding));
    dram::ReplayHarness h(p, outstanding, "dram_replay");
    dram::check_trace(trace, h.dram().capacity(), a->trace);
    const dram::ReplayResult r = h.run(trace);
    const dram::DramStats& s = r.stats;
    const double frac = r.peak_gbps > 0 ? r.bandwidth_gbps / r.peak_gbps : 0.0;

    if (a->json) {
      nlohmann::json j = {
          {"trace", a->trace},
          {"config", a->config},
          {"dram",
           {{"standard", dram::standard_name(p.spec.standard)},
            {"preset", p.spec.name},
            {"channels", p.channels},
            {"address_mapping", p.address_mapping},
            {"scheduler", dram::scheduler_name(p.scheduler)},
            {"cmd_arbiter", dram::cmd_arbiter_name(p.cmd_arbiter)},
            {"page_policy", dram::page_policy_name(p.page_policy)},
            {"request_buffer_size", p.request_buffer_size},
            {"burst_bytes", p.spec.burst_bytes()},
            {"tck_ns", p.spec.tck_ns()}}},
          {"outstanding", outstanding},
          {"requests", r.requests},
          {"reads", r.reads},
          {"writes", r.writes},
          {"bytes", r.bytes},
          {"errors", r.errors},
          {"sim_time_ns", r.sim_time_ns},
          {"bandwidth_gbps", r.bandwidth_gbps},
          {"peak_gbps", r.peak_gbps},
          {"bandwidth_fraction_of_peak", frac},
          // From each request's arrival at the DRAM system (its trace cycle, or later when the
          // --outstanding limit held it back) to its response.
          {"latency_from", "arrival"},
          {"latency_ns", {{"mean", r.mean_latency_ns}, {"p99", r.p99_latency_ns}, {"max", r.max_latency_ns}}},
          {"row_hit_rate", r.row_hit_rate},
          {"row_buffer", {{"hits", s.row_hits}, {"misses", s.row_misses}, {"conflicts", s.row_conflicts}}},
          {"commands",
           {{"ACT", s.act},
            {"PRE", s.pre},
            {"PREA", s.prea},
            {"RD", s.rd},
            {"WR", s.wr},
            {"RDA", s.rda},
            {"WRA", s.wra},
            {"REF", s.ref}}},
          {"wall_seconds", r.wall_seconds},
      };
      if (p.scheduler == dram::SchedulerKind::FrFcfsWm)
        j["dram"]["write_watermarks"] = {{"high", p.watermarks.high}, {"low", p.watermarks.low}};
      std::printf("%s\n", j.dump(2).c_str());
      return;
    }

    std::printf("DRAM replay of %s\n", a->trace.c_str());
    std::string sched = dram::scheduler_name(p.scheduler);
    if (p.scheduler == dram::SchedulerKind::FrFcfsWm)
      sched += " (writes drain at " + std::to_string(p.watermarks.high) + " down to " + std::to_string(p.watermarks.low) + ")";
    std::printf("config %s: %s x %u channel%s, %s, command arbiter %s, %s page, mapping %s, %u-entry buffers, %u outstanding\n\n",
                a->config.c_str(), p.spec.name.c_str(), p.channels, p.channels > 1 ? "s" : "", sched.c_str(),
                dram::cmd_arbiter_name(p.cmd_arbiter), dram::page_policy_name(p.page_policy), p.address_mapping.c_str(),
                p.request_buffer_size, outstanding);
    Table t({"metric", "value", "reference"});
    t.add({"requests", with_commas(int64_t(r.requests)),
           with_commas(int64_t(r.reads)) + " reads, " + with_commas(int64_t(r.writes)) + " writes"});
    t.add({"bytes", with_commas(int64_t(r.bytes)), std::to_string(p.spec.burst_bytes()) + " B per request"});
    t.add({"simulated time", fmt(r.sim_time_ns / 1000.0, 3) + " us", ""});
    t.add({"bandwidth", fmt(r.bandwidth_gbps, 3) + " GB/s",
           "peak " + fmt(r.peak_gbps, 3) + " GB/s (" + pct(frac) + " of peak)"});
    t.add({"latency mean", fmt(r.mean_latency_ns, 2) + " ns", "from arrival (trace cycle) -> response"});
    t.add({"latency p99", fmt(r.p99_latency_ns, 2) + " ns", "max " + fmt(r.max_latency_ns, 2) + " ns"});
    t.add({"row hit rate", pct(r.row_hit_rate),
           with_commas(int64_t(s.row_hits)) + " hits, " + with_commas(int64_t(s.row_misses)) + " misses, " +
               with_commas(int64_t(s.row_conflicts)) + " conflicts"});
    if (r.errors) t.add({"error responses", with_commas(int64_t(r.errors)), ""});
    std::printf("%s\n", t.str().c_str());

    Table c({"command", "count", "per request"});
    auto row = [&](const char* name, uint64_t n) {
      c.add({name, with_commas(int64_t(n)), r.requests ? fmt(double(n) / double(r.requests), 3) : "-"});
    };
    row("ACT", s.act);
    row("PRE (bank precharges)", s.pre);
    row("PREA", s.prea);
    row("RD", s.rd);
    row("WR", s.wr);
    row("RDA (of RD)", s.rda);
    row("WRA (of WR)", s.wra);
    row("REF", s.ref);
    std::printf("%s", c.str().c_str());
  });
}

}  // namespace subbit::cli
