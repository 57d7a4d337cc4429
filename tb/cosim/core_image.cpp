#include "core_image.h"

#include <algorithm>

#include "hwif/tiling.h"
#include "quant/error.h"
#include "quant/numerics.h"

namespace subbit::cosim {

namespace {

uint64_t ceil_div(uint64_t a, uint64_t b) { return (a + b - 1) / b; }

// Builds load words of the core's load width.
class Loads {
 public:
  Loads(const CoreGeometry& g, std::vector<CoreLoad>& out) : words_(static_cast<size_t>(ceil_div(g.ld_bits(), 32))), out_(out) {}
  std::vector<uint32_t> blank() const { return std::vector<uint32_t>(words_, 0); }
  void add(LoadTarget t, uint64_t addr, std::vector<uint32_t> data) { out_.push_back(CoreLoad{t, static_cast<uint32_t>(addr), std::move(data)}); }

 private:
  size_t words_;
  std::vector<CoreLoad>& out_;
};

void put(std::vector<uint32_t>& w, uint64_t bit, int n, uint64_t v) {
  for (int i = 0; i < n; ++i, ++bit)
    if ((v >> i) & 1) w[bit / 32] |= 1u << (bit % 32);
}

void check(uint64_t need, uint64_t have, const char* what) {
  if (need > have)
    throw Error("co-simulation: the tile needs " + std::to_string(need) + " " + what + ", the compute core has " + std::to_string(have) +
                " (rtl/compute_core.sv; sized from the config by core_geometry)");
}

ActType out_type_of(const LayerDescriptor& d) { return ActType{static_cast<int>(d.out_bits), (d.flags & kDescOutSigned) != 0, 1.0}; }

void common_fields(CoreCommand& c, const LayerDescriptor& d) {
  c.in_signed = (d.flags & kDescInSigned) != 0;
  c.in2_signed = (d.flags & kDescIn2Signed) != 0;
  c.relu = (d.flags & kDescRelu) != 0;
  c.shift = d.shift;
  const ActType t = out_type_of(d);
  c.out_bits = static_cast<uint32_t>(t.bits);
  c.out_signed = t.is_signed;
  c.mult_a = d.mult_a;
  c.mult_b = d.mult_b;
  c.bias = d.bias;
}

// Post-processing operand words: LANES bytes (of an AWB-byte word) per beat.
void byte_words(const CoreGeometry& g, Loads& loads, const uint8_t* v, size_t n, uint64_t first_word) {
  const size_t lanes = static_cast<size_t>(g.cols);
  for (size_t e0 = 0; e0 < n; e0 += lanes) {
    std::vector<uint32_t> w = loads.blank();
    for (size_t l = 0; l < lanes && e0 + l < n; ++l) put(w, l * 8, 8, v[e0 + l]);
    loads.add(LoadTarget::Abuf, first_word + e0 / lanes, std::move(w));
  }
}

void channel_params(const CoreGeometry& g, Loads& loads, const std::vector<int32_t>& mult, const std::vector<int64_t>& bias) {
  check(mult.size(), g.channels, "requant channels");
  for (size_t c = 0; c < mult.size(); ++c) {
    std::vector<uint32_t> m = loads.blank(), b = loads.blank();
    m[0] = static_cast<uint32_t>(mult[c]);
    b[0] = static_cast<uint32_t>(static_cast<uint64_t>(bias[c]));
    b[1] = static_cast<uint32_t>(static_cast<uint64_t>(bias[c]) >> 32);
    loads.add(LoadTarget::Mult, c, std::move(m));
    loads.add(LoadTarget::Bias, c, std::move(b));
  }
}

}  // namespace

CoreTileImage conv_image(const CoreGeometry& g, bool zero_skip_hw, const LayerDescriptor& d, const WeightSet& ws, uint32_t y0, uint32_t rows,
                         const uint8_t* act, int iy0, int ih) {
  CoreTileImage img;
  CoreCommand& c = img.cmd;
  common_fields(c, d);
  Loads loads(g, img.loads);
  const uint64_t k = reduction_length(d), ow = d.out_w, positions = static_cast<uint64_t>(rows) * ow, oc = ws.oc;
  const auto fmt = static_cast<WeightFormat>(d.weight_format);
  const size_t passes = ws.pass_weights.size();
  const bool rp = static_cast<Dataflow>(d.dataflow) == Dataflow::ReductionParallel;
  c.op = CoreOp::Conv;
  c.dataflow = rp;
  c.k = static_cast<uint32_t>(k);
  c.positions = static_cast<uint32_t>(positions);
  c.channels = static_cast<uint32_t>(oc);
  c.passes = static_cast<uint32_t>(passes);
  c.wcode = fmt == WeightFormat::Int8 ? 2 : (passes == 1 && (fmt == WeightFormat::SignedBinary || (d.flags & kDescTernary))) ? 1 : 0;
  check(k, uint64_t{1} << g.kidx_bits, "reduction steps");
  check(positions * oc, g.acc_entries, "accumulators");
  check(passes, 15, "passes");

  // im2col of the buffered input rows: operand (p, kk) as the PE array reads it (padding is 0).
  std::vector<uint8_t> cols(positions * k, 0);
  for (uint32_t yy = 0; yy < rows; ++yy)
    for (uint32_t x = 0; x < ow; ++x) {
      uint8_t* row = cols.data() + (static_cast<uint64_t>(yy) * ow + x) * k;
      for (uint32_t ch = 0; ch < d.in_c; ++ch)
        for (uint32_t ky = 0; ky < d.kh; ++ky) {
          const int iy = static_cast<int>((y0 + yy) * d.sh + ky) - static_cast<int>(d.ph);
          for (uint32_t kx = 0; kx < d.kw; ++kx, ++row) {
            const int ix = static_cast<int>(x * d.sw + kx) - static_cast<int>(d.pw);
            if (iy >= 0 && iy < static_cast<int>(d.in_h) && ix >= 0 && ix < static_cast<int>(d.in_w))
              *row = act[(static_cast<size_t>(ch) * ih + (iy - iy0)) * d.in_w + ix];
          }
        }
    }

  const uint64_t rows_pe = static_cast<uint64_t>(g.rows), cols_pe = static_cast<uint64_t>(g.cols);
  const uint64_t awb = static_cast<uint64_t>(g.awb());
  uint64_t wbase = 0, dir = 0;
  auto add_dir = [&](uint64_t count) {
    check(count, 0xFFFF, "words in one weight block");
    std::vector<uint32_t> w = loads.blank();
    put(w, 0, 24, wbase);
    put(w, 24, 16, count);
    loads.add(LoadTarget::Wdir, dir++, std::move(w));
    wbase += count;
  };
  auto add_scales = [&](uint64_t word, size_t pass, uint64_t o0, uint64_t n) {
    std::vector<uint32_t> w = loads.blank();
    for (uint64_t i = 0; i < n && o0 + i < oc; ++i) {
      const int32_t s = ws.pass_scale[pass][o0 + i];
      if (s < -32768 || s > 32767) throw Error("co-simulation: a scale of " + std::to_string(s) + " does not fit the core's 16-bit scales");
      put(w, i * 16, 16, static_cast<uint16_t>(s));
    }
    loads.add(LoadTarget::Scale, word, std::move(w));
  };

  if (!rp) {
    const uint64_t groups = std::max<uint32_t>(1, d.col_groups);
    uint32_t shift = 0;
    while ((1ull << shift) < groups) ++shift;
    c.group_shift = shift;
    const uint64_t lc = cols_pe / groups, lr = rows_pe * groups;
    const uint64_t nchunks = ceil_div(oc, lc), npg = ceil_div(positions, lr);
    const bool skipping = zero_skip_hw && (d.flags & kDescZeroSkip);
    const int opw = g.op_word_bits();
    check(passes * nchunks, g.dir_entries, "weight blocks");
    check(passes * nchunks, g.scale_words, "scale words");
    for (size_t pass = 0; pass < passes; ++pass)
      for (uint64_t ch = 0; ch < nchunks; ++ch) {
        const uint64_t o0 = ch * lc, n = std::min(lc, oc - o0);
        // Per column, the (k, weight) pairs it steps through: every k, or the non-zero ones.
        std::vector<std::vector<std::pair<uint32_t, int16_t>>> lanes(n);
        for (uint64_t i = 0; i < n; ++i) {
          const int16_t* w = ws.pass_weights[pass].data() + (o0 + i) * k;
          for (uint64_t kk = 0; kk < k; ++kk)
            if (!skipping || w[kk] != 0) lanes[i].emplace_back(static_cast<uint32_t>(kk), w[kk]);
        }
        uint64_t steps = 0;
        for (const auto& l : lanes) steps = std::max<uint64_t>(steps, l.size());
        check(wbase + steps, g.wbuf_words, "weight-buffer words");
        for (uint64_t s = 0; s < steps; ++s) {
          std::vector<uint32_t> w = loads.blank();
          for (uint64_t i = 0; i < n; ++i)
            if (s < lanes[i].size()) {
              put(w, i * opw, 8, static_cast<uint8_t>(lanes[i][s].second));
              put(w, i * opw + 8, g.kidx_bits, lanes[i][s].first);
            }
          loads.add(LoadTarget::Wbuf, wbase + s, std::move(w));
        }
        add_dir(steps);
        add_scales(pass * nchunks + ch, pass, o0, n);
      }
    check(npg * k, g.abuf_words(), "operand words");
    for (uint64_t pg = 0; pg < npg; ++pg)
      for (uint64_t kk = 0; kk < k; ++kk) {
        std::vector<uint32_t> w = loads.blank();
        for (uint64_t lane = 0; lane < lr && pg * lr + lane < positions; ++lane) put(w, lane * 8, 8, cols[(pg * lr + lane) * k + kk]);
        loads.add(LoadTarget::Abuf, pg * k + kk, std::move(w));
      }
  } else {
    const uint64_t nj = ceil_div(oc, cols_pe), nk = ceil_div(k, rows_pe);
    const uint64_t wbits = c.wcode == 2 ? 8 : c.wcode == 1 ? 2 : 1, rows_per_word = rows_pe / wbits;
    check(passes * nj * nk, g.dir_entries, "weight blocks");
    check(passes * nj, g.scale_words, "scale words");
    for (size_t pass = 0; pass < passes; ++pass)
      for (uint64_t j = 0; j < nj; ++j) {
        for (uint64_t kc = 0; kc < nk; ++kc) {
          const uint64_t kr = std::min(rows_pe, k - kc * rows_pe), words = ceil_div(kr, rows_per_word);
          check(wbase + words, g.wbuf_words, "weight-buffer words");
          for (uint64_t i = 0; i < words; ++i) {
            std::vector<uint32_t> w = loads.blank();
            for (uint64_t rr = 0; rr < rows_per_word; ++rr) {
              const uint64_t row = i * rows_per_word + rr;
              if (row >= kr) break;
              for (uint64_t col = 0; col < cols_pe && j * cols_pe + col < oc; ++col) {
                const int16_t v = ws.pass_weights[pass][(j * cols_pe + col) * k + kc * rows_pe + row];
                const uint64_t at = (rr * cols_pe + col) * wbits;
                if (wbits == 8) put(w, at, 8, static_cast<uint8_t>(v));
                else if (wbits == 2) put(w, at, 2, v > 0 ? 1u : v < 0 ? 3u : 0u);
                else put(w, at, 1, v > 0 ? 1u : 0u);
              }
            }
            loads.add(LoadTarget::Wbuf, wbase + i, std::move(w));
          }
          add_dir(words);
        }
        add_scales(pass * nj + j, pass, j * cols_pe, cols_pe);
      }
    check(nk * positions, g.abuf_words(), "operand words");
    for (uint64_t kc = 0; kc < nk; ++kc)
      for (uint64_t p = 0; p < positions; ++p) {
        std::vector<uint32_t> w = loads.blank();
        for (uint64_t r = 0; r < rows_pe && kc * rows_pe + r < k; ++r) put(w, r * 8, 8, cols[p * k + kc * rows_pe + r]);
        loads.add(LoadTarget::Abuf, kc * positions + p, std::move(w));
      }
    (void)awb;
  }
  channel_params(g, loads, ws.mult, ws.bias);
  img.outputs = positions * oc;
  return img;
}

CoreTileImage pool_image(const CoreGeometry& g, const LayerDescriptor& d, uint32_t y0, uint32_t rows, const uint8_t* act, int iy0, int ih) {
  CoreTileImage img;
  common_fields(img.cmd, d);
  img.cmd.op = static_cast<Opcode>(d.opcode) == Opcode::MaxPool ? CoreOp::MaxPool : CoreOp::AvgPool;
  Loads loads(g, img.loads);
  // The window reads in post_pool_tile's order; each window's last read ends it.
  std::vector<uint8_t> reads;
  std::vector<bool> last;
  for_each_pool_window(d, y0, rows, act, iy0, ih, [&](size_t o, const uint8_t* window, size_t n) {
    if (n == 0) {
      const size_t plane = static_cast<size_t>(rows) * d.out_w;
      throw Error("co-simulation: pooling window (channel " + std::to_string(o / plane) + ", row " + std::to_string(y0 + o % plane / d.out_w) +
                  ", x " + std::to_string(o % d.out_w) + ") reads no input; the compute core has no empty windows");
    }
    reads.insert(reads.end(), window, window + n);
    last.insert(last.end(), n, false);
    last.back() = true;
  });
  const size_t lanes = static_cast<size_t>(g.cols);
  check(ceil_div(reads.size(), lanes), g.abuf_words(), "operand words");
  byte_words(g, loads, reads.data(), reads.size(), 0);
  for (size_t e0 = 0; e0 < reads.size(); e0 += lanes) {
    std::vector<uint32_t> w = loads.blank();
    for (size_t l = 0; l < lanes && e0 + l < reads.size(); ++l)
      if (last[e0 + l]) put(w, l, 1, 1);
    loads.add(LoadTarget::Pflag, e0 / lanes, std::move(w));
  }
  img.cmd.count = static_cast<uint32_t>(reads.size());
  img.outputs = static_cast<size_t>(d.out_c) * rows * d.out_w;
  return img;
}

CoreTileImage add_image(const CoreGeometry& g, const LayerDescriptor& d, uint32_t rows, const uint8_t* a, const uint8_t* b) {
  CoreTileImage img;
  common_fields(img.cmd, d);
  img.cmd.op = CoreOp::Add;
  Loads loads(g, img.loads);
  const size_t n = static_cast<size_t>(d.out_c) * rows * d.out_w;
  const uint64_t beats = ceil_div(std::max<size_t>(n, 1), static_cast<uint64_t>(g.cols));
  check(2 * beats, g.abuf_words(), "operand words");
  byte_words(g, loads, a, n, 0);
  byte_words(g, loads, b, n, beats);
  img.cmd.count = static_cast<uint32_t>(n);
  img.outputs = n;
  return img;
}

CoreTileImage requant_image(const CoreGeometry& g, const LayerDescriptor& d, uint32_t rows, const uint8_t* act, const std::vector<int32_t>& mult,
                            const std::vector<int64_t>& bias) {
  CoreTileImage img;
  common_fields(img.cmd, d);
  img.cmd.op = CoreOp::Requant;
  img.cmd.per_tensor = (d.flags & kDescPerTensor) != 0;
  Loads loads(g, img.loads);
  const size_t hw = static_cast<size_t>(rows) * d.out_w, n = hw * d.out_c;
  check(ceil_div(std::max<size_t>(n, 1), static_cast<uint64_t>(g.cols)), g.abuf_words(), "operand words");
  byte_words(g, loads, act, n, 0);
  channel_params(g, loads, mult, bias);
  img.cmd.count = static_cast<uint32_t>(n);
  img.cmd.plane = static_cast<uint32_t>(hw);
  img.outputs = n;
  return img;
}

}  // namespace subbit::cosim
