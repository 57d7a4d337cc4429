// libFuzzer target: the CLI's input tensor files (`--input`, software/cli/common.h:
// input_from_safetensors, the body of load_input) for a few fixed networks.
//
// Input layout: byte 0 picks the network (mod 5), the rest is the safetensors file.
// subbit::Error is the expected rejection. Properties of an accepted input: one value per input
// element, each within the input type (never 0 for signed 1-bit), and the golden reference runs
// on it without refusing it.
#include <cstdint>
#include <string>
#include <vector>

#include "cli/common.h"
#include "fuzz_common.h"
#include "golden/golden.h"
#include "netfile/safetensors.h"
#include "netgen/netgen.h"

using namespace subbit;

namespace {

Network input_only(Shape s, ActType t) {
  Network net;
  net.name = "input_only";
  Node n;
  n.name = "input";
  n.op = Op::Input;
  n.shape = s;
  n.out = t;
  net.nodes.push_back(n);
  return net;
}

Network fc(int act_bits) {
  NetgenOptions o;
  o.network = "fc";
  o.in_features = 16;
  o.out_features = 4;
  o.act_bits = act_bits;
  o.scheme = Scheme::Binary;
  return make_network(o);
}

// The networks of tests/fuzz/make_seeds.cpp's input seeds, in the same order.
const std::vector<Network>& networks() {
  static const std::vector<Network> nets = [] {
    std::vector<Network> v;
    v.push_back(fc(8));                                              // [16, 1, 1] u8
    v.push_back(fc(1));                                              // [16, 1, 1] s1
    v.push_back(fc(4));                                              // [16, 1, 1] u4
    v.push_back(input_only({2, 3, 4}, ActType{8, true, 1.0 / 127}));  // s8
    v.push_back(input_only({1, 28, 28}, ActType{8, false, 1.0 / 255}));
    return v;
  }();
  return nets;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const Network& net = networks()[data[0] % networks().size()];
  std::vector<int16_t> x;
  try {
    x = cli::input_from_safetensors(parse_safetensors(data + 1, size - 1, "fuzz_input.safetensors"), net);
  } catch (const Error&) {
    return 0;
  }
  const ActType& t = net.input().out;
  FUZZ_CHECK(x.size() == net.input().shape.numel(), "one value per input element");
  for (int16_t v : x) {
    FUZZ_CHECK(v >= t.lo() && v <= t.hi(), "value " + std::to_string(v) + " within " + t.to_string());
    FUZZ_CHECK(!(t.is_signed && t.bits == 1 && v == 0), "no 0 in a signed 1-bit input");
  }
  if (net.nodes.size() > 1) {
    GoldenModel g(net);
    FUZZ_NO_ERROR(g.run(x.data()));
  }
  return 0;
}
