// Seeded synthetic networks of real shapes in any weight scheme: LeNet-5, ResNet-20, ResNet-18,
// an MLP, a transformer feed-forward block, and one hidden fully connected layer (to measure a
// layer alone). The requantization is sized so activations use
// their range (neither all zero nor all saturated), which keeps bit-exactness tests meaningful.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "netfile/network.h"

namespace subbit {

struct NetgenOptions {
  std::string network = "lenet5";   // lenet5 | resnet20 | resnet18 | mlp | ffn | fc
  Scheme scheme = Scheme::Binary;
  int q = 1;                        // planes for bcq, uniform (bits), flexor
  int n_in = 16, n_out = 20, n_tap = 2;
  XorFill fill = XorFill::Tap;
  uint64_t xor_seed = 1;            // M⊕ seed (a hard-wired decryptor's seed)
  bool explicit_matrix = false;     // store M⊕ as a tensor instead of a seed
  int region = 8;                   // signed-binary region length
  double density = 0.35;            // signed-binary non-zero fraction
  int act_bits = 8;                 // hidden activations: unsigned after ReLU; 1 = signed {-1,+1}
  bool int8_first_last = true;      // first and last layers int8
  int tokens = 128;                 // ffn
  int in_features = 3136, out_features = 512;  // fc: one hidden fully connected layer at batch 1 (LeNet-5's fc1)
  uint64_t seed = 1;
};

const std::vector<std::string>& netgen_networks();
Network make_network(const NetgenOptions& opt);  // validated; throws subbit::Error on bad options

// A seeded random input within the network's input type, CHW.
std::vector<int16_t> random_input(const Network& net, uint64_t seed);

}  // namespace subbit
