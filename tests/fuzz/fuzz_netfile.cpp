// libFuzzer target: the network loader (safetensors bytes -> Network, software/netfile) through its
// in-memory entry point parse_network(). subbit::Error is the expected rejection; anything else
// that escapes, any sanitizer report and a failed property check is a finding (fuzz_common.h).
//
// Properties of an accepted network: validate() accepts it again; its statistics are computable;
// each layer's effective weights have the promised size and stay within |W| <= 2040; and
// save_network() of it loads back into a network that saves to the same bytes (the writer and the
// reader agree; written to a per-process temp file, since the writer only writes files).
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include "fuzz_common.h"
#include "netfile_mutator.h"
#include "netfile/network.h"

using namespace subbit;

namespace {

// Resource budget of this harness (the loader's default allows gigabytes): small networks only.
ResourceBudget harness_budget() {
  ResourceBudget b;
  b.memory_bytes = uint64_t{256} << 20;
  b.ops = uint64_t{1} << 28;
  return b;
}

std::string temp_path() {
  const char* dir = std::getenv("TMPDIR");
  return std::string(dir && *dir ? dir : "/tmp") + "/subbit_fuzz_netfile_" + std::to_string(getpid()) + ".safetensors";
}

std::vector<uint8_t> read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const ResourceBudget budget = harness_budget();
  std::optional<Network> loaded;
  try {
    loaded.emplace(parse_network(data, size, "fuzz.safetensors", budget));
  } catch (const Error&) {
    return 0;  // the expected rejection
  }
  Network& net = *loaded;
  FUZZ_NO_ERROR(net.validate("fuzz.safetensors(validate)", budget));
  FUZZ_CHECK(!net.nodes.empty() && net.nodes[0].op == Op::Input, "the first node is the input");
  (void)net.total_macs();
  (void)net.weight_count();
  (void)net.stored_weight_bytes();
  (void)net.sub_byte_bits_per_weight();
  (void)net.bits_per_weight();
  for (const Node& n : net.nodes) {
    if (!n.has_weights() || n.weights.numel() > (size_t{1} << 20)) continue;
    std::vector<int16_t> eff;
    FUZZ_NO_ERROR(eff = n.weights.effective());
    FUZZ_CHECK(eff.size() == n.weights.numel(), n.name);
    for (int16_t w : eff) FUZZ_CHECK(w >= -QuantWeights::kMaxEffective && w <= QuantWeights::kMaxEffective, n.name);
  }

  static const std::string path = temp_path();
  FUZZ_NO_ERROR(save_network(path, net));
  const std::vector<uint8_t> first = read_all(path);
  std::optional<Network> again;
  FUZZ_NO_ERROR(again.emplace(load_network(path, budget)));
  FUZZ_NO_ERROR(save_network(path, *again));
  const std::vector<uint8_t> second = read_all(path);
  std::remove(path.c_str());
  FUZZ_CHECK(!first.empty() && first == second, "save(load(save(net))) differs from save(net)");
  return 0;
}

// Structure-aware mutations of network files (netfile_mutator.h).
extern "C" size_t LLVMFuzzerCustomMutator(uint8_t* data, size_t size, size_t max_size, unsigned int seed) {
  return subbit::fuzz::mutate_network_file(data, size, max_size, seed);
}
