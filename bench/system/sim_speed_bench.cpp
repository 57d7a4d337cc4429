// Simulator speed: wall time of one full inference on the TLM model (through the driver) next to
// the golden reference on the same network and input, and simulated cycles per wall second.
//   build/bench/bench_sim_speed [--benchmark_filter=resnet18]
// SystemC elaborates once per process, so every benchmark runs inside the host CPU's thread of one
// simulated platform, and each iteration is one inference in simulated time.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <map>

#include "driver/driver.h"
#include "golden/golden.h"
#include "netgen/netgen.h"
#include "system/sim_system.h"

namespace {

using namespace subbit;

struct Case {
  Network net;
  std::vector<int16_t> input;
  driver::LoadedNetwork loaded;
};

driver::Driver* g_driver = nullptr;
std::map<std::string, Case>* g_cases = nullptr;

Case& get_case(const std::string& network) {
  auto it = g_cases->find(network);
  if (it == g_cases->end()) {
    NetgenOptions o;
    o.network = network;
    o.scheme = Scheme::Flexor;  // 0.8 bits per weight, the default decryptor's 16/20
    Case c{make_network(o), {}, {}};
    c.input = random_input(c.net, 1);
    it = g_cases->emplace(network, std::move(c)).first;
    if (g_driver->load_network(it->second.net, &it->second.loaded) != driver::Status::Ok) {
      std::fprintf(stderr, "load failed: %s\n", g_driver->message().c_str());
      std::exit(1);
    }
  }
  return it->second;
}

void tlm_inference(benchmark::State& state, const std::string& network) {
  Case& c = get_case(network);
  std::vector<int16_t> out(c.net.output().shape.numel());
  uint64_t cycles = 0;
  for (auto _ : state) {
    if (g_driver->run(c.loaded, c.input.data(), out.data(), 10'000'000) != driver::Status::Ok) state.SkipWithError(g_driver->message().c_str());
    driver::Counters k;
    g_driver->read_counters(&k);
    cycles += k.cycles;
  }
  state.counters["sim_cycles_per_s"] = benchmark::Counter(static_cast<double>(cycles), benchmark::Counter::kIsRate);
  state.counters["sim_cycles"] = static_cast<double>(cycles) / state.iterations();
}

void golden_inference(benchmark::State& state, const std::string& network) {
  Case& c = get_case(network);
  GoldenModel g(c.net);
  for (auto _ : state) g.run(c.input.data());
}

}  // namespace

BENCHMARK_CAPTURE(tlm_inference, resnet20, std::string("resnet20"))->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK_CAPTURE(golden_inference, resnet20, std::string("resnet20"))->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK_CAPTURE(tlm_inference, resnet18, std::string("resnet18"))->Unit(benchmark::kMillisecond)->MinTime(5.0);
BENCHMARK_CAPTURE(golden_inference, resnet18, std::string("resnet18"))->Unit(benchmark::kMillisecond)->MinTime(5.0);
BENCHMARK_CAPTURE(tlm_inference, lenet5, std::string("lenet5"))->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(golden_inference, lenet5, std::string("lenet5"))->Unit(benchmark::kMillisecond);

int sc_main(int argc, char* argv[]) {
  benchmark::Initialize(&argc, argv);
  AccelParams p;
  SimSystem sys(p, std::make_unique<IdealMemoryModel>(sc_core::sc_time(60, sc_core::SC_NS), 12.8));
  std::map<std::string, Case> cases;
  g_cases = &cases;
  sys.host.program = [&](HostCpu& h) {
    driver::Driver drv(h);
    if (drv.open() != driver::Status::Ok) std::exit(1);
    g_driver = &drv;
    benchmark::RunSpecifiedBenchmarks();
  };
  sc_core::sc_start();
  benchmark::Shutdown();
  return 0;
}
