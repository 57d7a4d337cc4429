// Mapper speed: wall time of lowering a whole network (every layer's search, closed-form ranking
// and pipeline replays) on the preset configs. Goal (issue 9): under 100 ms for ResNet-18.
//   build/bench/bench_mapper [--benchmark_filter=resnet18]
#include <benchmark/benchmark.h>

#include "config/arch_config.h"
#include "netgen/netgen.h"
#include "runtime/lowering.h"
#include "system/arch_params.h"

namespace {

using namespace subbit;

void map_network(benchmark::State& state, const std::string& network, const std::string& config) {
  NetgenOptions o;
  o.network = network;
  o.scheme = Scheme::Flexor;
  const Network net = make_network(o);
  const HwCaps hw = hw_caps(accel_params(load_arch_config(std::string(SUBBIT_SOURCE_DIR) + "/configs/" + config + ".yaml")));
  for (auto _ : state) {
    LoweredNetwork L = lower_network(net, hw, 0x1000, network);
    benchmark::DoNotOptimize(L.descriptors.data());
  }
  state.counters["layers"] = static_cast<double>(lower_network(net, hw, 0x1000, network).descriptors.size());
}

}  // namespace

BENCHMARK_CAPTURE(map_network, resnet18_default, std::string("resnet18"), std::string("default"))->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(map_network, resnet18_large, std::string("resnet18"), std::string("large"))->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(map_network, resnet20_large, std::string("resnet20"), std::string("large"))->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(map_network, ffn_large, std::string("ffn"), std::string("large"))->Unit(benchmark::kMillisecond);

int sc_main(int argc, char* argv[]) {
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
