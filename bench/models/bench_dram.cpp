// DRAM model throughput: trace requests replayed per wall-clock second, for a sequential stream
// and uniformly random reads, on both preset configurations.
//
// SystemC allows one elaboration per process, so every harness is built before the first
// sc_start(); each benchmark iteration then replays its whole trace inside one sc_start() (a run
// continues simulated time where the previous one stopped).
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <memory>
#include <string>
#include <systemc>
#include <vector>

#include "config/arch_config.h"
#include "dram/trace.h"

namespace {

using namespace subbit::dram;

constexpr uint64_t kRequests = 1000000;  // per trace

struct Setup {
  std::string name;
  DramParams params;
  std::unique_ptr<ReplayHarness> harness;
  std::vector<TraceRequest> stream, random;
};

std::vector<std::unique_ptr<Setup>> g_setups;

void BM_DramReplay(benchmark::State& state, Setup* s, bool random) {
  const std::vector<TraceRequest>& trace = random ? s->random : s->stream;
  ReplayResult last;
  uint64_t requests = 0;
  for (auto _ : state) {
    last = s->harness->run(trace);
    requests += trace.size();
  }
  state.SetItemsProcessed(int64_t(requests));
  state.counters["req_per_s"] = benchmark::Counter(double(requests), benchmark::Counter::kIsRate);
  state.counters["sim_GBps"] = last.bandwidth_gbps;
  state.counters["peak_GBps"] = last.peak_gbps;
  state.counters["pct_peak"] = 100.0 * last.bandwidth_gbps / last.peak_gbps;
  state.counters["row_hit"] = last.row_hit_rate;
  state.counters["lat_mean_ns"] = last.mean_latency_ns;
  state.counters["lat_p99_ns"] = last.p99_latency_ns;
}

}  // namespace

int sc_main(int argc, char* argv[]) {
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  const std::string root = SUBBIT_SOURCE_DIR;
  for (const char* cfg : {"default", "large"}) {
    auto s = std::make_unique<Setup>();
    const subbit::ArchConfig c = subbit::load_arch_config(root + "/configs/" + cfg + ".yaml");
    s->name = std::string(cfg) + "/" + c.dram.preset + "x" + std::to_string(c.dram.channels);
    s->params = DramParams::from_config(c.dram);
    s->params.functional = false;  // traces carry no data
    const uint32_t outstanding = 64 * c.dram.channels;
    s->harness = std::make_unique<ReplayHarness>(s->params, outstanding, std::string("bench_") + cfg);
    const uint32_t bb = s->params.spec.burst_bytes();
    const uint64_t cap = s->harness->dram().capacity();
    s->stream = make_stream_trace(kRequests, bb);
    s->random = make_random_trace(kRequests, bb, cap, 42);
    g_setups.push_back(std::move(s));
  }
  for (auto& s : g_setups) {
    for (bool random : {false, true})
      benchmark::RegisterBenchmark(("dram_replay/" + s->name + (random ? "/random" : "/stream")).c_str(),
                                   BM_DramReplay, s.get(), random)
          ->Unit(benchmark::kMillisecond)
          ->UseRealTime()
          ->MinTime(1.0);
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
