// Bench of rtl/compute_core.sv through the co-simulation transactor (tb/cosim): random conv tiles of
// every weight scheme in both dataflows (and every column-group width), pooling, add and requant
// tiles, against the TLM model's reference code (pe_conv_tile + post_conv_tile, post_*_tile). Each
// case runs twice: with the store stream always ready, where the core's PE and post-processing
// cycles must equal pe_tile_timing's and post_cycles', and with random load gaps and store
// back-pressure, where only the values are checked.
//   tb_compute_core CONFIG [--cases N] [--seed S]
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "accel/compute.h"
#include "config/arch_config.h"
#include "hwif/tiling.h"
#include "quant/prng.h"
#include "runtime/mapper.h"
#include "rtl_cosim.h"

extern "C" int sc_main(int argc, char* argv[]);

namespace {

using namespace subbit;

enum class Scheme { Binary, Bcq2, Ternary, SignedBinary, Int8, Xnor, Count };
const char* scheme_name(Scheme s) {
  static const char* names[] = {"binary", "bcq2", "ternary", "signed_binary", "int8", "xnor"};
  return names[static_cast<int>(s)];
}

struct Failure {
  std::string what;
};

int64_t range(SplitMix64& r, int64_t lo, int64_t hi) { return lo + static_cast<int64_t>(r.next() % static_cast<uint64_t>(hi - lo + 1)); }

void expect_equal(const std::vector<uint8_t>& rtl, const std::vector<uint8_t>& ref, const std::string& what) {
  if (rtl.size() != ref.size()) throw Failure{what + ": " + std::to_string(rtl.size()) + " outputs, expected " + std::to_string(ref.size())};
  for (size_t e = 0; e < ref.size(); ++e)
    if (rtl[e] != ref[e]) throw Failure{what + ": element " + std::to_string(e) + ": RTL " + std::to_string(rtl[e]) + ", reference " + std::to_string(ref[e])};
}

struct ConvCase {
  LayerDescriptor d;
  WeightSet ws;
  std::vector<uint8_t> act;
  uint32_t y0 = 0, rows = 0;
  int iy0 = 0, ih = 0;
};

ConvCase random_conv(SplitMix64& r, Scheme s, const ArchConfig& cfg, Dataflow df) {
  ConvCase c;
  LayerDescriptor& d = c.d;
  d.opcode = static_cast<uint32_t>(Opcode::Conv);
  const bool fc = range(r, 0, 3) == 0;
  d.in_c = static_cast<uint32_t>(range(r, 1, fc ? 200 : 12));
  d.kh = d.kw = fc ? 1 : static_cast<uint32_t>(range(r, 1, 3));
  d.sh = d.sw = fc ? 1 : static_cast<uint32_t>(range(r, 1, 2));
  d.ph = d.pw = fc ? 0 : static_cast<uint32_t>(range(r, 0, d.kh / 2));
  d.in_h = fc ? 1 : static_cast<uint32_t>(range(r, d.kh, 9));
  d.in_w = fc ? 1 : static_cast<uint32_t>(range(r, d.kw, 9));
  d.out_h = (d.in_h + 2 * d.ph - d.kh) / d.sh + 1;
  d.out_w = (d.in_w + 2 * d.pw - d.kw) / d.sw + 1;
  d.out_c = static_cast<uint32_t>(range(r, 1, 40));
  d.dataflow = static_cast<uint8_t>(df);
  uint32_t groups = 1;
  if (df == Dataflow::OutputParallel) {
    const int lanes = static_cast<int>(cfg.pe_array.act_lanes);
    for (int g = static_cast<int>(range(r, 0, 3)); g > 0 && groups * 2 <= static_cast<uint32_t>(lanes); --g) groups *= 2;
  }
  d.col_groups = static_cast<uint8_t>(groups);
  const bool xnor = s == Scheme::Xnor;
  auto maybe = [&](uint32_t f) { return range(r, 0, 1) ? f : 0u; };
  d.flags = maybe(kDescRelu) | (xnor ? uint32_t{kDescInSigned} : maybe(kDescInSigned)) | maybe(kDescOutSigned);
  d.out_bits = static_cast<uint32_t>(range(r, 1, 8));
  d.shift = static_cast<uint32_t>(range(r, 4, 14));
  d.weight_format = static_cast<uint32_t>(s == Scheme::Int8 ? WeightFormat::Int8 : s == Scheme::SignedBinary ? WeightFormat::SignedBinary : WeightFormat::BitPlanes);
  d.q = s == Scheme::Bcq2 || s == Scheme::Ternary ? 2 : 1;
  if (s == Scheme::Ternary) d.flags |= kDescTernary | kDescZeroSkip;
  if (s == Scheme::SignedBinary) d.flags |= kDescZeroSkip;
  const uint64_t k = reduction_length(d);
  // A tile: some output rows, a channel range (the whole layer's here).
  c.rows = static_cast<uint32_t>(range(r, 1, d.out_h));
  c.y0 = static_cast<uint32_t>(range(r, 0, d.out_h - c.rows));
  tile_input_rows(d, c.y0, c.rows, c.iy0, c.ih);
  c.act.resize(static_cast<size_t>(d.in_c) * c.ih * d.in_w);
  for (auto& b : c.act) {
    if (xnor) b = range(r, 0, 1) ? 0x01 : 0xFF;
    else b = static_cast<uint8_t>(range(r, 0, 255));
  }
  WeightSet& ws = c.ws;
  ws.o0 = 0;
  ws.oc = d.out_c;
  const size_t passes = pe_passes(d);
  const double zeros = range(r, 0, 1) ? 0.5 : 0.9;
  for (size_t p = 0; p < passes; ++p) {
    ws.pass_weights.emplace_back(static_cast<size_t>(ws.oc) * k, 0);
    ws.pass_scale.emplace_back(ws.oc, 0);
    ws.effectual.emplace_back(ws.oc, 0);
    for (uint32_t o = 0; o < ws.oc; ++o) {
      for (uint64_t kk = 0; kk < k; ++kk) {
        int16_t& w = ws.pass_weights[p][o * k + kk];
        if (s == Scheme::Int8) w = static_cast<int16_t>(range(r, -128, 127));
        else if (s == Scheme::Ternary || s == Scheme::SignedBinary) w = (r.next() % 1000) < zeros * 1000 ? 0 : (range(r, 0, 1) ? 1 : -1);
        else w = range(r, 0, 1) ? 1 : -1;
        ws.effectual[p][o] += w != 0;
      }
      ws.pass_scale[p][o] = s == Scheme::Int8 ? 1 : static_cast<int32_t>(range(r, 1, 255) * (s == Scheme::Ternary ? 2 : 1));
    }
  }
  for (uint32_t o = 0; o < ws.oc; ++o) {
    ws.mult.push_back(static_cast<int32_t>(range(r, 1, 1 << 12)));
    ws.bias.push_back(range(r, -(1 << 20), 1 << 20));
  }
  return c;
}

}  // namespace

int sc_main(int argc, char* argv[]) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: tb_compute_core CONFIG [--cases N] [--seed S]\n");
    return 2;
  }
  int cases = 12;
  uint64_t seed = 5;
  for (int i = 2; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--cases")) cases = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--seed")) seed = std::strtoull(argv[i + 1], nullptr, 10);
  }
  try {
    const ArchConfig cfg = load_arch_config(argv[1]);
    cosim::CosimOptions calm, stormy;
    stormy.stall_seed = seed * 7 + 1;
    auto core = cosim::make_rtl_cosim(cfg, calm);
    auto stalled = cosim::make_rtl_cosim(cfg, stormy);
    PeGeometry g;
    g.rows = static_cast<int>(cfg.pe_array.rows), g.cols = static_cast<int>(cfg.pe_array.cols);
    const int lanes = static_cast<int>(cfg.pe_array.cols);
    SplitMix64 r(seed);
    int checked = 0;
    std::vector<int16_t> scratch;
    for (int s = 0; s < static_cast<int>(Scheme::Count); ++s)
      for (Dataflow df : {Dataflow::OutputParallel, Dataflow::ReductionParallel}) {
        if (df == Dataflow::ReductionParallel && !cfg.pe_array.reduction_tree) continue;
        for (int n = 0; n < cases; ++n) {
          ConvCase c = random_conv(r, static_cast<Scheme>(s), cfg, df);
          std::vector<int32_t> acc;
          const PeTileResult tlm = pe_conv_tile(c.d, c.ws, c.y0, c.rows, c.act.data(), c.iy0, c.ih, g, scratch, acc);
          std::vector<uint8_t> ref;
          const PostResult post = post_conv_tile(c.d, c.ws, c.rows, acc, ref);
          const std::string what = std::string(scheme_name(static_cast<Scheme>(s))) + " " + dataflow_name(df) + " case " + std::to_string(n) +
                                   " (K " + std::to_string(reduction_length(c.d)) + ", " + std::to_string(c.rows * c.d.out_w) + " positions, " +
                                   std::to_string(c.d.out_c) + " channels, groups " + std::to_string(c.d.col_groups) + ")";
          const CosimTile a = core->conv(c.d, c.ws, c.y0, c.rows, c.act.data(), c.iy0, c.ih);
          expect_equal(a.out, ref, what);
          if (a.pe_cycles != tlm.cycles || a.post_cycles != post_cycles(post.ops, lanes))
            throw Failure{what + ": RTL " + std::to_string(a.pe_cycles) + " PE + " + std::to_string(a.post_cycles) + " post cycles, TLM " +
                          std::to_string(tlm.cycles) + " + " + std::to_string(post_cycles(post.ops, lanes))};
          expect_equal(stalled->conv(c.d, c.ws, c.y0, c.rows, c.act.data(), c.iy0, c.ih).out, ref, what + " with stalls");
          ++checked;
        }
      }
    // Pooling, add and requant tiles.
    for (int n = 0; n < cases * 2; ++n) {
      LayerDescriptor d;
      const int kind = n % 4;
      d.in_c = d.out_c = static_cast<uint32_t>(range(r, 1, 8));
      auto maybe = [&](uint32_t f) { return range(r, 0, 1) ? f : 0u; };
      d.flags = maybe(kDescRelu) | maybe(kDescInSigned) | maybe(kDescOutSigned) | maybe(kDescIn2Signed);
      d.out_bits = static_cast<uint32_t>(range(r, 1, 8));
      d.shift = static_cast<uint32_t>(range(r, 0, 12));
      d.mult_a = static_cast<int32_t>(range(r, -3000, 3000));
      d.mult_b = static_cast<int32_t>(range(r, -3000, 3000));
      d.bias = range(r, -100000, 100000);
      d.in_h = static_cast<uint32_t>(range(r, 2, 9)), d.in_w = static_cast<uint32_t>(range(r, 2, 9));
      std::vector<uint8_t> ref;
      CosimTile a, b;
      std::string what;
      if (kind < 2) {
        d.opcode = static_cast<uint32_t>(kind == 0 ? Opcode::MaxPool : Opcode::AvgPool);
        d.kh = d.kw = static_cast<uint32_t>(range(r, 2, 3));
        d.sh = d.sw = static_cast<uint32_t>(range(r, 1, 2));
        d.ph = d.pw = static_cast<uint32_t>(range(r, 0, 1));
        d.in_h = std::max(d.in_h, d.kh), d.in_w = std::max(d.in_w, d.kw);
        d.out_h = (d.in_h + 2 * d.ph - d.kh) / d.sh + 1, d.out_w = (d.in_w + 2 * d.pw - d.kw) / d.sw + 1;
        const uint32_t rows = static_cast<uint32_t>(range(r, 1, d.out_h)), y0 = static_cast<uint32_t>(range(r, 0, d.out_h - rows));
        int iy0 = 0, ih = 0;
        tile_input_rows(d, y0, rows, iy0, ih);
        std::vector<uint8_t> act(static_cast<size_t>(d.in_c) * ih * d.in_w);
        for (auto& v : act) v = static_cast<uint8_t>(range(r, 0, 255));
        const PostResult p = post_pool_tile(d, y0, rows, act.data(), iy0, ih, ref);
        what = std::string(kind == 0 ? "max" : "avg") + " pool case " + std::to_string(n);
        a = core->pool(d, y0, rows, act.data(), iy0, ih);
        b = stalled->pool(d, y0, rows, act.data(), iy0, ih);
        if (a.post_cycles != post_cycles(p.ops, lanes)) throw Failure{what + ": RTL " + std::to_string(a.post_cycles) + " post cycles, TLM " + std::to_string(post_cycles(p.ops, lanes))};
      } else {
        d.out_h = d.in_h, d.out_w = d.in_w;
        const uint32_t rows = d.out_h;
        const size_t count = static_cast<size_t>(d.out_c) * rows * d.out_w;
        std::vector<uint8_t> x(count), y(count);
        for (auto& v : x) v = static_cast<uint8_t>(range(r, 0, 255));
        for (auto& v : y) v = static_cast<uint8_t>(range(r, 0, 255));
        PostResult p;
        if (kind == 2) {
          d.opcode = static_cast<uint32_t>(Opcode::Add);
          p = post_add_tile(d, rows, x.data(), y.data(), ref);
          what = "add case " + std::to_string(n);
          a = core->add(d, rows, x.data(), y.data());
          b = stalled->add(d, rows, x.data(), y.data());
        } else {
          d.opcode = static_cast<uint32_t>(Opcode::Requant);
          if (range(r, 0, 1)) d.flags |= kDescPerTensor;
          std::vector<int32_t> mult;
          std::vector<int64_t> bias;
          for (uint32_t c = 0; c < ((d.flags & kDescPerTensor) ? 1 : d.out_c); ++c)
            mult.push_back(static_cast<int32_t>(range(r, -5000, 5000))), bias.push_back(range(r, -100000, 100000));
          p = post_requant_tile(d, rows, x.data(), mult, bias, ref);
          what = "requant case " + std::to_string(n);
          a = core->requant(d, rows, x.data(), mult, bias);
          b = stalled->requant(d, rows, x.data(), mult, bias);
        }
        if (a.post_cycles != post_cycles(p.ops, lanes)) throw Failure{what + ": RTL " + std::to_string(a.post_cycles) + " post cycles, TLM " + std::to_string(post_cycles(p.ops, lanes))};
      }
      expect_equal(a.out, ref, what);
      expect_equal(b.out, ref, what + " with stalls");
      ++checked;
    }
    std::printf("PASS compute_core (%s): %d tiles, every scheme and dataflow, outputs and cycles equal the TLM model's; with random stalls, the outputs\n",
                cfg.name.c_str(), checked);
    return 0;
  } catch (const Failure& f) {
    std::fprintf(stderr, "FAIL compute_core: %s\n", f.what.c_str());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "FAIL compute_core: %s\n", e.what());
  }
  return 1;
}
