// Bench of rtl/pe_array.sv (and the rtl/pe.sv it is built of) against the arithmetic the TLM model's
// pe_conv_tile computes with: sums of activation x weight products, cross-checked against
// subbit::dot_block (golden/kernels.h), the kernel pe_conv_tile calls. The array has no valid/ready:
// the compute core drives it every cycle, so the bench does the same, cycle by cycle.
//  - output-parallel: random operands on every PE, `mac` on random cycles (random idle cycles with
//    garbage operands between MACs: the stalls), then `drain`. Every PE's `partial` is checked every
//    cycle against the running sum (at the drain cycle: the sum of its MACs; after it: 0). Half the
//    runs use the core's wiring (one weight per column per step, one activation per row) and
//    dot_block over the whole array, the others independent operands per PE.
//  - reduction-parallel (when the preset has the adder trees): random operands every cycle; every
//    column's col_sum is checked every cycle against the sum over rows of its products
//    TREE_LEVELS + 1 cycles before.
// Schemes: binary (w = +1/-1), ternary / signed-binary after zero-skipping (w in {-1, 0, +1}, about
// 50% and 90% zeros), int8 (int8_mode), xnor (1-bit activations +1/-1 and binary weights).
// Activations are 9-bit: unsigned 0..255 or signed -128..127 (drawn per run).
//   tb_pe_array_<preset> CONFIG [--cycles N] [--seed S] [--scheme binary|ternary50|ternary90|int8|xnor|all]
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <string>
#include <vector>

#include "Vpe_array.h"
#include "config/arch_config.h"
#include "golden/kernels.h"
#include "quant/error.h"
#include "quant/prng.h"
#include "verilated.h"

// The bench links the config loader, whose library brings SystemC and with it main(); SystemC's
// main calls sc_main, declared here as its header would.
extern "C" int sc_main(int argc, char* argv[]);

namespace {

// n <= 32 bits at `bit` of a Verilator wide port (32-bit words, LSB first).
template <typename W>
uint32_t get_field(const W& sig, int bit, int n) {
  const int w = bit / 32, o = bit % 32;
  uint64_t v = sig[w] >> o;
  if (o + n > 32) v |= static_cast<uint64_t>(sig[w + 1]) << (32 - o);
  return static_cast<uint32_t>(v & ((n == 32) ? 0xFFFFFFFFull : ((1ull << n) - 1)));
}
template <typename W>
void set_field(W& sig, int bit, int n, uint32_t value) {
  const int w = bit / 32, o = bit % 32;
  const uint64_t mask = ((n == 32) ? 0xFFFFFFFFull : ((1ull << n) - 1)) << o;
  const uint64_t v = (static_cast<uint64_t>(value) << o) & mask;
  uint64_t cur = sig[w];
  if (o + n > 32) cur |= static_cast<uint64_t>(sig[w + 1]) << 32;
  cur = (cur & ~mask) | v;
  sig[w] = static_cast<uint32_t>(cur);
  if (o + n > 32) sig[w + 1] = static_cast<uint32_t>(cur >> 32);
}

// The low `bits` of v, sign-extended: what a `bits`-wide two's-complement register holds.
int64_t wrap(int64_t v, int bits) {
  const uint64_t m = bits >= 64 ? ~0ull : ((1ull << bits) - 1);
  uint64_t u = static_cast<uint64_t>(v) & m;
  if (bits < 64 && (u >> (bits - 1)) & 1) u |= ~m;
  return static_cast<int64_t>(u);
}

enum class Scheme { Binary, Ternary50, Ternary90, Int8, Xnor };
struct SchemeInfo {
  Scheme s;
  const char* name;
};
constexpr SchemeInfo kSchemes[] = {
    {Scheme::Binary, "binary"}, {Scheme::Ternary50, "ternary50"}, {Scheme::Ternary90, "ternary90"}, {Scheme::Int8, "int8"}, {Scheme::Xnor, "xnor"}};

class Bench {
 public:
  Bench(int rows, int cols, int acc_bits, bool tree, uint64_t seed) : rows_(rows), cols_(cols), acc_bits_(acc_bits), tree_(tree), rng_(seed) {
    levels_ = 0;
    while ((1 << levels_) < rows_) ++levels_;
    // The model must be the preset the config describes.
    const size_t want_act = (static_cast<size_t>(rows_) * cols_ * 9 + 31) / 32, want_partial = (static_cast<size_t>(rows_) * cols_ * acc_bits_ + 31) / 32;
    if (sizeof(dut_.act) / 4 != want_act || sizeof(dut_.partial) / 4 != want_partial)
      throw subbit::Error("the Verilated pe_array's ports do not match the config's " + std::to_string(rows_) + "x" + std::to_string(cols_) +
                          " array with " + std::to_string(acc_bits_) + "-bit accumulators");
    dut_.clk = 0;
    dut_.rst_n = 0;
    dut_.mac = 0;
    dut_.drain = 0;
    dut_.int8_mode = 0;
    dut_.eval();
    edge();
    edge();
    dut_.rst_n = 1;
  }
  int levels() const { return levels_; }

  // One activation of the scheme: +1/-1 for XNOR networks, else 8-bit unsigned or signed.
  int draw_act(Scheme s, bool in_signed) {
    if (s == Scheme::Xnor) return rng_.coin() ? 1 : -1;
    if (rng_.uniform(8) == 0) {  // the ends of the range
      static const int u[] = {0, 1, 254, 255}, sg[] = {-128, -127, 126, 127};
      return in_signed ? sg[rng_.uniform(4)] : u[rng_.uniform(4)];
    }
    return in_signed ? static_cast<int>(rng_.range(-128, 127)) : static_cast<int>(rng_.range(0, 255));
  }
  int draw_weight(Scheme s) {
    switch (s) {
      case Scheme::Binary:
      case Scheme::Xnor: return rng_.coin() ? 1 : -1;
      case Scheme::Ternary50: return rng_.coin() ? 0 : (rng_.coin() ? 1 : -1);
      case Scheme::Ternary90: return rng_.uniform(10) != 0 ? 0 : (rng_.coin() ? 1 : -1);
      case Scheme::Int8:
        if (rng_.uniform(8) == 0) {
          static const int e[] = {-128, -127, -1, 0, 1, 127};
          return e[rng_.uniform(6)];
        }
        return static_cast<int>(rng_.range(-128, 127));
    }
    return 0;
  }
  void set_operand(int r, int c, int a, int w) {
    const int i = r * cols_ + c;
    set_field(dut_.act, i * 9, 9, static_cast<uint32_t>(a) & 0x1FFu);
    set_field(dut_.weight, i * 8, 8, static_cast<uint32_t>(w) & 0xFFu);
  }
  // Operands that must not matter (idle and drain cycles): anything a port can carry.
  void garbage() {
    for (int r = 0; r < rows_; ++r)
      for (int c = 0; c < cols_; ++c) set_operand(r, c, static_cast<int>(rng_.uniform(512)), static_cast<int>(rng_.uniform(256)));
  }
  int64_t partial(int r, int c) const { return wrap(get_field(dut_.partial, (r * cols_ + c) * acc_bits_, acc_bits_), acc_bits_); }
  int64_t col_sum(int c) const { return wrap(get_field(dut_.col_sum, c * acc_bits_, acc_bits_), acc_bits_); }
  void edge() {
    dut_.clk = 1;
    dut_.eval();
    dut_.clk = 0;
    dut_.eval();
    ++cycle_;
  }

  // Checks every PE's partial against `want` (already wrapped). Returns false after printing the
  // first mismatch.
  bool check_partials(const std::vector<int64_t>& want, const char* scheme, const char* when) {
    for (int r = 0; r < rows_; ++r)
      for (int c = 0; c < cols_; ++c) {
        const int64_t got = partial(r, c), exp = want[static_cast<size_t>(r) * cols_ + c];
        if (got != exp) {
          std::fprintf(stderr, "tb pe_array: %s output-parallel: PE (%d,%d), cycle %llu (%s): partial RTL %lld, reference %lld\n", scheme, r, c,
                       static_cast<unsigned long long>(cycle_), when, static_cast<long long>(got), static_cast<long long>(exp));
          return false;
        }
      }
    return true;
  }

  struct OpStats {
    uint64_t runs = 0, macs = 0, drains = 0, stalls = 0, checks = 0;
  };
  // Output-parallel for `cycles` cycles. Returns false on a mismatch.
  bool output_parallel(Scheme s, const char* name, uint64_t cycles, OpStats& st) {
    const size_t pes = static_cast<size_t>(rows_) * cols_;
    dut_.int8_mode = s == Scheme::Int8;
    dut_.mac = 0;
    dut_.drain = 0;
    std::vector<int64_t> running(pes, 0);
    const uint64_t end = cycle_ + cycles;
    while (cycle_ < end) {
      const bool in_signed = rng_.coin();
      const bool core_wiring = rng_.coin();  // weight per column, activation per row
      const int macs = rng_.uniform(16) == 0 ? 0 : static_cast<int>(rng_.range(1, 48));
      // Operand sequences of the run: PE-major per PE, or [col][step] / [row][step] in core wiring.
      std::vector<int16_t> aseq, wseq;
      if (core_wiring) {
        aseq.resize(static_cast<size_t>(rows_) * macs);
        wseq.resize(static_cast<size_t>(cols_) * macs);
      } else {
        aseq.resize(pes * macs);
        wseq.resize(pes * macs);
      }
      for (int t = 0; t < macs; ++t) {
        // Stalls: idle cycles, garbage on the operands.
        const int idle = rng_.uniform(3) == 0 ? static_cast<int>(rng_.range(1, 3)) : 0;
        for (int i = 0; i < idle; ++i) {
          dut_.mac = 0;
          dut_.drain = 0;
          garbage();
          dut_.eval();
          if (!check_partials(running, name, "idle")) return false;
          ++st.checks;
          edge();
          ++st.stalls;
        }
        dut_.mac = 1;
        dut_.drain = 0;
        if (core_wiring) {
          std::vector<int> a(static_cast<size_t>(rows_)), w(static_cast<size_t>(cols_));
          for (int r = 0; r < rows_; ++r) a[r] = draw_act(s, in_signed), aseq[static_cast<size_t>(r) * macs + t] = static_cast<int16_t>(a[r]);
          for (int c = 0; c < cols_; ++c) w[c] = draw_weight(s), wseq[static_cast<size_t>(c) * macs + t] = static_cast<int16_t>(w[c]);
          for (int r = 0; r < rows_; ++r)
            for (int c = 0; c < cols_; ++c) set_operand(r, c, a[r], w[c]);
        } else {
          for (size_t i = 0; i < pes; ++i) {
            const int a = draw_act(s, in_signed), w = draw_weight(s);
            aseq[i * macs + t] = static_cast<int16_t>(a);
            wseq[i * macs + t] = static_cast<int16_t>(w);
            set_operand(static_cast<int>(i) / cols_, static_cast<int>(i) % cols_, a, w);
          }
        }
        dut_.eval();
        if (!check_partials(running, name, "MAC")) return false;
        ++st.checks;
        edge();
        ++st.macs;
        // The bench's own reference: running sums of the products.
        for (int r = 0; r < rows_; ++r)
          for (int c = 0; c < cols_; ++c) {
            const size_t i = static_cast<size_t>(r) * cols_ + c;
            const int64_t a = core_wiring ? aseq[static_cast<size_t>(r) * macs + t] : aseq[i * macs + t];
            const int64_t w = core_wiring ? wseq[static_cast<size_t>(c) * macs + t] : wseq[i * macs + t];
            running[i] = wrap(running[i] + a * w, acc_bits_);
          }
      }
      // Cross-check the sums against dot_block, pe_conv_tile's kernel (bench self-check).
      std::vector<int32_t> dot(pes, 0);
      if (macs > 0) {
        if (core_wiring) {
          std::vector<int32_t> acc(pes);  // [col][row]: output channel c at position r
          subbit::dot_block(wseq.data(), macs, cols_, aseq.data(), rows_, acc.data(), rows_);
          for (int r = 0; r < rows_; ++r)
            for (int c = 0; c < cols_; ++c) dot[static_cast<size_t>(r) * cols_ + c] = acc[static_cast<size_t>(c) * rows_ + r];
        } else {
          for (size_t i = 0; i < pes; ++i) subbit::dot_block(wseq.data() + i * macs, macs, 1, aseq.data() + i * macs, 1, &dot[i], 1);
        }
      }
      for (size_t i = 0; i < pes; ++i)
        if (wrap(dot[i], acc_bits_) != running[i])
          throw subbit::Error("bench self-check: dot_block and the running sum disagree at PE " + std::to_string(i));
      // Drain: the partials are read in this cycle, and are 0 after it.
      dut_.mac = rng_.uniform(4) == 0;  // drain wins over a MAC (pe.sv); the core never asserts both
      dut_.drain = 1;
      garbage();
      dut_.eval();
      if (!check_partials(running, name, "drain")) return false;
      ++st.checks;
      ++st.drains;
      edge();
      std::fill(running.begin(), running.end(), 0);
      ++st.runs;
    }
    dut_.mac = 0;
    dut_.drain = 0;
    dut_.eval();
    if (!check_partials(running, name, "after the last drain")) return false;
    return true;
  }

  struct RpStats {
    uint64_t cycles = 0, sums = 0;
  };
  // Reduction-parallel for `cycles` cycles. Returns false on a mismatch.
  bool reduction_parallel(Scheme s, const char* name, uint64_t cycles, RpStats& st) {
    dut_.int8_mode = s == Scheme::Int8;
    const int latency = levels_ + 1;
    std::deque<std::vector<int64_t>> pipe;  // expected column sums, oldest first
    std::vector<int16_t> wcol(static_cast<size_t>(rows_)), acol(static_cast<size_t>(rows_));
    std::vector<int> a(static_cast<size_t>(rows_) * cols_), w(static_cast<size_t>(rows_) * cols_);
    bool in_signed = rng_.coin();
    for (uint64_t t = 0; t < cycles + static_cast<uint64_t>(latency); ++t) {
      if (rng_.uniform(64) == 0) in_signed = !in_signed;
      // mac / drain only touch the partials: the tree must ignore them.
      dut_.mac = rng_.coin();
      dut_.drain = rng_.coin();
      const bool core_wiring = rng_.coin();  // one activation per row, weights per PE
      for (int r = 0; r < rows_; ++r) {
        const int ar = draw_act(s, in_signed);
        for (int c = 0; c < cols_; ++c) {
          const size_t i = static_cast<size_t>(r) * cols_ + c;
          a[i] = core_wiring ? ar : draw_act(s, in_signed);
          w[i] = draw_weight(s);
          set_operand(r, c, a[i], w[i]);
        }
      }
      std::vector<int64_t> sums(static_cast<size_t>(cols_));
      for (int c = 0; c < cols_; ++c) {
        int64_t sum = 0;
        for (int r = 0; r < rows_; ++r) {
          const size_t i = static_cast<size_t>(r) * cols_ + c;
          sum += static_cast<int64_t>(a[i]) * w[i];
          acol[r] = static_cast<int16_t>(a[i]);
          wcol[r] = static_cast<int16_t>(w[i]);
        }
        int32_t dot = 0;
        subbit::dot_block(wcol.data(), rows_, 1, acol.data(), 1, &dot, 1);
        if (dot != sum) throw subbit::Error("bench self-check: dot_block and the column sum disagree at column " + std::to_string(c));
        sums[c] = wrap(sum, acc_bits_);
      }
      pipe.push_back(std::move(sums));
      dut_.eval();
      if (static_cast<int>(pipe.size()) > latency) {
        const std::vector<int64_t>& want = pipe.front();
        for (int c = 0; c < cols_; ++c) {
          const int64_t got = col_sum(c);
          if (got != want[c]) {
            std::fprintf(stderr,
                         "tb pe_array: %s reduction-parallel: column %d (PEs (0..%d,%d)), cycle %llu: col_sum RTL %lld, reference %lld "
                         "(operands of cycle %llu, %d cycles before)\n",
                         name, c, rows_ - 1, c, static_cast<unsigned long long>(cycle_), static_cast<long long>(got), static_cast<long long>(want[c]),
                         static_cast<unsigned long long>(cycle_ - latency), latency);
            return false;
          }
          ++st.sums;
        }
        pipe.pop_front();
      }
      edge();
      ++st.cycles;
    }
    return true;
  }

 private:
  int rows_, cols_, acc_bits_;
  bool tree_;
  int levels_ = 0;
  subbit::SplitMix64 rng_;
  Vpe_array dut_;
  uint64_t cycle_ = 0;
};

}  // namespace

int sc_main(int argc, char* argv[]) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s CONFIG [--cycles N] [--seed S] [--scheme binary|ternary50|ternary90|int8|xnor|all]\n", argv[0]);
    return 2;
  }
  uint64_t cycles = 8000;
  uint64_t seed = 1;
  std::string scheme = "all";
  for (int i = 2; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--cycles") == 0) cycles = std::strtoull(argv[i + 1], nullptr, 10);
    else if (std::strcmp(argv[i], "--seed") == 0) seed = std::strtoull(argv[i + 1], nullptr, 10);
    else if (std::strcmp(argv[i], "--scheme") == 0) scheme = argv[i + 1];
    else {
      std::fprintf(stderr, "tb pe_array: unknown option %s\n", argv[i]);
      return 2;
    }
  }
  try {
    const subbit::ArchConfig cfg = subbit::load_arch_config(argv[1]);
    const int rows = static_cast<int>(cfg.pe_array.rows), cols = static_cast<int>(cfg.pe_array.cols), acc_bits = static_cast<int>(cfg.acc_bits);
    const bool tree = cfg.pe_array.reduction_tree;
    int ran = 0;
    for (size_t si = 0; si < sizeof(kSchemes) / sizeof(kSchemes[0]); ++si) {
      const SchemeInfo& sc = kSchemes[si];
      if (scheme != "all" && scheme != sc.name) continue;
      ++ran;
      // A fresh array per scheme (reset), its own random stream.
      Bench b(rows, cols, acc_bits, tree, seed * 0x100 + si);
      Bench::OpStats op;
      if (!b.output_parallel(sc.s, sc.name, cycles, op)) return 1;
      Bench::RpStats rp;
      if (tree && !b.reduction_parallel(sc.s, sc.name, cycles, rp)) return 1;
      std::printf("pe_array %dx%d %s: PASS output-parallel %llu runs, %llu MACs, %llu stall cycles, %llu drains, %llu PE-cycle checks (%llu PE values)",
                  rows, cols, sc.name, static_cast<unsigned long long>(op.runs), static_cast<unsigned long long>(op.macs),
                  static_cast<unsigned long long>(op.stalls), static_cast<unsigned long long>(op.drains), static_cast<unsigned long long>(op.checks),
                  static_cast<unsigned long long>(op.checks * rows * cols));
      if (tree)
        std::printf("; reduction-parallel %llu cycles, %llu column sums (tree %d levels, latency %d)\n", static_cast<unsigned long long>(rp.cycles),
                    static_cast<unsigned long long>(rp.sums), b.levels(), b.levels() + 1);
      else
        std::printf("; no adder trees in this preset\n");
    }
    if (ran == 0) {
      std::fprintf(stderr, "tb pe_array: unknown scheme '%s' (binary, ternary50, ternary90, int8, xnor, all)\n", scheme.c_str());
      return 2;
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "tb pe_array: %s\n", e.what());
    return 1;
  }
  return 0;
}
