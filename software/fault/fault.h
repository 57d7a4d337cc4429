// Fault injection (subbit run/golden --inject): bit flips in what device memory stores (weight bit
// arrays, layer parameters, activation tensors) at a bit-error rate or an exact count, and stuck-at
// outputs of the XOR decryptor. Everything here is plain C++ on a Network: which bits flip (seeded,
// independent of simulation timing) and the "faulted network" the golden reference runs to
// reproduce what the accelerator computes with the same faults (docs/fault-injection.md).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "netfile/network.h"

namespace subbit {
class GoldenModel;
}

namespace subbit::fault {

enum class Target { Weights, Params, Activations, Decryptor };
const char* target_name(Target t);  // "weights", "params", "activations", "decryptor"

// One --inject TARGET:FIELD=VALUE[,FIELD=VALUE...].
struct Spec {
  Target target = Target::Weights;
  std::string text;  // as given
  // weights, params, activations: a probability per stored bit, or an exact number of distinct bits.
  double ber = 0;
  bool has_count = false;
  uint64_t count = 0;
  std::vector<std::string> layers;  // only these layers' tensors (empty: every layer)
  // decryptor: outputs stuck at 0 ([0]) and at 1 ([1]), a number chosen by the seed or explicit ones.
  int stuck_count[2] = {0, 0};
  std::vector<int> stuck_at[2];
};

// Parses one spec; throws subbit::Error "OPTION 'TEXT': ..." naming the field, the value and what
// was expected.
Spec parse_spec(const std::string& text, const std::string& option = "--inject");

// All --inject specs of one command and the seed (--inject-seed).
struct Campaign {
  std::vector<Spec> specs;  // at most one per target
  uint64_t seed = 1;
  std::string option = "--inject";  // for messages: "run --inject"
  const Spec* find(Target t) const;
  bool empty() const { return specs.empty(); }
  std::string str() const;  // "weights:ber=1e-4 decryptor:stuck-at-0=2 (seed 7)"
};
// Parses every spec and checks them against the network (layer names, one spec per target).
Campaign make_campaign(const std::vector<std::string>& texts, uint64_t seed, const Network& net, const std::string& option = "--inject");

// One stored array faults can hit. Weights: "weights" (FleXOR encrypted planes, bit planes, int8
// bytes, signed-binary mask) and "signs" (signed-binary region signs). Params: "alpha", "mult"
// (int32), "bias" (int64) of conv/linear and requant layers. Activations: every layer's output.
struct Tensor {
  int node = 0;
  std::string layer, kind;
  uint64_t bytes = 0;
};
// The tensors a target's faults can hit, in node order (`layers`: only these, empty: all).
std::vector<Tensor> tensors_for(const Network& net, Target t, const std::vector<std::string>& layers = {});
// The bytes of a weights/params tensor inside the network object (little-endian for mult and bias,
// exactly what lowering copies to device memory).
uint8_t* tensor_bytes(Network& net, const Tensor& t);
const uint8_t* tensor_bytes(const Network& net, const Tensor& t);

// Flipped bits: per tensor, sorted bit positions (byte * 8 + bit, bit 0 = LSB).
struct FlipSet {
  std::vector<Tensor> tensors;
  std::vector<std::vector<uint64_t>> bits;
  uint64_t domain_bits = 0;  // every bit of every tensor
  uint64_t flipped = 0;
};

// The seed of one target's positions (and of one inference's, for activations).
uint64_t stream_seed(uint64_t seed, Target t, uint64_t inference = 0);
// Positions over the tensors' bits taken as one array: each bit independently with probability
// `ber` (geometric gaps between flips, so the cost is per flip, not per bit), or exactly `count`
// distinct bits, uniformly (Floyd's sampling). Throws if count exceeds the bits.
FlipSet sample(const std::vector<Tensor>& tensors, const Spec& s, uint64_t stream_seed, const std::string& where = "--inject");
// Same over an abstract array of `bits` bits (the sampler the above uses).
std::vector<uint64_t> sample_positions(uint64_t bits, double ber, bool exact, uint64_t count, uint64_t stream_seed);

void flip(uint8_t* bytes, const std::vector<uint64_t>& bits);
// Flips the bits of the stored bytes of activation values (two's complement for signed types).
void flip_values(int16_t* values, bool is_signed, const std::vector<uint64_t>& bits);

// Decryptor outputs stuck at 0 / 1: bit r of a mask is output r of M⊕ (every slice, every unit).
struct StuckAt {
  uint64_t zero = 0, one = 0;
  bool any() const { return (zero | one) != 0; }
  uint64_t force(uint64_t y) const { return (y & ~zero) | one; }
  std::string str() const;  // "0@[3, 17] 1@[5]"
};
// Chooses the stuck outputs of a decryptor with N_out outputs (explicit ones checked).
StuckAt pick_stuck_at(const Spec& s, int n_out, uint64_t seed, const std::string& where = "--inject");
// A FleXOR layer decrypted by a decryptor with stuck outputs, as the plain bit planes it yields
// (scheme bcq, same α): how the golden reference reproduces the fault. Returns the decrypted bits
// the stuck outputs changed. Other schemes are left alone (0).
uint64_t decrypt_with_stuck_at(QuantWeights& w, const StuckAt& s);

// Effective weights W[o][k] that differ between two versions of a layer.
uint64_t weights_changed(const QuantWeights& a, const QuantWeights& b);

// A campaign applied to one network: the fault sets and the faulted network that the golden
// reference runs to reproduce the accelerator's results under the same faults.
class Injection {
 public:
  // decryptor_n_out: the decryptor's N_out (0: the network's FleXOR layers' N_out).
  Injection(Campaign c, const Network& net, int decryptor_n_out = 0);
  Injection(const Injection&) = delete;  // hook() hands out pointers to it
  Injection& operator=(const Injection&) = delete;
  const Campaign& campaign() const { return c_; }
  bool active() const { return !c_.empty(); }
  const Network& network() const { return net_; }
  // Weights and parameters flipped, FleXOR layers decrypted through the stuck outputs.
  const Network& faulted() const { return faulted_; }
  const FlipSet* weights() const { return c_.find(Target::Weights) ? &weights_ : nullptr; }
  const FlipSet* params() const { return c_.find(Target::Params) ? &params_ : nullptr; }
  bool has_activations() const { return c_.find(Target::Activations) != nullptr; }
  const StuckAt& stuck() const { return stuck_; }
  int decryptor_n_out() const { return n_out_; }
  // Per node: decrypted bits the stuck outputs changed, effective weights changed by all faults.
  const std::vector<uint64_t>& stuck_changed() const { return stuck_changed_; }
  const std::vector<uint64_t>& weights_changed() const { return weights_changed_; }
  // Activations: the flips of inference i (sampled when it begins; the same for every caller).
  void begin(uint64_t inference);
  uint64_t inference() const { return inference_; }
  const FlipSet& activations() const { return acts_; }
  // Totals over the inferences begun so far, per activation tensor.
  const std::vector<uint64_t>& activation_totals() const { return act_totals_; }
  uint64_t inferences() const { return inferences_; }
  // Makes `g` (a GoldenModel of faulted()) flip the current inference's activations.
  void hook(GoldenModel& g) const;

 private:
  Campaign c_;
  const Network& net_;
  Network faulted_;
  int n_out_ = 0;
  FlipSet weights_, params_, acts_;
  StuckAt stuck_;
  std::vector<uint64_t> stuck_changed_, weights_changed_, act_totals_;
  uint64_t inference_ = 0, inferences_ = 0;
  bool begun_ = false;
};

}  // namespace subbit::fault
