#include "runtime/lowering.h"

#include <algorithm>
#include <cstring>

#include "hwif/registers.h"
#include "quant/error.h"
#include "quant/weights.h"

namespace subbit {

void values_to_bytes(const int16_t* v, size_t n, uint8_t* out) {
  for (size_t i = 0; i < n; ++i) out[i] = static_cast<uint8_t>(v[i] & 0xFF);
}

void bytes_to_values(const uint8_t* b, size_t n, bool is_signed, int16_t* out) {
  for (size_t i = 0; i < n; ++i) out[i] = is_signed ? static_cast<int8_t>(b[i]) : b[i];
}

namespace {

constexpr uint64_t kAlign = 64;
uint64_t align_up(uint64_t a) { return (a + kAlign - 1) / kAlign * kAlign; }

class ImageBuilder {
 public:
  explicit ImageBuilder(uint64_t base) : next_(align_up(base)) {}
  uint64_t place(const void* data, size_t bytes) {
    const uint64_t addr = next_;
    MemSegment s{addr, std::vector<uint8_t>(static_cast<const uint8_t*>(data), static_cast<const uint8_t*>(data) + bytes)};
    image.push_back(std::move(s));
    next_ = align_up(addr + bytes);
    return addr;
  }
  template <typename T>
  uint64_t place(const std::vector<T>& v) { return place(v.data(), v.size() * sizeof(T)); }
  uint64_t reserve(size_t bytes) {
    const uint64_t addr = next_;
    next_ = align_up(addr + bytes);
    return addr;
  }
  uint64_t next() const { return next_; }
  std::vector<MemSegment> image;

 private:
  uint64_t next_;
};

uint32_t act_flags(const ActType& in, const ActType& out) {
  return (in.is_signed ? kDescInSigned : 0u) | (out.is_signed ? kDescOutSigned : 0u);
}

}  // namespace

std::vector<std::vector<uint32_t>> effectual_weights(const QuantWeights& w) {
  std::vector<std::vector<uint32_t>> eff;
  const size_t k = static_cast<size_t>(w.k);
  if (w.scheme == Scheme::SignedBinary) {
    eff.emplace_back(w.cout, 0);
    for (int o = 0; o < w.cout; ++o)
      for (size_t j = 0; j < k; ++j) eff[0][o] += get_bit(w.mask.data(), o * k + j);
  } else if (w.scheme == Scheme::Ternary) {
    // Zero where the two planes differ.
    eff.emplace_back(w.cout, 0);
    const uint8_t* b0 = w.planes.data();
    const uint8_t* b1 = w.planes.data() + w.plane_bytes();
    for (int o = 0; o < w.cout; ++o)
      for (size_t j = 0; j < k; ++j) eff[0][o] += get_bit(b0, o * k + j) == get_bit(b1, o * k + j);
  }
  return eff;
}

LayerContext layer_context(const Network& net, const LoweredNetwork& L, size_t index, const LayerDescriptor& d, int node) {
  LayerContext ctx;
  const Node& n = net.nodes[static_cast<size_t>(node)];
  if ((n.op == Op::Conv2d || n.op == Op::Linear) && (d.flags & kDescZeroSkip)) ctx.effectual = effectual_weights(n.weights);
  if (index > 0) {
    const LayerDescriptor& p = L.descriptors[index - 1];
    const uint64_t p_end = p.out_addr + static_cast<uint64_t>(p.out_c) * p.out_h * p.out_w;
    auto reads = [&](uint64_t addr) { return addr < p_end && addr + static_cast<uint64_t>(d.in_c) * d.in_h * d.in_w > p.out_addr; };
    ctx.prev = &p;
    ctx.prev_mapping = L.mappings[index - 1];
    ctx.prev_cost = L.predicted[index - 1];
    ctx.reads_prev = reads(d.in_addr) || (d.opcode == static_cast<uint32_t>(Opcode::Add) && reads(d.in2_addr));
  }
  return ctx;
}

LoweredNetwork lower_network(const Network& net, const HwCaps& hw, uint64_t base_addr, const std::string& where, MapperKind mapper_kind) {
  LoweredNetwork L;
  const std::unique_ptr<Mapper> mapper = make_mapper(mapper_kind, hw);
  const CostModel cost_model(hw);
  L.mapper = mapper->name();
  PipelineState pipeline;
  ImageBuilder img(base_addr);
  size_t layer_count = 0;
  for (const Node& n : net.nodes) layer_count += (n.op != Op::Input && n.op != Op::Flatten);
  L.desc_addr = img.reserve(layer_count * kDescriptorBytes);

  // Activations: one CHW byte region per node; flatten aliases its input.
  L.node_addr.resize(net.nodes.size());
  for (size_t i = 0; i < net.nodes.size(); ++i) {
    const Node& n = net.nodes[i];
    if (n.out.bits > hw.act_bits)
      throw Error(where + ": node '" + n.name + "' has " + std::to_string(n.out.bits) + "-bit activations, the hardware supports " +
                  std::to_string(hw.act_bits));
    L.node_addr[i] = n.op == Op::Flatten ? L.node_addr[n.inputs[0]] : img.reserve(n.shape.numel());
  }
  const std::vector<int32_t> unit_mult{1};
  const std::vector<int64_t> zero_bias{0};
  uint64_t relu_params_mult = 0, relu_params_bias = 0;

  for (size_t i = 1; i < net.nodes.size(); ++i) {
    const Node& n = net.nodes[i];
    if (n.op == Op::Flatten) continue;
    const std::string lw = where + ": layer '" + n.name + "'";
    const Node& a = net.nodes[n.inputs[0]];
    LayerDescriptor d;
    d.in_c = a.shape.c, d.in_h = a.shape.h, d.in_w = a.shape.w;
    d.out_c = n.shape.c, d.out_h = n.shape.h, d.out_w = n.shape.w;
    d.in_bits = a.out.bits, d.out_bits = n.out.bits;
    d.flags = act_flags(a.out, n.out);
    d.in_addr = L.node_addr[n.inputs[0]];
    d.out_addr = L.node_addr[i];
    d.kh = n.window.kh, d.kw = n.window.kw, d.sh = n.window.sh, d.sw = n.window.sw, d.ph = n.window.ph, d.pw = n.window.pw;
    switch (n.op) {
      case Op::Conv2d:
      case Op::Linear: {
        d.opcode = static_cast<uint32_t>(Opcode::Conv);
        if (n.op == Op::Linear) d.kh = d.kw = d.sh = d.sw = 1, d.ph = d.pw = 0;
        const QuantWeights& w = n.weights;
        d.q = w.q;
        d.shift = static_cast<uint32_t>(n.rq.shift);
        if (n.rq.relu) d.flags |= kDescRelu;
        switch (w.scheme) {
          case Scheme::Int8:
            d.weight_format = static_cast<uint32_t>(WeightFormat::Int8);
            d.q = 1;
            d.weight_addr = img.place(w.int8);
            break;
          case Scheme::SignedBinary:
            if (!(hw.features & regs::kFeatureSignedBinary)) throw Error(lw + ": the hardware has no signed-binary datapath");
            d.weight_format = static_cast<uint32_t>(WeightFormat::SignedBinary);
            d.q = 1;
            d.region = static_cast<uint32_t>(w.region);
            d.weight_addr = img.place(w.mask);
            d.signs_addr = img.place(w.signs);
            d.alpha_addr = img.place(w.alpha);
            if (hw.features & regs::kFeatureZeroSkip) d.flags |= kDescZeroSkip;
            break;
          case Scheme::Flexor: {
            if (!(hw.features & regs::kFeatureFlexor)) throw Error(lw + ": the hardware has no XOR decryption unit");
            const bool fits = w.flexor.n_out == hw.n_out && (hw.programmable_matrix ? w.flexor.n_in <= hw.n_in : w.flexor.n_in == hw.n_in);
            if (!fits)
              throw Error(lw + ": FleXOR slices are N_in/N_out = " + std::to_string(w.flexor.n_in) + "/" + std::to_string(w.flexor.n_out) +
                          ", the decryptor is built for " + std::to_string(hw.n_in) + "/" + std::to_string(hw.n_out) +
                          (hw.programmable_matrix ? " (programmable: N_in up to " + std::to_string(hw.n_in) + ")" : " (hard-wired)"));
            d.weight_format = static_cast<uint32_t>(WeightFormat::Flexor);
            d.n_in = static_cast<uint32_t>(w.flexor.n_in);
            d.n_out = static_cast<uint32_t>(w.flexor.n_out);
            if (hw.programmable_matrix) {
              d.matrix_addr = img.place(w.flexor.matrix.to_bytes());
            } else if (!(w.flexor.matrix == hw.matrix())) {
              throw Error(lw + ": its M⊕ differs from the hard-wired decryptor's (seed " + std::to_string(hw.xor_seed) +
                          "); re-export the network with that matrix or use a programmable decryptor");
            }
            d.weight_addr = img.place(w.planes);
            d.alpha_addr = img.place(w.alpha);
            break;
          }
          default:
            if (!(hw.features & regs::kFeatureBitPlanes)) throw Error(lw + ": the hardware has no bit-plane datapath");
            d.weight_format = static_cast<uint32_t>(WeightFormat::BitPlanes);
            if (w.scheme == Scheme::Ternary) {
              d.flags |= kDescTernary;
              if (hw.features & regs::kFeatureZeroSkip) d.flags |= kDescZeroSkip;
            }
            d.weight_addr = img.place(w.planes);
            d.alpha_addr = img.place(w.alpha);
            break;
        }
        L.weight_bytes += w.stored_bytes();
        d.mult_addr = img.place(n.rq.mult);
        d.bias_addr = img.place(n.rq.bias);
        break;
      }
      case Op::MaxPool:
        d.opcode = static_cast<uint32_t>(Opcode::MaxPool);
        break;
      case Op::AvgPool:
        d.opcode = static_cast<uint32_t>(Opcode::AvgPool);
        d.mult_a = n.rq.mult[0];
        d.shift = static_cast<uint32_t>(n.rq.shift);
        if (n.rq.relu) d.flags |= kDescRelu;
        break;
      case Op::Add: {
        const Node& b = net.nodes[n.inputs[1]];
        d.opcode = static_cast<uint32_t>(Opcode::Add);
        d.in2_addr = L.node_addr[n.inputs[1]];
        d.in2_bits = b.out.bits;
        if (b.out.is_signed) d.flags |= kDescIn2Signed;
        d.mult_a = n.mult_a, d.mult_b = n.mult_b, d.bias = n.rq.bias[0];
        d.shift = static_cast<uint32_t>(n.rq.shift);
        if (n.rq.relu) d.flags |= kDescRelu;
        break;
      }
      case Op::Relu:
        // relu = per-tensor requant by 1 with ReLU, same type.
        if (!relu_params_mult) relu_params_mult = img.place(unit_mult), relu_params_bias = img.place(zero_bias);
        d.opcode = static_cast<uint32_t>(Opcode::Requant);
        d.flags |= kDescRelu | kDescPerTensor;
        d.mult_addr = relu_params_mult, d.bias_addr = relu_params_bias;
        break;
      case Op::Requant:
        d.opcode = static_cast<uint32_t>(Opcode::Requant);
        d.shift = static_cast<uint32_t>(n.rq.shift);
        if (n.rq.relu) d.flags |= kDescRelu;
        if (n.rq.mult.size() == 1) d.flags |= kDescPerTensor;
        d.mult_addr = img.place(n.rq.mult);
        d.bias_addr = img.place(n.rq.bias);
        break;
      case Op::Input:
      case Op::Flatten:
        break;
    }
    LayerContext ctx = layer_context(net, L, L.descriptors.size(), d, static_cast<int>(i));
    ctx.pipeline = &pipeline;
    const LayerMapping m = mapper->map(d, ctx, lw);
    m.apply(d);
    L.mappings.push_back(m);
    CostEstimate c = cost_model.cost(d, m, ctx);
    c.cycles = cost_model.replay(d, m, ctx, pipeline);
    L.predicted.push_back(c);
    L.descriptors.push_back(d);
    L.descriptor_node.push_back(static_cast<int>(i));
  }
  std::vector<uint8_t> table(L.descriptors.size() * kDescriptorBytes, 0);
  for (size_t i = 0; i < L.descriptors.size(); ++i) std::memcpy(table.data() + i * kDescriptorBytes, &L.descriptors[i], sizeof(LayerDescriptor));
  L.image.insert(L.image.begin(), MemSegment{L.desc_addr, std::move(table)});
  for (auto& s : img.image) L.image.push_back(std::move(s));
  L.input_addr = L.node_addr[0];
  L.input_bytes = net.input().shape.numel();
  L.output_addr = L.node_addr.back();
  L.output_bytes = net.output().shape.numel();
  L.end_addr = img.next();
  return L;
}

}  // namespace subbit
