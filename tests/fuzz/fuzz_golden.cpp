// libFuzzer target: the golden reference on small networks. The input is a network file (as for
// fuzz_netfile); when it loads and is small (caps below, so each execution stays in milliseconds),
// golden inference runs on a seeded random input. Properties: run() accepts a valid input, every
// node's output lies within its activation type, and a second run gives the same outputs.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "fuzz_common.h"
#include "netfile_mutator.h"
#include "golden/golden.h"
#include "netfile/network.h"
#include "netgen/netgen.h"

using namespace subbit;

namespace {

constexpr size_t kMaxInput = 4096;           // input elements
constexpr size_t kMaxNodeElements = 1 << 16;  // any node's output elements
constexpr int64_t kMaxMacs = 2'000'000;      // whole network
constexpr size_t kMaxScratch = 1 << 20;      // im2col elements of one layer (positions x K)

bool small_enough(const Network& net) {
  if (net.input().shape.numel() > kMaxInput || net.total_macs() > kMaxMacs) return false;
  for (const Node& n : net.nodes) {
    if (n.shape.numel() > kMaxNodeElements) return false;
    if (n.has_weights() && static_cast<size_t>(n.shape.h) * n.shape.w * static_cast<size_t>(n.weights.k) > kMaxScratch) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ResourceBudget budget;
  budget.memory_bytes = uint64_t{64} << 20;
  budget.ops = uint64_t{1} << 24;
  std::optional<Network> loaded;
  try {
    loaded.emplace(parse_network(data, size, "fuzz.safetensors", budget));
  } catch (const Error&) {
    return 0;
  }
  const Network& net = *loaded;
  if (!small_enough(net)) return 0;  // the harness's cap, not a finding

  const uint64_t seed = size > 0 ? data[size - 1] : 0;
  const std::vector<int16_t> x = random_input(net, seed);
  GoldenModel g(net);
  FUZZ_NO_ERROR(g.run(x.data()));
  std::vector<std::vector<int16_t>> first;
  for (size_t i = 0; i < net.nodes.size(); ++i) {
    const Node& n = net.nodes[i];
    const std::vector<int16_t>& v = g.output(i);
    FUZZ_CHECK(v.size() == n.shape.numel(), n.name);
    for (int16_t e : v) {
      FUZZ_CHECK(e >= n.out.lo() && e <= n.out.hi(), n.name + ": output " + std::to_string(e) + " outside " + n.out.to_string());
      FUZZ_CHECK(!(n.out.is_signed && n.out.bits == 1 && e == 0), n.name + ": 0 in a signed 1-bit tensor");
    }
    first.push_back(v);
  }
  const int top = g.top1();
  FUZZ_CHECK(top >= 0 && static_cast<size_t>(top) < net.output().shape.numel(), "top1 index");
  FUZZ_NO_ERROR(g.run(x.data()));
  for (size_t i = 0; i < net.nodes.size(); ++i) FUZZ_CHECK(g.output(i) == first[i], net.nodes[i].name + ": second run differs");
  return 0;
}

// Structure-aware mutations of network files (netfile_mutator.h).
extern "C" size_t LLVMFuzzerCustomMutator(uint8_t* data, size_t size, size_t max_size, unsigned int seed) {
  return subbit::fuzz::mutate_network_file(data, size, max_size, seed);
}
