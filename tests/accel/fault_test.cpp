// Fault injection on the simulated platform (models/system/platform_faults.h, the XOR decryptor's
// stuck outputs): the accelerator, reading flipped bits from device memory and decrypting through
// stuck outputs, computes exactly what the golden reference computes on the faulted network
// (fault::Injection::faulted() with the activation hook), layer by layer; rate 0 changes nothing;
// one flipped encrypted bit changes exactly the decrypted bits M⊕ predicts. One simulation per test
// (one sc_start per process).
#include <gtest/gtest.h>

#include <set>

#include "accel/compute.h"
#include "accel/xor_decryptor.h"
#include "driver/driver.h"
#include "fault/fault.h"
#include "golden/golden.h"
#include "netgen/netgen.h"
#include "system/platform_faults.h"
#include "system/sim_system.h"

namespace subbit::test {
namespace {

Network make(const std::string& network, Scheme scheme) {
  NetgenOptions o;
  o.network = network;
  o.scheme = scheme;
  return make_network(o);
}

struct FaultRun {
  std::string failure;
  std::vector<std::string> mismatches;   // against the faulted golden reference, per inference
  std::vector<std::string> clean_diffs;  // layers whose output differs from the fault-free reference
  uint64_t memory_flips = 0, act_applied = 0, stuck_changed = 0;
};

// Runs `inferences` random inputs through the driver with the campaign's faults and compares every
// layer's output in device memory with the faulted golden reference.
FaultRun run_with_faults(const Network& net, const std::vector<std::string>& specs, uint64_t seed, const AccelParams& p, int inferences) {
  SimSystem sys(p, std::make_unique<IdealMemoryModel>(sc_core::sc_time(60, sc_core::SC_NS), 12.8));
  fault::Injection inj(fault::make_campaign(specs, seed, net), net, p.n_out);
  PlatformFaults faults(inj, sys);
  GoldenModel golden(inj.faulted()), clean(net);
  inj.hook(golden);
  FaultRun r;
  sys.host.program = [&](HostCpu& h) {
    driver::Driver drv(h);
    driver::LoadedNetwork ln;
    if (drv.open() != driver::Status::Ok || drv.load_network(net, &ln) != driver::Status::Ok) {
      r.failure = drv.message();
      return;
    }
    if (!(r.failure = faults.corrupt_memory(h, ln.lowered)).empty()) return;
    std::vector<int16_t> out(net.output().shape.numel()), v;
    for (int i = 0; i < inferences; ++i) {
      faults.begin(static_cast<uint64_t>(i));
      const std::vector<int16_t> x = random_input(net, 100 + static_cast<uint64_t>(i));
      if (drv.run(ln, x.data(), out.data(), 100'000'000) != driver::Status::Ok) {
        r.failure = drv.message();
        return;
      }
      golden.run(x.data());
      clean.run(x.data());
      std::string mismatch, diffs;
      for (size_t n = 1; n < net.nodes.size(); ++n) {
        v.resize(net.nodes[n].shape.numel());
        drv.read_node(ln, net, n, v.data());
        if (mismatch.empty() && v != golden.output(n)) mismatch = "inference " + std::to_string(i) + ", layer '" + net.nodes[n].name + "'";
        if (v != clean.output(n)) diffs += net.nodes[n].name + " ";
      }
      r.mismatches.push_back(mismatch);
      r.clean_diffs.push_back(diffs);
    }
  };
  sc_core::sc_start();
  r.memory_flips = faults.memory_flips();
  r.act_applied = faults.activation_flips_applied();
  r.stuck_changed = sys.accel.decryptor().stuck_changed_bits();
  uint64_t sampled = 0;
  for (uint64_t t : inj.activation_totals()) sampled += t;
  if (inj.has_activations()) {
    EXPECT_EQ(r.act_applied, sampled) << "every activation byte is written back once per inference";
  }
  uint64_t stored = (inj.weights() ? inj.weights()->flipped : 0) + (inj.params() ? inj.params()->flipped : 0);
  EXPECT_EQ(r.memory_flips, stored);
  return r;
}

TEST(PlatformFaults, EveryFaultKindMatchesTheGoldenReplicaLayerByLayer) {
  const Network net = make("lenet5", Scheme::Flexor);
  const FaultRun r = run_with_faults(net, {"weights:ber=1e-3", "params:count=6", "activations:ber=1e-4", "decryptor:stuck-at-0=1,stuck-at-1=1"}, 11,
                                     AccelParams{}, 3);
  ASSERT_EQ(r.failure, "");
  ASSERT_EQ(r.mismatches.size(), 3u);
  for (const std::string& m : r.mismatches) EXPECT_EQ(m, "");
  EXPECT_GT(r.memory_flips, 100u);
  EXPECT_GT(r.act_applied, 10u);
  EXPECT_GT(r.stuck_changed, 0u);
  for (const std::string& d : r.clean_diffs) EXPECT_NE(d, "") << "the faults changed nothing";
}

TEST(PlatformFaults, BinaryInt8AndSignedBinaryLayersReadTheirFlippedBytes) {
  NetgenOptions o;
  o.network = "mlp";
  o.scheme = Scheme::SignedBinary;
  const Network net = make_network(o);
  const FaultRun r = run_with_faults(net, {"weights:ber=2e-3", "activations:count=20"}, 5, AccelParams{}, 2);
  ASSERT_EQ(r.failure, "");
  for (const std::string& m : r.mismatches) EXPECT_EQ(m, "");
  EXPECT_GT(r.memory_flips, 0u);
}

TEST(PlatformFaults, RateZeroIsBitIdenticalToNoInjection) {
  const Network net = make("lenet5", Scheme::Flexor);
  const FaultRun r = run_with_faults(net, {"weights:ber=0", "params:ber=0", "activations:ber=0"}, 3, AccelParams{}, 2);
  ASSERT_EQ(r.failure, "");
  EXPECT_EQ(r.memory_flips, 0u);
  EXPECT_EQ(r.act_applied, 0u);
  for (size_t i = 0; i < r.mismatches.size(); ++i) {
    EXPECT_EQ(r.mismatches[i], "");
    EXPECT_EQ(r.clean_diffs[i], "") << "inference " << i;  // every layer equals the fault-free reference
  }
}

// Streaming decryption expands the weights on every pass: the stuck outputs reach the PE array
// there too.
TEST(PlatformFaults, StuckOutputsOfAStreamingDecryptor) {
  AccelParams p;
  p.streaming_decrypt = true;
  const Network net = make("lenet5", Scheme::Flexor);
  const FaultRun r = run_with_faults(net, {"decryptor:stuck-at-1=@0+9"}, 1, p, 1);
  ASSERT_EQ(r.failure, "");
  EXPECT_EQ(r.mismatches.at(0), "");
  EXPECT_GT(r.stuck_changed, 0u);
  EXPECT_NE(r.clean_diffs.at(0), "");
}

// The model's decryption of one tile's weights (channels o0..o0+oc of a layer, decrypt_weights as
// the XOR decryptor runs it): flipping encrypted bit c of the tile's slice t changes exactly the
// decrypted bits t*N_out + r with M[r][c] = 1, and forced outputs force bit r of every slice.
struct TileWeights {
  LayerDescriptor d;
  WeightSet ws;
};

TileWeights flexor_tile(const Network& net, const AccelParams& p, uint32_t o0, uint32_t oc) {
  const LoweredNetwork L = lower_network(net, hw_caps(p), SimSystem::kMemBase, net.name);
  TileWeights t;
  for (size_t j = 0; j < L.descriptors.size(); ++j)
    if (L.descriptors[j].weight_format == static_cast<uint32_t>(WeightFormat::Flexor)) {
      t.d = L.descriptors[j];
      break;
    }
  t.ws.o0 = o0, t.ws.oc = oc;
  t.ws.ranges = weight_ranges(t.d, o0, oc);
  for (const ByteRange& r : t.ws.ranges.planes) {
    std::vector<uint8_t> bytes(r.bytes + kBitPad, 0);
    for (const MemSegment& s : L.image)
      if (r.addr >= s.addr && r.addr + r.bytes <= s.addr + s.bytes.size()) std::copy_n(s.bytes.begin() + static_cast<long>(r.addr - s.addr), r.bytes, bytes.begin());
    t.ws.raw.push_back(bytes);
  }
  return t;
}

TEST(DecryptorFaults, OneEncryptedBitChangesExactlyTheTappedRows) {
  const AccelParams p;
  const Network net = make("lenet5", Scheme::Flexor);
  TileWeights t = flexor_tile(net, p, 3, 5);  // a tile that starts inside a slice
  const XorMatrix m = XorMatrix::generate(p.n_out, p.n_in, p.fill, p.n_tap, p.xor_seed);
  decrypt_weights(t.d, m, t.ws);
  const std::vector<uint8_t> clean = t.ws.decrypted[0];
  const uint64_t slices = t.ws.decrypted_bits / t.d.n_out, first = t.ws.ranges.planes[0].first_bit;
  ASSERT_GT(slices, 10u);
  for (uint64_t s : {uint64_t{0}, uint64_t{1}, slices / 2, slices - 1})
    for (uint32_t c = 0; c < t.d.n_in; ++c) {
      WeightSet ws = t.ws;
      fault::flip(ws.raw[0].data(), {first + s * t.d.n_in + c});
      decrypt_weights(t.d, m, ws);
      std::set<uint64_t> got, want;
      for (uint64_t b = 0; b < slices * t.d.n_out; ++b)
        if (get_bit(ws.decrypted[0].data(), b) != get_bit(clean.data(), b)) got.insert(b);
      for (uint32_t r = 0; r < t.d.n_out; ++r)
        if (m.at(static_cast<int>(r), static_cast<int>(c))) want.insert(s * t.d.n_out + r);
      EXPECT_EQ(got, want) << "slice " << s << " encrypted bit " << c;
    }
}

TEST(DecryptorFaults, StuckOutputsForceTheirBitInEverySlice) {
  const AccelParams p;
  const Network net = make("lenet5", Scheme::Flexor);
  TileWeights t = flexor_tile(net, p, 0, 7);
  const XorMatrix m = XorMatrix::generate(p.n_out, p.n_in, p.fill, p.n_tap, p.xor_seed);
  decrypt_weights(t.d, m, t.ws);
  const std::vector<uint8_t> clean = t.ws.decrypted[0];
  const uint64_t zero = uint64_t{1} << 2, one = (uint64_t{1} << 5) | (uint64_t{1} << 19);
  const uint64_t changed = force_decryptor_outputs(t.d, t.ws, zero, one);
  const uint64_t slices = t.ws.decrypted_bits / t.d.n_out;
  uint64_t diff = 0;
  for (uint64_t b = 0; b < slices * t.d.n_out; ++b) {
    const uint64_t r = b % t.d.n_out;
    const bool v = get_bit(t.ws.decrypted[0].data(), b);
    if ((zero >> r) & 1) EXPECT_FALSE(v) << b;
    else if ((one >> r) & 1) EXPECT_TRUE(v) << b;
    else EXPECT_EQ(v, get_bit(clean.data(), b)) << b;
    diff += v != get_bit(clean.data(), b);
  }
  EXPECT_EQ(changed, diff);
  EXPECT_GT(changed, 0u);
}

}  // namespace
}  // namespace subbit::test
