// The golden reference: plain C++ integer inference of a network file, bit-exact to
// docs/numerics.md. It is also the speed reference the simulator is compared against, so the
// inner loops are int16 x int16 -> int32 dot products over contiguous rows (im2col), blocked for
// cache, with no per-element virtual calls.
#pragma once
#include <cstdint>
#include <functional>
#include <vector>

#include "netfile/network.h"

namespace subbit {

class GoldenModel {
 public:
  explicit GoldenModel(const Network& net);
  GoldenModel(Network&&) = delete;  // it keeps a reference: the network must outlive it

  // One inference. `input` holds input().shape.numel() values in CHW order, each within the input
  // type's range. Every node's output stays available until the next run().
  void run(const int16_t* input);

  const std::vector<int16_t>& output(size_t node) const { return values_[node]; }
  const std::vector<int16_t>& output() const { return values_.back(); }
  int top1() const;  // argmax of the last node; ties go to the lowest index
  const Network& network() const { return net_; }
  // Called with every node's output right after it is computed; may change it (fault injection
  // flips activation bits here, as the accelerator's faults flip them on their way to memory).
  std::function<void(size_t node, std::vector<int16_t>& values)> after_node;

 private:
  void conv(const Node& n, const std::vector<int16_t>& in, const Shape& in_shape, std::vector<int16_t>& out);
  void linear(const Node& n, const std::vector<int16_t>& in, const Shape& in_shape, std::vector<int16_t>& out);
  void gemm_requant(const Node& n, const int16_t* cols, int positions, std::vector<int16_t>& out);

  const Network& net_;
  std::vector<std::vector<int16_t>> weights_;  // effective W[o][k] per node (empty for non-weighted)
  std::vector<std::vector<int16_t>> values_;   // output of every node
  std::vector<int16_t> cols_;                  // im2col scratch, [positions][K]
  std::vector<int32_t> acc_;                   // accumulator scratch
};

int argmax_lowest(const int16_t* v, size_t n);

}  // namespace subbit
