// Golden-reference time per image (the Time column) on synthetic networks of real shapes.
//   build/bench/bench_golden [--benchmark_filter=resnet18]
#include <benchmark/benchmark.h>

#include "golden/golden.h"
#include "netgen/netgen.h"

namespace {

void golden_inference(benchmark::State& state, const std::string& network, subbit::Scheme scheme) {
  subbit::NetgenOptions opt;
  opt.network = network;
  opt.scheme = scheme;
  if (scheme == subbit::Scheme::Flexor) opt.n_in = 16;  // 0.8 bits per weight
  const subbit::Network net = subbit::make_network(opt);
  subbit::GoldenModel model(net);
  const std::vector<int16_t> x = subbit::random_input(net, 1);
  for (auto _ : state) {
    model.run(x.data());
    benchmark::DoNotOptimize(model.output().data());
  }
  state.counters["GMAC_per_s"] = benchmark::Counter(static_cast<double>(net.total_macs()) * state.iterations() / 1e9, benchmark::Counter::kIsRate);
}

}  // namespace

BENCHMARK_CAPTURE(golden_inference, lenet5_flexor, std::string("lenet5"), subbit::Scheme::Flexor)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(golden_inference, resnet20_flexor, std::string("resnet20"), subbit::Scheme::Flexor)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(golden_inference, resnet18_flexor, std::string("resnet18"), subbit::Scheme::Flexor)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(golden_inference, resnet18_int8, std::string("resnet18"), subbit::Scheme::Int8)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(golden_inference, mlp_binary, std::string("mlp"), subbit::Scheme::Binary)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(golden_inference, ffn_ternary, std::string("ffn"), subbit::Scheme::Ternary)->Unit(benchmark::kMillisecond);
