#include "accel/compute.h"

#include <algorithm>
#include <cstring>

#include "golden/kernels.h"
#include "quant/numerics.h"
#include "quant/weights.h"

namespace subbit {

namespace {

ActType out_type(const LayerDescriptor& d) { return ActType{static_cast<int>(d.out_bits), (d.flags & kDescOutSigned) != 0, 1.0}; }
int16_t decode(uint8_t b, bool is_signed) { return is_signed ? static_cast<int8_t>(b) : b; }
uint8_t encode(int32_t v) { return static_cast<uint8_t>(v & 0xFF); }
uint64_t ceil_div(uint64_t a, uint64_t b) { return (a + b - 1) / b; }

// n <= 32 bits of a packed LSB-first stream starting at bit `bit`. Buffers carry kBitPad spare
// bytes so the 8-byte read never leaves them.
inline uint32_t read_bits(const uint8_t* p, uint64_t bit, int n) {
  uint64_t v;
  std::memcpy(&v, p + (bit >> 3), 8);
  return static_cast<uint32_t>((v >> (bit & 7)) & ((n == 32) ? 0xFFFFFFFFull : ((1ull << n) - 1)));
}

// Writes n <= 57 bits at `bit` (the destination bits must be zero).
inline void or_bits(uint8_t* p, uint64_t bit, uint64_t value) {
  uint64_t v;
  std::memcpy(&v, p + (bit >> 3), 8);
  v |= value << (bit & 7);
  std::memcpy(p + (bit >> 3), &v, 8);
}

// Expands `count` bits starting at `bit` into +1 / -1.
void expand_signs(const uint8_t* p, uint64_t bit, uint64_t count, int16_t* out) {
  for (uint64_t j = 0; j < count; j += 32) {
    const int n = static_cast<int>(std::min<uint64_t>(32, count - j));
    const uint32_t v = read_bits(p, bit + j, n);
    for (int t = 0; t < n; ++t) out[j + t] = ((v >> t) & 1u) ? 1 : -1;
  }
}

}  // namespace

uint64_t decrypt_weights(const LayerDescriptor& d, const XorMatrix& m, WeightSet& ws) {
  const uint64_t k = reduction_length(d);
  const uint64_t s0 = ws.o0 * k / d.n_out, s1 = ceil_div((static_cast<uint64_t>(ws.o0) + ws.oc) * k, d.n_out);
  const uint64_t slices = s1 - s0;
  ws.decrypted.assign(ws.raw.size(), std::vector<uint8_t>(bytes_for_bits(slices * d.n_out) + kBitPad, 0));
  ws.decrypted_first_bit = ws.o0 * k - s0 * d.n_out;
  for (size_t i = 0; i < ws.raw.size(); ++i) {
    const uint8_t* enc = ws.raw[i].data();
    const uint64_t first = ws.ranges.planes[i].first_bit;
    uint8_t* out = ws.decrypted[i].data();
    for (uint64_t t = 0; t < slices; ++t) {
      const uint32_t x = read_bits(enc, first + t * d.n_in, static_cast<int>(d.n_in));
      const uint64_t y = m.decrypt(x);
      if (d.n_out <= 57) {
        or_bits(out, t * d.n_out, y);
      } else {
        or_bits(out, t * d.n_out, y & 0xFFFFFFFFull);
        or_bits(out, t * d.n_out + 32, y >> 32);
      }
    }
  }
  ws.decrypted_bits = slices * d.n_out * ws.raw.size();
  ws.xor_gate_ops = slices * ws.raw.size() * xor_gates_per_slice(m);
  return slices * ws.raw.size();
}

void prepare_passes(const LayerDescriptor& d, WeightSet& ws) {
  const uint64_t k = reduction_length(d);
  const uint32_t oc = ws.oc;
  const auto fmt = static_cast<WeightFormat>(d.weight_format);
  auto add_pass = [&]() {
    ws.pass_weights.emplace_back(static_cast<size_t>(oc) * k, 0);
    ws.pass_scale.emplace_back(oc, 0);
    ws.effectual.emplace_back(oc, 0);
    return ws.pass_weights.size() - 1;
  };
  ws.pass_weights.clear();
  ws.pass_scale.clear();
  ws.effectual.clear();
  // Bit j (local element o_local*K + k) of plane i, from the raw planes or the decryptor output.
  auto plane_bit = [&](size_t i, uint64_t j) {
    return fmt == WeightFormat::Flexor ? get_bit(ws.decrypted[i].data(), ws.decrypted_first_bit + j)
                                       : get_bit(ws.raw[i].data(), ws.ranges.planes[i].first_bit + j);
  };
  auto finish_pass = [&](size_t p) {
    for (uint32_t o = 0; o < oc; ++o) {
      const int16_t* w = ws.pass_weights[p].data() + static_cast<size_t>(o) * k;
      ws.effectual[p][o] = static_cast<uint32_t>(std::count_if(w, w + k, [](int16_t v) { return v != 0; }));
    }
  };
  if (fmt == WeightFormat::Int8) {
    const size_t p = add_pass();
    for (uint64_t j = 0; j < oc * k; ++j) ws.pass_weights[p][j] = static_cast<int8_t>(ws.raw[0][j]);
    std::fill(ws.pass_scale[p].begin(), ws.pass_scale[p].end(), 1);
    finish_pass(p);
    return;
  }
  if (fmt == WeightFormat::SignedBinary) {
    const size_t p = add_pass();
    const uint64_t regions = ceil_div(k, d.region);
    for (uint32_t o = 0; o < oc; ++o) {
      for (uint64_t kk = 0; kk < k; ++kk) {
        const uint64_t j = o * k + kk;
        if (!get_bit(ws.raw[0].data(), ws.ranges.planes[0].first_bit + j)) continue;
        const bool positive = get_bit(ws.signs.data(), ws.ranges.signs.first_bit + o * regions + kk / d.region);
        ws.pass_weights[p][j] = positive ? 1 : -1;
      }
      ws.pass_scale[p][o] = ws.alpha[o];
    }
    finish_pass(p);
    return;
  }
  if ((d.flags & kDescTernary) && (d.flags & kDescZeroSkip)) {
    // W = α (b0 + b1) = 2α t with t in {-1, 0, +1}: one pass that skips the zeros.
    const size_t p = add_pass();
    for (uint64_t j = 0; j < oc * k; ++j) {
      const bool b0 = plane_bit(0, j), b1 = plane_bit(1, j);
      ws.pass_weights[p][j] = b0 == b1 ? (b0 ? 1 : -1) : 0;
    }
    for (uint32_t o = 0; o < oc; ++o) ws.pass_scale[p][o] = 2 * ws.alpha[o];
    finish_pass(p);
    return;
  }
  for (size_t i = 0; i < ws.raw.size(); ++i) {
    const size_t p = add_pass();
    if (fmt == WeightFormat::Flexor) expand_signs(ws.decrypted[i].data(), ws.decrypted_first_bit, oc * k, ws.pass_weights[p].data());
    else expand_signs(ws.raw[i].data(), ws.ranges.planes[i].first_bit, oc * k, ws.pass_weights[p].data());
    for (uint32_t o = 0; o < oc; ++o) ws.pass_scale[p][o] = ws.alpha[i * oc + o];
    finish_pass(p);
  }
}

uint64_t xor_gates_per_slice(const XorMatrix& m) {
  uint64_t gates = 0;
  for (uint32_t row : m.rows()) gates += row ? static_cast<uint64_t>(__builtin_popcount(row)) - 1 : 0;
  return gates;
}

uint64_t covering_slices(const LayerDescriptor& d, uint32_t o0, uint32_t oc, uint64_t k0, uint64_t k1) {
  if (k1 <= k0) return 0;
  const uint64_t k = reduction_length(d), n = d.n_out;
  uint64_t slices = 0;
  for (uint64_t c = o0; c < static_cast<uint64_t>(o0) + oc; ++c) slices += (c * k + k1 - 1) / n - (c * k + k0) / n + 1;
  return slices;
}

PeTileResult pe_tile_timing(const LayerDescriptor& d, const WeightSet& ws, uint64_t positions, const PeGeometry& g) {
  PeTileResult r;
  const uint64_t k = reduction_length(d);
  const uint32_t oc = ws.oc;
  const auto fmt = static_cast<WeightFormat>(d.weight_format);
  const bool skipping = g.zero_skip && (d.flags & kDescZeroSkip);
  const bool streaming = g.streaming_decrypt && fmt == WeightFormat::Flexor;
  const uint64_t units = static_cast<uint64_t>(std::max(1, g.decrypt_units));
  const auto df = static_cast<Dataflow>(d.dataflow);
  auto stream_slices = [&](uint32_t o0, uint32_t n, uint64_t k0, uint64_t k1, uint64_t times) {
    const uint64_t slices = covering_slices(d, o0, n, k0, k1);
    r.decrypted_bits += times * slices * d.n_out;
    r.xor_gate_ops += times * slices * g.xor_gates_per_slice;
    return ceil_div(slices, units);
  };
  if (df == Dataflow::OutputParallel) {
    // Rows x groups hold positions, each column group of cols/groups columns holds channels, the
    // reduction runs in time: K steps per (position group, channel group, pass), one weight per
    // column per step (broadcast to the group's rows), then one cycle to drain the accumulators
    // through the α multiplier.
    const uint64_t groups = std::max<uint32_t>(1, d.col_groups);
    const uint64_t lc = std::max<uint64_t>(1, g.cols / groups), lr = static_cast<uint64_t>(g.rows) * groups;
    const uint64_t pg = ceil_div(positions, lr);
    for (size_t pass = 0; pass < ws.pass_weights.size(); ++pass)
      for (uint32_t j = 0; j < oc; j += static_cast<uint32_t>(lc)) {
        const uint32_t n = static_cast<uint32_t>(std::min<uint64_t>(lc, oc - j));
        const uint64_t steps = skipping ? *std::max_element(ws.effectual[pass].begin() + j, ws.effectual[pass].begin() + j + n) : k;
        // A streaming decryptor re-decrypts each column's slices for every position group.
        const uint64_t supply = streaming ? stream_slices(ws.o0 + j, n, 0, k, pg) : 0;
        const uint64_t busy = std::max(steps, supply);
        r.cycles += pg * (busy + 1);
        r.decrypt_stall += pg * (busy - steps);
      }
  } else {
    // Rows hold a chunk of the reduction, columns hold channels, one adder tree per column sums
    // the rows; positions stream in time while the chunk's weights stay in the PEs. The next
    // chunk's weights load into the shadow bank meanwhile, from the weight buffer (a word of rows x
    // cols bits fills rows / weight_bits whole PE rows a cycle) or, streaming, from the decryptor
    // (units slices a cycle). A chunk's block lasts until its positions have streamed and the next
    // chunk is loaded; the first chunk loads with nothing to hide behind.
    const uint64_t rows = static_cast<uint64_t>(g.rows), cols = static_cast<uint64_t>(g.cols);
    const uint64_t weight_bits = pe_weight_bits(d);
    std::vector<uint64_t> reloads;
    for (size_t pass = 0; pass < ws.pass_weights.size(); ++pass)
      for (uint32_t j = 0; j < oc; j += static_cast<uint32_t>(cols)) {
        const uint32_t n = static_cast<uint32_t>(std::min<uint64_t>(cols, oc - j));
        for (uint64_t k0 = 0; k0 < k; k0 += rows) {
          const uint64_t kr = std::min(rows, k - k0);
          reloads.push_back(streaming ? stream_slices(ws.o0 + j, n, k0, k0 + kr, 1) : rp_reload_cycles(kr, weight_bits, g.rows));
        }
      }
    if (!reloads.empty()) {
      r.cycles += reloads[0];
      if (streaming) r.decrypt_stall += reloads[0];
    }
    for (size_t b = 0; b < reloads.size(); ++b) {
      const uint64_t next = b + 1 < reloads.size() ? reloads[b + 1] : 0;
      r.cycles += std::max(positions, next);
      if (streaming && next > positions) r.decrypt_stall += next - positions;
    }
  }
  r.cycles += pe_pipeline_depth(df, g.rows);
  const bool dense = df == Dataflow::ReductionParallel || !skipping;
  for (size_t pass = 0; pass < ws.pass_weights.size(); ++pass)
    for (uint32_t o = 0; o < oc; ++o) {
      r.effectual += positions * ws.effectual[pass][o];
      r.ops += positions * (dense ? k : ws.effectual[pass][o]);
    }
  r.macs = positions * oc * k;
  return r;
}

PeTileTraffic pe_tile_traffic(const LayerDescriptor& d, const WeightSet& ws, uint64_t positions, const PeGeometry& g, int act_bits, int acc_bits,
                              int alpha_bits, uint64_t streamed_bits) {
  PeTileTraffic r;
  const uint64_t k = reduction_length(d), oc = ws.oc, passes = ws.pass_weights.size();
  const auto fmt = static_cast<WeightFormat>(d.weight_format);
  const bool op_df = static_cast<Dataflow>(d.dataflow) == Dataflow::OutputParallel;
  // Columns (channels) one weight word serves, and how often the tile's weights are read: once per
  // tile (reduction-parallel: a chunk stays in the PEs while the positions stream) or once per
  // position group (output-parallel: weights broadcast step by step).
  const uint64_t groups = std::max<uint32_t>(1, d.col_groups);
  const uint64_t ch_per_block = op_df ? std::max<uint64_t>(1, static_cast<uint64_t>(g.cols) / groups) : static_cast<uint64_t>(g.cols);
  const uint64_t weight_passes = op_df ? ceil_div(positions, static_cast<uint64_t>(g.rows) * groups) : 1;
  const uint64_t weight_bits = fmt == WeightFormat::Int8 ? 8 : fmt == WeightFormat::SignedBinary ? 1 : pe_weight_bits(d);  // signed binary: mask bits + region signs
  if (g.streaming_decrypt && fmt == WeightFormat::Flexor) {
    r.weight_read_bits = streamed_bits * d.n_in / std::max<uint32_t>(1, d.n_out);
  } else {
    r.weight_read_bits = weight_passes * passes * oc * k * weight_bits;
    if (fmt == WeightFormat::SignedBinary) r.weight_read_bits += weight_passes * oc * ceil_div(k, std::max<uint32_t>(1, d.region));  // region signs
  }
  if (fmt != WeightFormat::Int8) {
    r.weight_read_bits += passes * oc * static_cast<uint64_t>(alpha_bits);  // α, once per channel per pass
    r.alpha_mults = passes * oc * positions;
  }
  // Activations: every position's K inputs, once per pass and block of channels (broadcast over
  // the block's columns).
  r.act_read_bits = passes * ceil_div(oc, ch_per_block) * positions * k * static_cast<uint64_t>(act_bits);
  // Accumulators: each pass writes every output; passes after the first read it back first; the
  // post-processing reads each once.
  const uint64_t outs = oc * positions * static_cast<uint64_t>(acc_bits);
  r.acc_write_bits = passes * outs;
  r.acc_read_bits = (passes ? passes - 1 : 0) * outs + outs;
  return r;
}

PeTileResult pe_conv_tile(const LayerDescriptor& d, const WeightSet& ws, uint32_t y0, uint32_t rows, const uint8_t* act, int iy0, int ih,
                          const PeGeometry& g, std::vector<int16_t>& cols, std::vector<int32_t>& acc) {
  const int k = static_cast<int>(reduction_length(d));
  const int ow = static_cast<int>(d.out_w), positions = static_cast<int>(rows) * ow;
  const bool in_signed = (d.flags & kDescInSigned) != 0;
  cols.resize(static_cast<size_t>(positions) * k);
  // im2col over the buffered input rows; positions outside the input are padding (0).
  int16_t* row = cols.data();
  for (uint32_t yy = 0; yy < rows; ++yy)
    for (int x = 0; x < ow; ++x)
      for (uint32_t c = 0; c < d.in_c; ++c)
        for (uint32_t ky = 0; ky < d.kh; ++ky) {
          const int iy = static_cast<int>((y0 + yy) * d.sh + ky) - static_cast<int>(d.ph);
          for (uint32_t kx = 0; kx < d.kw; ++kx) {
            const int ix = x * static_cast<int>(d.sw) + static_cast<int>(kx) - static_cast<int>(d.pw);
            const bool inside = iy >= 0 && iy < static_cast<int>(d.in_h) && ix >= 0 && ix < static_cast<int>(d.in_w);
            *row++ = inside ? decode(act[(static_cast<size_t>(c) * ih + (iy - iy0)) * d.in_w + ix], in_signed) : 0;
          }
        }
  const uint32_t oc = ws.oc;
  acc.assign(static_cast<size_t>(oc) * positions, 0);
  std::vector<int32_t> partial(static_cast<size_t>(oc) * positions);
  // Integer sums are exact and the loader proved they fit, so the order the dataflow adds in does
  // not change them: one reference computation serves every dataflow.
  for (size_t pass = 0; pass < ws.pass_weights.size(); ++pass) {
    dot_block(ws.pass_weights[pass].data(), k, static_cast<int>(oc), cols.data(), positions, partial.data(), positions);
    for (uint32_t o = 0; o < oc; ++o) {
      const int32_t scale = ws.pass_scale[pass][o];
      int32_t* a = acc.data() + static_cast<size_t>(o) * positions;
      const int32_t* s = partial.data() + static_cast<size_t>(o) * positions;
      for (int p = 0; p < positions; ++p) a[p] += scale * s[p];  // α scaling once per output per plane
    }
  }
  return pe_tile_timing(d, ws, static_cast<uint64_t>(positions), g);
}

PostResult post_conv_tile(const LayerDescriptor& d, const WeightSet& ws, uint32_t rows, const std::vector<int32_t>& acc, std::vector<uint8_t>& out) {
  const ActType t = out_type(d);
  const bool relu = (d.flags & kDescRelu) != 0;
  const size_t positions = static_cast<size_t>(rows) * d.out_w;
  out.resize(positions * ws.oc);
  for (uint32_t o = 0; o < ws.oc; ++o)
    for (size_t p = 0; p < positions; ++p)
      out[o * positions + p] = encode(requantize(acc[o * positions + p], ws.mult[o], ws.bias[o], static_cast<int>(d.shift), relu, t));
  return PostResult{positions * ws.oc, positions * ws.oc};
}

PostResult post_pool_tile(const LayerDescriptor& d, uint32_t y0, uint32_t rows, const uint8_t* act, int iy0, int ih, std::vector<uint8_t>& out) {
  const bool is_max = static_cast<Opcode>(d.opcode) == Opcode::MaxPool;
  const bool in_signed = (d.flags & kDescInSigned) != 0, relu = (d.flags & kDescRelu) != 0;
  const ActType t = out_type(d);
  out.resize(static_cast<size_t>(d.out_c) * rows * d.out_w);
  PostResult r;
  for_each_pool_window(d, y0, rows, act, iy0, ih, [&](size_t o, const uint8_t* reads, size_t n) {
    int32_t a = is_max ? INT32_MIN : 0;
    for (size_t i = 0; i < n; ++i) {
      const int32_t v = decode(reads[i], in_signed);
      a = is_max ? std::max(a, v) : a + v;
    }
    r.ops += n;
    out[o] = encode(is_max ? a : requantize(a, d.mult_a, 0, static_cast<int>(d.shift), relu, t));
  });
  r.outputs = out.size();
  return r;
}

PostResult post_add_tile(const LayerDescriptor& d, uint32_t rows, const uint8_t* a, const uint8_t* b, std::vector<uint8_t>& out) {
  const bool sa = (d.flags & kDescInSigned) != 0, sb = (d.flags & kDescIn2Signed) != 0, relu = (d.flags & kDescRelu) != 0;
  const ActType t = out_type(d);
  const size_t n = static_cast<size_t>(d.out_c) * rows * d.out_w;
  out.resize(n);
  for (size_t e = 0; e < n; ++e) {
    const int64_t v = static_cast<int64_t>(decode(a[e], sa)) * d.mult_a + static_cast<int64_t>(decode(b[e], sb)) * d.mult_b;
    out[e] = encode(requantize(v, 1, d.bias, static_cast<int>(d.shift), relu, t));
  }
  return PostResult{n, n};
}

PostResult post_requant_tile(const LayerDescriptor& d, uint32_t rows, const uint8_t* act, const std::vector<int32_t>& mult,
                             const std::vector<int64_t>& bias, std::vector<uint8_t>& out) {
  const bool s = (d.flags & kDescInSigned) != 0, relu = (d.flags & kDescRelu) != 0, per_tensor = (d.flags & kDescPerTensor) != 0;
  const ActType t = out_type(d);
  const size_t hw = static_cast<size_t>(rows) * d.out_w;
  out.resize(hw * d.out_c);
  for (uint32_t c = 0; c < d.out_c; ++c) {
    const size_t ci = per_tensor ? 0 : c;
    for (size_t e = 0; e < hw; ++e) out[c * hw + e] = encode(requantize(decode(act[c * hw + e], s), mult[ci], bias[ci], static_cast<int>(d.shift), relu, t));
  }
  return PostResult{out.size(), out.size()};
}

}  // namespace subbit
