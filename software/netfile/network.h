// A quantized network: a topologically ordered graph of operators with their quantized tensors
// (docs/network-format.md), checked once on load so every consumer can trust it.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "quant/numerics.h"
#include "quant/weights.h"

namespace subbit {

enum class Op { Input, Conv2d, Linear, Relu, MaxPool, AvgPool, Add, Flatten, Requant };
const char* op_name(Op op);

// Largest activation tensor the loader accepts (256 Mi elements): no consumer allocates more.
constexpr size_t kMaxActivationElements = size_t{1} << 28;
// Most nodes a graph may have (node names are checked pairwise for uniqueness).
constexpr size_t kMaxNodes = 16384;

// What one inference of a network may cost, decided from the graph before any tensor is read or
// expanded (docs/network-format.md, "Resource budget"). Every command that loads a network checks
// it; `--budget-memory` / `--budget-ops` (or SUBBIT_BUDGET_MEMORY / SUBBIT_BUDGET_OPS) raise it.
struct ResourceBudget {
  // Bytes of host memory: every node's output (int16 per element, all kept for inspection), the
  // largest im2col and accumulator scratch, and the expanded int16 weights of every layer.
  uint64_t memory_bytes = uint64_t{4} << 30;
  // Operations per inference: multiply-accumulates, pooling window reads and element-wise ops.
  uint64_t ops = uint64_t{1} << 36;

  // The budget load_network() and Network::validate() apply unless given one.
  static ResourceBudget& process_default();
};

// The cost of a network, node by node as the loader learns the graph. Sums saturate at 2^64 - 1.
struct ResourceUse {
  uint64_t activation_bytes = 0;  // every node's output
  uint64_t scratch_bytes = 0;     // largest im2col [positions][K] int16 + accumulators [Cout][positions] int32
  uint64_t weight_bytes = 0;      // expanded weights W[o][k], int16
  uint64_t ops = 0;
  uint64_t memory_bytes() const;
  std::string to_string() const;  // "1.2 GiB memory (activations ..., scratch ..., weights ...), 3.4e9 ops"
};

struct Shape {
  int c = 0, h = 1, w = 1;
  size_t numel() const { return static_cast<size_t>(c) * h * w; }
  std::string to_string() const;
  bool operator==(const Shape& o) const { return c == o.c && h == o.h && w == o.w; }
};

struct Window {
  int kh = 1, kw = 1;
  int sh = 1, sw = 1;
  int ph = 0, pw = 0;
};

// Per-channel (size C) or per-tensor (size 1) requantization, docs/numerics.md section 4.
struct Requant {
  std::vector<int32_t> mult;
  std::vector<int64_t> bias;
  int shift = 0;
  bool relu = false;
  int32_t mult_at(int c) const { return mult.size() == 1 ? mult[0] : mult[c]; }
  int64_t bias_at(int c) const { return bias.size() == 1 ? bias[0] : bias[c]; }
};

struct Node {
  std::string name;
  Op op = Op::Input;
  std::vector<int> inputs;  // indices of earlier nodes
  Shape shape;              // output shape
  ActType out;              // output type
  Window window;            // conv2d, maxpool, avgpool
  QuantWeights weights;     // conv2d, linear
  Requant rq;               // conv2d, linear, requant, avgpool (per tensor), add (bias[0], shift, relu)
  int32_t mult_a = 0, mult_b = 0;  // add

  bool has_weights() const { return op == Op::Conv2d || op == Op::Linear; }
};

struct Network {
  std::string name;
  std::vector<Node> nodes;  // nodes[0] is the input; the last node is the output

  const Node& input() const { return nodes.front(); }
  const Node& output() const { return nodes.back(); }
  int find(const std::string& name) const;  // -1 if absent

  // Multiply-accumulates of one node (conv2d, linear); 0 for the others.
  int64_t macs(const Node& n) const;
  int64_t total_macs() const;
  size_t weight_count() const;        // all weights of conv2d/linear layers
  size_t stored_weight_bytes() const; // sum of QuantWeights::stored_bytes()
  double sub_byte_bits_per_weight() const;  // weighted mean over the sub-byte (non-int8) layers
  double bits_per_weight() const;           // weighted mean over all layers

  // Infers shapes and checks every rule of docs/network-format.md (edges, arity, shapes, weight
  // sizes, accumulator bound, resource budget). Throws subbit::Error starting with `file`.
  void validate(const std::string& file, const ResourceBudget& budget = ResourceBudget::process_default());
  // Adds node i (structure checked) to `use` and throws subbit::Error naming the file, the node,
  // what it needs and the budget when the running total exceeds `budget`.
  void charge(size_t i, ResourceUse& use, const ResourceBudget& budget, const std::string& file) const;
  ResourceUse resource_use() const;  // what one inference needs, all nodes charged
  // The two halves of validate() for node i, so the loader can learn a layer's shape (and its
  // reduction length K, which is derived, never stored) before it reads the layer's tensors.
  void check_structure(size_t i, const std::string& file);
  void check_tensors(size_t i, const std::string& file) const;
};

// Load and check a network file; throws subbit::Error naming the file and the node or tensor.
Network load_network(const std::string& path, const ResourceBudget& budget = ResourceBudget::process_default());
// The same on a whole file already in memory; `name` stands for the path in messages (fuzzing, tests/fuzz).
Network parse_network(const uint8_t* bytes, size_t size, const std::string& name,
                      const ResourceBudget& budget = ResourceBudget::process_default());
struct SafetensorsFile;
// The graph and tensors of a safetensors file already read; messages name f.path.
Network network_from_safetensors(const SafetensorsFile& f, const ResourceBudget& budget = ResourceBudget::process_default());
// Write a network file (atomically). The network must validate.
void save_network(const std::string& path, Network net);

}  // namespace subbit
