// Fault injection (software/fault): spec parsing and its messages, seeded flip positions (determinism,
// binomial bounds, exact counts), the golden replica of stored-bit flips and stuck decryptor outputs,
// and what one flipped encrypted FleXOR bit does to the decrypted weights.
#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "fault/fault.h"
#include "golden/golden.h"
#include "netgen/netgen.h"
#include "quant/error.h"

namespace {

using namespace subbit;
using namespace subbit::fault;

Network lenet(Scheme s) {
  NetgenOptions o;
  o.network = "lenet5";
  o.scheme = s;
  return make_network(o);
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(FaultSpec, ParsesEveryField) {
  Spec s = parse_spec("weights:ber=1e-4,layers=conv2+fc1");
  EXPECT_EQ(s.target, Target::Weights);
  EXPECT_DOUBLE_EQ(s.ber, 1e-4);
  EXPECT_FALSE(s.has_count);
  EXPECT_EQ(s.layers, (std::vector<std::string>{"conv2", "fc1"}));
  s = parse_spec("activations:count=12");
  EXPECT_EQ(s.target, Target::Activations);
  EXPECT_TRUE(s.has_count);
  EXPECT_EQ(s.count, 12u);
  s = parse_spec("params:ber=0");
  EXPECT_EQ(s.target, Target::Params);
  s = parse_spec("decryptor:stuck-at-0=3,stuck-at-1=@0+7");
  EXPECT_EQ(s.target, Target::Decryptor);
  EXPECT_EQ(s.stuck_count[0], 3);
  EXPECT_EQ(s.stuck_at[1], (std::vector<int>{0, 7}));
}

TEST(FaultSpec, BadSpecsAreRejectedWithClearMessages) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"weights", "expected TARGET:FIELD=VALUE"},
      {":ber=1", "expected TARGET:FIELD=VALUE"},
      {"weights:", "expected TARGET:FIELD=VALUE"},
      {"memory:ber=1e-3", "unknown target 'memory' (expected weights, params, activations or decryptor)"},
      {"weights:ber=1.5", "ber=1.5: expected a bit-error rate, a number from 0 to 1"},
      {"weights:ber=-1e-3", "ber=-1e-3: expected a bit-error rate"},
      {"weights:ber=1e-3x", "ber=1e-3x: expected a bit-error rate"},
      {"weights:ber=inf", "ber=inf: expected a bit-error rate"},
      {"weights:count=1.5", "count=1.5: expected a number of bits to flip, a non-negative integer"},
      {"weights:ber=1e-3,count=2", "give ber or count, not both"},
      {"weights:layers=fc1", "weights needs ber=P (a probability per stored bit) or count=N"},
      {"weights:ber", "field 'ber' needs a value"},
      {"weights:ber=1e-3,,layers=fc1", "empty field"},
      {"weights:ber=1e-3,ber=1e-2", "field 'ber' given twice"},
      {"weights:ber=1e-3,layers=fc1++fc2", "layers=fc1++fc2: expected layer names joined by '+'"},
      {"weights:ber=1e-3,layers=fc1+fc1", "layer 'fc1' given twice"},
      {"weights:stuck-at-0=1", "unknown field 'stuck-at-0' for weights (expected ber, count or layers)"},
      {"decryptor:ber=1e-3", "unknown field 'ber' for decryptor (expected stuck-at-0 or stuck-at-1)"},
      {"decryptor:stuck-at-0=two", "stuck-at-0=two: expected a number of outputs (chosen by --inject-seed) or @R+R..."},
      {"decryptor:stuck-at-1=@3+x", "stuck-at-1=@3+x: expected a number of outputs"},
      {"decryptor:stuck-at-1=@3+3", "output 3 given twice"},
      {"decryptor:stuck-at-0=@5,stuck-at-1=@5", "output 5 cannot be stuck at 0 and at 1"},
  };
  for (const auto& [spec, want] : cases) {
    const std::string msg = error_of([&] { parse_spec(spec, "run --inject"); });
    EXPECT_NE(msg.find("run --inject '" + spec + "': "), std::string::npos) << msg;
    EXPECT_NE(msg.find(want), std::string::npos) << spec << " -> " << msg;
  }
}

TEST(FaultSpec, CampaignChecksLayersTargetsAndCounts) {
  const Network net = lenet(Scheme::Flexor);
  EXPECT_NE(error_of([&] { make_campaign({"weights:ber=1e-3,layers=pool1"}, 1, net, "x"); })
                .find("layers: 'pool1' is not a layer of network 'lenet5' with weights (expected conv1, conv2, fc1, fc2)"),
            std::string::npos);
  EXPECT_NE(error_of([&] { make_campaign({"weights:ber=1e-3", "weights:count=1"}, 1, net, "x"); })
                .find("a second weights spec (one per target; the first was 'weights:ber=1e-3')"),
            std::string::npos);
  EXPECT_NO_THROW(make_campaign({"activations:ber=1e-3,layers=pool1"}, 1, net, "x"));
  const Campaign big = make_campaign({"weights:count=100000000,layers=conv1"}, 1, net, "golden --inject");
  EXPECT_NE(error_of([&] { Injection(big, net); }).find("golden --inject 'weights:count=100000000,layers=conv1': count=100000000 is more than the 6400 bits"),
            std::string::npos);
  const Campaign stuck = make_campaign({"decryptor:stuck-at-0=@20"}, 1, net, "run --inject");
  EXPECT_NE(error_of([&] { Injection(stuck, net, 20); }).find("output 20 does not exist (the decryptor's M⊕ has N_out = 20 outputs, 0..19)"),
            std::string::npos);
  const Campaign many = make_campaign({"decryptor:stuck-at-0=15,stuck-at-1=6"}, 1, net, "run --inject");
  EXPECT_NE(error_of([&] { Injection(many, net, 20); }).find("21 stuck outputs asked for, the decryptor has 20"), std::string::npos);
}

TEST(FaultSampling, DeterministicForASeed) {
  const Spec s = parse_spec("weights:ber=1e-3");
  const auto a = sample_positions(1 << 20, 1e-3, false, 0, stream_seed(7, Target::Weights));
  const auto b = sample_positions(1 << 20, 1e-3, false, 0, stream_seed(7, Target::Weights));
  const auto c = sample_positions(1 << 20, 1e-3, false, 0, stream_seed(8, Target::Weights));
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  // Targets and inferences draw from separate streams.
  EXPECT_NE(stream_seed(7, Target::Weights), stream_seed(7, Target::Activations));
  EXPECT_NE(stream_seed(7, Target::Activations, 0), stream_seed(7, Target::Activations, 1));
  // The same campaign gives the same faulted network.
  const Network net = lenet(Scheme::Flexor);
  const Campaign camp = make_campaign({"weights:ber=1e-3", "params:count=5", "decryptor:stuck-at-1=2"}, 7, net);
  Injection x(camp, net, 20), y(camp, net, 20);
  EXPECT_EQ(x.weights()->bits, y.weights()->bits);
  EXPECT_EQ(x.params()->bits, y.params()->bits);
  EXPECT_EQ(x.stuck().one, y.stuck().one);
  for (size_t i = 0; i < net.nodes.size(); ++i) EXPECT_EQ(x.faulted().nodes[i].weights.planes, y.faulted().nodes[i].weights.planes);
}

TEST(FaultSampling, BerZeroFlipsNothingAndGivesTheSameOutputs) {
  const Network net = lenet(Scheme::Flexor);
  Injection inj(make_campaign({"weights:ber=0", "params:ber=0", "activations:ber=0"}, 3, net), net);
  EXPECT_EQ(inj.weights()->flipped, 0u);
  EXPECT_EQ(inj.params()->flipped, 0u);
  GoldenModel clean(net), faulted(inj.faulted());
  inj.hook(faulted);
  for (uint64_t i = 0; i < 3; ++i) {
    const auto x = random_input(net, 10 + i);
    inj.begin(i);
    EXPECT_EQ(inj.activations().flipped, 0u);
    clean.run(x.data());
    faulted.run(x.data());
    for (size_t n = 0; n < net.nodes.size(); ++n) EXPECT_EQ(clean.output(n), faulted.output(n)) << "node " << n;
  }
}

// At rate p over n bits the number of flips is Binomial(n, p): within 5 standard deviations for
// each seed, and the mean over 200 seeds within 5 standard errors. Positions are uniform: each
// eighth of the array gets its share within 5 standard deviations.
TEST(FaultSampling, FlipCountsAreWithinBinomialBounds) {
  for (double p : {1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 0.3}) {
    const uint64_t n = p < 0.1 ? uint64_t{1} << 22 : uint64_t{1} << 16;
    const double mean = n * p, sd = std::sqrt(n * p * (1 - p));
    double sum = 0;
    std::vector<double> eighths(8, 0);
    const int seeds = p < 0.1 ? 200 : 50;
    for (int s = 0; s < seeds; ++s) {
      const auto pos = sample_positions(n, p, false, 0, stream_seed(static_cast<uint64_t>(s), Target::Weights));
      EXPECT_LE(std::abs(pos.size() - mean), 5 * sd + 1) << "p " << p << " seed " << s;
      for (size_t i = 1; i < pos.size(); ++i) ASSERT_LT(pos[i - 1], pos[i]);
      if (!pos.empty()) {
        ASSERT_LT(pos.back(), n);
      }
      for (uint64_t q : pos) eighths[q * 8 / n] += 1;
      sum += static_cast<double>(pos.size());
    }
    EXPECT_LE(std::abs(sum / seeds - mean), 5 * sd / std::sqrt(seeds) + 0.05) << "p " << p;
    const double e_mean = mean * seeds / 8, e_sd = std::sqrt(seeds * n / 8.0 * p * (1 - p));
    for (double e : eighths) EXPECT_LE(std::abs(e - e_mean), 5 * e_sd + 1) << "p " << p;
  }
  EXPECT_EQ(sample_positions(1000, 1.0, false, 0, 1).size(), 1000u);
  EXPECT_TRUE(sample_positions(1000, 0.0, false, 0, 1).empty());
}

TEST(FaultSampling, ExactCountsAreDistinctAndCoverTensors) {
  for (uint64_t count : {0, 1, 17, 1000, 4096}) {
    const auto pos = sample_positions(4096, 0, true, count, 5);
    EXPECT_EQ(pos.size(), count);
    EXPECT_EQ(std::set<uint64_t>(pos.begin(), pos.end()).size(), count);
    if (!pos.empty()) {
      EXPECT_LT(pos.back(), 4096u);
    }
  }
  // Over several tensors: positions land in every tensor, in its own bit range.
  const Network net = lenet(Scheme::Binary);
  const Spec s = parse_spec("weights:count=20000");
  const FlipSet f = sample(tensors_for(net, Target::Weights), s, 9);
  uint64_t total = 0;
  ASSERT_EQ(f.tensors.size(), 4u);
  for (size_t i = 0; i < f.tensors.size(); ++i) {
    total += f.bits[i].size();
    for (uint64_t b : f.bits[i]) ASSERT_LT(b, f.tensors[i].bytes * 8);
  }
  EXPECT_EQ(total, 20000u);
  EXPECT_EQ(f.flipped, 20000u);
  EXPECT_GT(f.bits[2].size(), 15000u);  // fc1 holds 97% of the stored bits
}

TEST(FaultTensors, WeightsParamsAndActivationsOfEachScheme) {
  const Network sb = lenet(Scheme::SignedBinary);
  std::vector<std::string> kinds;
  for (const Tensor& t : tensors_for(sb, Target::Weights, {"conv2"})) kinds.push_back(t.kind);
  EXPECT_EQ(kinds, (std::vector<std::string>{"weights", "signs"}));
  const Network fx = lenet(Scheme::Flexor);
  const auto w = tensors_for(fx, Target::Weights, {"fc1"});
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0].bytes, fx.nodes[static_cast<size_t>(fx.find("fc1"))].weights.encrypted_plane_bytes());  // encrypted, as stored
  kinds.clear();
  for (const Tensor& t : tensors_for(fx, Target::Params, {"fc1"})) kinds.push_back(t.kind);
  EXPECT_EQ(kinds, (std::vector<std::string>{"alpha", "mult", "bias"}));
  size_t acts = 0;
  for (const Tensor& t : tensors_for(fx, Target::Activations)) acts += t.layer != "flatten";
  EXPECT_EQ(acts, tensors_for(fx, Target::Activations).size());  // flatten aliases its input: no tensor
  EXPECT_EQ(acts, fx.nodes.size() - 2);                          // every layer but the input and flatten
}

// One flipped encrypted bit c of slice s changes exactly the decrypted bits s*N_out + r of the rows
// r of M⊕ that tap it (M[r][c] = 1); at equal counts of flipped stored bits a FleXOR layer changes
// the mean column weight (N_out * N_tap / N_in = 2.5 for 16/20, 2 taps) times as many weights.
TEST(FaultFlexor, OneEncryptedBitFlipsTheRowsThatTapIt) {
  const Network net = lenet(Scheme::Flexor);
  const QuantWeights& w = net.nodes[static_cast<size_t>(net.find("conv2"))].weights;
  const XorMatrix& m = w.flexor.matrix;
  const std::vector<uint8_t> clean = w.plane_bits(0);
  uint64_t changed_total = 0, flips = 0;
  for (uint64_t s : {uint64_t{0}, uint64_t{1}, uint64_t{777}, uint64_t{w.slices() / 2}, uint64_t{w.slices() - 2}})
    for (int c = 0; c < w.flexor.n_in; ++c) {
      QuantWeights f = w;
      flip(f.planes.data(), {s * static_cast<uint64_t>(w.flexor.n_in) + static_cast<uint64_t>(c)});
      const std::vector<uint8_t> bits = f.plane_bits(0);
      std::set<uint64_t> got, want;
      for (uint64_t e = 0; e < w.numel(); ++e)
        if (get_bit(bits.data(), e) != get_bit(clean.data(), e)) got.insert(e);
      for (int r = 0; r < w.flexor.n_out; ++r)
        if (m.at(r, c)) want.insert(s * w.flexor.n_out + static_cast<uint64_t>(r));
      EXPECT_EQ(got, want) << "slice " << s << " column " << c;
      EXPECT_EQ(weights_changed(w, f), want.size());
      changed_total += got.size();
      ++flips;
    }
  EXPECT_DOUBLE_EQ(static_cast<double>(changed_total) / flips, 20.0 * 2 / 16);  // every column, 5 slices: the mean column weight
}

TEST(FaultStuckAt, PickIsSeededAndDisjoint) {
  Spec s = parse_spec("decryptor:stuck-at-0=3,stuck-at-1=2");
  const StuckAt a = pick_stuck_at(s, 20, 4), b = pick_stuck_at(s, 20, 4);
  EXPECT_EQ(a.zero, b.zero);
  EXPECT_EQ(a.one, b.one);
  EXPECT_EQ(__builtin_popcountll(a.zero), 3);
  EXPECT_EQ(__builtin_popcountll(a.one), 2);
  EXPECT_EQ(a.zero & a.one, 0u);
  EXPECT_LT(a.zero | a.one, uint64_t{1} << 20);
  s = parse_spec("decryptor:stuck-at-0=@19,stuck-at-1=19");  // random ones avoid the explicit one
  const StuckAt c = pick_stuck_at(s, 20, 4);
  EXPECT_EQ(c.zero, uint64_t{1} << 19);
  EXPECT_EQ(__builtin_popcountll(c.one), 19);
  EXPECT_EQ(c.one & c.zero, 0u);
  EXPECT_EQ(a.force(0), a.one);
  EXPECT_EQ(a.force(~uint64_t{0}), ~a.zero);
}

TEST(FaultStuckAt, ReplicaForcesEveryDecryptedBitOfTheOutput) {
  const Network net = lenet(Scheme::Flexor);
  const QuantWeights& w = net.nodes[static_cast<size_t>(net.find("conv2"))].weights;
  StuckAt st;
  st.zero = uint64_t{1} << 3;
  st.one = uint64_t{1} << 17;
  QuantWeights f = w;
  const uint64_t changed = decrypt_with_stuck_at(f, st);
  ASSERT_EQ(f.scheme, Scheme::Bcq);
  const std::vector<uint8_t> before = w.plane_bits(0), after = f.plane_bits(0);
  uint64_t diff = 0;
  for (uint64_t e = 0; e < w.numel(); ++e) {
    const uint64_t r = e % 20;
    if (r == 3) ASSERT_FALSE(get_bit(after.data(), e)) << e;
    else if (r == 17) ASSERT_TRUE(get_bit(after.data(), e)) << e;
    else ASSERT_EQ(get_bit(after.data(), e), get_bit(before.data(), e)) << e;
    diff += get_bit(after.data(), e) != get_bit(before.data(), e);
  }
  EXPECT_EQ(changed, diff);
  EXPECT_GT(changed, w.numel() / 40);  // about half of the 2/20 forced bits had the other value
  EXPECT_EQ(weights_changed(w, f), diff);
  // Other schemes have no decryptor.
  QuantWeights b = lenet(Scheme::Binary).nodes[3].weights;
  EXPECT_EQ(decrypt_with_stuck_at(b, st), 0u);
}

TEST(FaultActivations, ValuesFlipAsTheirStoredBytes) {
  std::vector<int16_t> v{5, -3, 127, 0};
  flip_values(v.data(), true, {0, 15, 23, 31});  // 5^1, -3 (0xFD)^0x80, 127^0x80, 0^0x80
  EXPECT_EQ(v, (std::vector<int16_t>{4, 125, -1, -128}));
  std::vector<int16_t> u{200, 0};
  flip_values(u.data(), false, {7, 9});
  EXPECT_EQ(u, (std::vector<int16_t>{72, 2}));
  // The injection draws each inference's flips once; the replica applies them after each layer.
  const Network net = lenet(Scheme::Binary);
  Injection inj(make_campaign({"activations:count=3,layers=fc1"}, 2, net), net);
  GoldenModel clean(net), faulted(inj.faulted());
  inj.hook(faulted);
  const auto x = random_input(net, 1);
  inj.begin(0);
  clean.run(x.data());
  faulted.run(x.data());
  const size_t fc1 = static_cast<size_t>(net.find("fc1"));
  size_t differ = 0;
  for (size_t e = 0; e < clean.output(fc1).size(); ++e) differ += clean.output(fc1)[e] != faulted.output(fc1)[e];
  EXPECT_GE(differ, 1u);
  EXPECT_LE(differ, 3u);
  for (size_t n = 0; n < fc1; ++n) EXPECT_EQ(clean.output(n), faulted.output(n));
  EXPECT_EQ(inj.activation_totals()[0], 3u);
}

}  // namespace
